// Reading the running workflow file at its commit (GITHUB_WORKFLOW_SHA) from the git history in
// the workspace. The files on disk are not enough: a pull_request_target or workflow_run job may
// check out another ref, a job may check out another repository into the workspace root, and a
// step may edit files. A commit id names its content, so a checkout holding that commit gives
// the running file whatever is checked out; anything else (no git, a shallow clone of another
// ref, another repository) is `unavailable` and the caller asks the contents API instead.
//
// Two git commands: `ls-tree` (the commit is there; the path is a regular file of what size),
// then `cat-file blob <commit>:<path>` (its bytes) only for a regular file under the size limit,
// so a symbolic link, a folder, a submodule or an oversized file is never read. The entry point
// starts the pair before the action is even loaded (prefetch.ts), so git runs while Node
// compiles the rest.
//
// git runs through @actions/exec (the toolkit's process runner, as the toolchain asks): an
// absolute path to git found on PATH, arguments as an array, no shell, silent, and a timeout.
// exec cannot stop a process, so the read never starts cat-file on a file it has not sized, and
// a git that outlives the timeout is left to the process's exit (index.ts exits when done).

import { exec } from '@actions/exec'
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'

export type GitRead =
  | { kind: 'file'; text: string }
  /** The commit is in the workspace and has no regular file at the path: certain, no need to ask GitHub. */
  | { kind: 'not-in-commit'; problem: string }
  | { kind: 'too-large'; size: number }
  /** git cannot tell (no git, no repository, commit absent, git too slow): ask the contents API. */
  | { kind: 'unavailable'; why: string }

/** A workflow that takes git longer than this is read through the API instead. */
const GIT_TIMEOUT_MS = 5000

const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

export interface ReadAtCommit {
  workspace: string
  sha: string
  path: string
  maxBytes: number
}

/** Reads started before they were asked for (startReadingFileAtCommit), by their arguments. */
const started = new Map<string, Promise<GitRead>>()
const keyOf = (o: ReadAtCommit) => JSON.stringify([o.workspace, o.sha, o.path, o.maxBytes])

/**
 * Starts reading now, for a readFileAtCommit with the same arguments later: the entry point
 * starts git before it loads the rest of the action, so that git runs while Node compiles it.
 * A read nobody asks for is dropped with the process.
 */
export function startReadingFileAtCommit(o: ReadAtCommit): void {
  const key = keyOf(o)
  if (!started.has(key)) started.set(key, read(o))
}

export function readFileAtCommit(o: ReadAtCommit): Promise<GitRead> {
  const key = keyOf(o)
  const early = started.get(key)
  if (!early) return read(o)
  started.delete(key) // once: a later call reads again
  return early
}

async function read(o: ReadAtCommit): Promise<GitRead> {
  const sha = o.sha.toLowerCase()
  if (!COMMIT_SHA.test(sha)) return { kind: 'unavailable', why: `"${o.sha}" is not a commit SHA` }
  // No repository at the workspace root (no checkout, a download, checkout into a subfolder):
  // nothing to ask git.
  if (!existsSync(join(o.workspace, '.git'))) {
    return { kind: 'unavailable', why: 'the workspace is not a git checkout' }
  }
  const at = `commit ${sha.slice(0, 7)}`
  // One git for the whole read, found now (the read may have been started before it is awaited).
  const executable = findGit()
  if (!executable) return { kind: 'unavailable', why: 'git is not installed' }
  const listed = await git(
    executable,
    o.workspace,
    ['--literal-pathspecs', 'ls-tree', '-l', '--full-tree', `${sha}^{commit}`, '--', o.path],
    MAX_LISTING_BYTES,
  )
  if ('why' in listed) return { kind: 'unavailable', why: listed.why }
  if (listed.exitCode !== 0) return { kind: 'unavailable', why: whyNot(listed.stderr, at) }
  // "<mode> <type> <object> <size>\t<path>"; nothing when the commit has no such path.
  const entry = /^(\d{6}) (\w+) ([0-9a-f]+)\s+(\d+|-)\t/.exec(listed.stdout)
  if (!entry) {
    return { kind: 'not-in-commit', problem: `${o.path} is not in ${at} (GITHUB_WORKFLOW_SHA)` }
  }
  const [, mode, type, object, size] = entry
  if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) {
    return {
      kind: 'not-in-commit',
      problem: `${o.path} in ${at} is a ${type === 'tree' ? 'folder' : mode === '120000' ? 'symbolic link' : type}, not a file`,
    }
  }
  if (Number(size) > o.maxBytes) return { kind: 'too-large', size: Number(size) }
  // The object the listing sized, by its id: exactly the bytes just judged.
  const blob = await git(executable, o.workspace, ['cat-file', 'blob', object!], o.maxBytes)
  if ('why' in blob) return { kind: 'unavailable', why: blob.why }
  if (blob.exitCode !== 0) return { kind: 'unavailable', why: whyNot(blob.stderr, at) }
  if (blob.overLimit) return { kind: 'too-large', size: Number(size) }
  return { kind: 'file', text: blob.stdout }
}

