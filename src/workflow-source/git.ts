// Reading the running workflow file at its commit (GITHUB_WORKFLOW_SHA) from the git history in
// the workspace. The files on disk are not enough: a pull_request_target or workflow_run job may
// check out another ref, a job may check out another repository into the workspace root, and a
// step may edit files. A commit id names its content, so a checkout holding that commit gives
// the running file whatever is checked out; anything else (no git, a shallow clone of another
// ref, another repository) is `unavailable` and the caller asks the contents API instead.
//
// Two git processes, started together: `ls-tree` (the commit is there; the path is a regular file
// of what size) and `cat-file blob <commit>:<path>` (its bytes, read up to the size limit). The
// listing decides: the bytes are used only for a regular file under the limit, so a symbolic
// link, a folder, a submodule or an oversized file is judged exactly as before; cat-file is
// stopped at the limit and never holds more than it. Started together, the two cost one wait
// instead of two, and the entry point can start both before the action is even loaded.
//
// git runs through child_process.spawn, not @actions/exec: the same safety (an absolute path to
// git found on PATH, arguments as an array, no shell, a timeout) with output capped and the
// process killed when it passes the cap, which exec cannot do; and a static run's start-up does
// not load exec, @actions/io and Node's assert (docs/benchmarks.md has the measurements).

import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import type { Readable } from 'node:stream'

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
  const listing = git(
    o.workspace,
    ['--literal-pathspecs', 'ls-tree', '-l', '--full-tree', `${sha}^{commit}`, '--', o.path],
    MAX_LISTING_BYTES,
  )
  // <commit>:<path> names the same object the listing shows (the path is normalised: no `./`,
  // no `..`, which git would read relative to the current folder).
  const content = git(o.workspace, ['cat-file', 'blob', `${sha}:${o.path}`], o.maxBytes)
  const listed = await listing
  if ('why' in listed) return { kind: 'unavailable', why: listed.why }
  if (listed.exitCode !== 0) return { kind: 'unavailable', why: whyNot(listed.stderr, at) }
  // "<mode> <type> <object> <size>\t<path>"; nothing when the commit has no such path.
  const entry = /^(\d{6}) (\w+) ([0-9a-f]+)\s+(\d+|-)\t/.exec(listed.stdout)
  if (!entry) {
    return { kind: 'not-in-commit', problem: `${o.path} is not in ${at} (GITHUB_WORKFLOW_SHA)` }
  }
  const [, mode, type, , size] = entry
  if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) {
    return {
      kind: 'not-in-commit',
      problem: `${o.path} in ${at} is a ${type === 'tree' ? 'folder' : mode === '120000' ? 'symbolic link' : type}, not a file`,
    }
  }
  if (Number(size) > o.maxBytes) return { kind: 'too-large', size: Number(size) }
  const blob = await content
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

/** Runs git in `workspace`; stdout is kept up to `maxStdout` bytes, and git is stopped past it. */
function git(workspace: string, args: string[], maxStdout: number): Promise<GitOutput> {
  const executable = findGit()
  if (!executable) return Promise.resolve({ why: 'git is not installed' })
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
  return new Promise((settle) => {
    let done = false
    const finish = (out: GitOutput) => {
      if (done) return
      done = true
      clearTimeout(timer)
      settle(out)
    }
    let child: ChildProcessByStdio<null, Readable, Readable>
    try {
      child = spawn(executable, ['-C', workspace, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      })
    } catch (e) {
      // Arguments Node refuses (a NUL byte), or no process could be created.
      settle({ why: `git could not run (${(e as Error).message.split('\n')[0]})` })
      return
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      finish({ why: `git did not answer within ${GIT_TIMEOUT_MS / 1000} s` })
    }, GIT_TIMEOUT_MS)
    timer.unref()
    const stdout: Buffer[] = []
    let stdoutBytes = 0
    let overLimit = false
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      if (overLimit) return
      if (stdoutBytes + chunk.length > maxStdout) {
        overLimit = true
        child.kill()
        return
      }
      stdout.push(chunk)
      stdoutBytes += chunk.length
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString('utf8')
    })
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(
        e.code === 'ENOENT'
          ? { why: 'git is not installed' }
          : { why: `git could not run (${e.message.split('\n')[0] ?? 'unknown error'})` },
      )
    })
    child.on('close', (code) => {
      finish({
        exitCode: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr,
        overLimit,
      })
    })
  })
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