type GitOutput =
  { exitCode: number; stdout: string; stderr: string; overLimit: boolean } | { why: string }

/** ls-tree prints one line for the path. */
const MAX_LISTING_BYTES = 64 * 1024
/** Enough of git's complaint to tell why (whyNot). */
const MAX_STDERR_BYTES = 16 * 1024

/** Runs git in `workspace`; stdout is kept up to `maxStdout` bytes (the rest is dropped). */
async function git(
  executable: string,
  workspace: string,
  args: string[],
  maxStdout: number,
): Promise<GitOutput> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  // English messages to read; never prompt; no lazy fetch of a partial clone's missing blobs
  // (git 2.44+); no index lock taken.
  Object.assign(env, {
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_LAZY_FETCH: '1',
    GIT_OPTIONAL_LOCKS: '0',
  })
  const stdout: Buffer[] = []
  let stdoutBytes = 0
  let overLimit = false
  let stderr = ''
  let timer: NodeJS.Timeout | undefined
  const slow = new Promise<GitOutput>((resolve) => {
    timer = setTimeout(
      () => resolve({ why: `git did not answer within ${GIT_TIMEOUT_MS / 1000} s` }),
      GIT_TIMEOUT_MS,
    )
    timer.unref()
  })
  const run = exec(executable, ['-C', workspace, ...args], {
    silent: true,
    ignoreReturnCode: true,
    env,
    listeners: {
      stdout: (chunk: Buffer) => {
        if (overLimit) return
        if (stdoutBytes + chunk.length > maxStdout) {
          overLimit = true
          return
        }
        stdout.push(chunk)
        stdoutBytes += chunk.length
      },
      stderr: (chunk: Buffer) => {
        if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString('utf8')
      },
    },
  }).then(
    (exitCode): GitOutput => ({
      exitCode,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr,
      overLimit,
    }),
    // exec rejects when git cannot start at all.
    (e: unknown): GitOutput => ({
      why: `git could not run (${String((e as Error)?.message ?? e).split('\n')[0]})`,
    }),
  )
  try {
    return await Promise.race([run, slow])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * git's absolute path, found on PATH once (a GitHub-hosted runner has about fifteen entries):
 * spawned by absolute path, git is the program on PATH and nothing else. Windows keeps the
 * system's own lookup (PATHEXT).
 */
let gitOnPath: { path: string | undefined; for: string | undefined } | undefined
function findGit(): string | undefined {
  if (process.platform === 'win32') return 'git'
  const PATH = process.env.PATH
  if (gitOnPath && gitOnPath.for === PATH) return gitOnPath.path
  let found: string | undefined
  for (const dir of (PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = resolve(dir, 'git')
    try {
      // Most entries have no git: no exception for those (an exception costs far more than a stat).
      if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) continue
      accessSync(candidate, constants.X_OK)
      found = candidate
      break
    } catch {
      // not here, or not executable
    }
  }
  gitOnPath = { path: found, for: PATH }
  return found
}

/** git's refusal in words: no repository, no such commit, or not allowed to look. */
function whyNot(stderr: string, at: string): string {
  if (/not a git repository/i.test(stderr)) return 'the workspace is not a git checkout'
  if (/dubious ownership/i.test(stderr)) {
    return 'git refuses to read the workspace (owned by another user: safe.directory)'
  }
  if (/not a valid object name|not a tree object|bad object|missing/i.test(stderr)) {
    return `the workspace's git history does not hold ${at} (a shallow clone of another ref, or another repository)`
  }
  return `git could not read ${at}: ${stderr.trim().split('\n')[0]?.slice(0, 200) ?? 'no message'}`
}
