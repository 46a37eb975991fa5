// Reading the running workflow file at its commit (GITHUB_WORKFLOW_SHA) from the git history in
// the workspace. The files on disk are not enough: a pull_request_target or workflow_run job may
// check out another ref, a job may check out another repository into the workspace root, and a
// step may edit files. A commit id names its content, so a checkout holding that commit gives
// the running file whatever is checked out; anything else (no git, a shallow clone of another
// ref, another repository) is `unavailable` and the caller asks the contents API instead.
//
// Two git processes: `ls-tree` (the commit is there; the path is a regular file of what size),
// then `cat-file blob` for a file under the size limit.

import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { getExecOutput } from '@actions/exec'

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

export async function readFileAtCommit(o: {
  workspace: string
  sha: string
  path: string
  maxBytes: number
}): Promise<GitRead> {
  const sha = o.sha.toLowerCase()
  if (!COMMIT_SHA.test(sha)) return { kind: 'unavailable', why: `"${o.sha}" is not a commit SHA` }
  // No repository at the workspace root (no checkout, a download, checkout into a subfolder):
  // nothing to ask git.
  if (!existsSync(join(o.workspace, '.git'))) {
    return { kind: 'unavailable', why: 'the workspace is not a git checkout' }
  }
  const at = `commit ${sha.slice(0, 7)}`
  const listed = await git(o.workspace, [
    '--literal-pathspecs',
    'ls-tree',
    '-l',
    '--full-tree',
    `${sha}^{commit}`,
    '--',
    o.path,
  ])
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
  const blob = await git(o.workspace, ['cat-file', 'blob', object!])
  if ('why' in blob) return { kind: 'unavailable', why: blob.why }
  if (blob.exitCode !== 0) return { kind: 'unavailable', why: whyNot(blob.stderr, at) }
  return { kind: 'file', text: blob.stdout }
}

type GitOutput = { exitCode: number; stdout: string; stderr: string } | { why: string }

async function git(workspace: string, args: string[]): Promise<GitOutput> {
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
  let timer: NodeJS.Timeout | undefined
  const slow = new Promise<GitOutput>((resolve) => {
    timer = setTimeout(
      () => resolve({ why: `git did not answer within ${GIT_TIMEOUT_MS / 1000} s` }),
      GIT_TIMEOUT_MS,
    )
    timer.unref()
  })
  const executable = findGit()
  if (!executable) return { why: 'git is not installed' }
  try {
    return await Promise.race([
      getExecOutput(executable, ['-C', workspace, ...args], {
        silent: true,
        ignoreReturnCode: true,
        env,
      }),
      slow,
    ])
  } catch (e) {
    // @actions/exec throws when it cannot start git at all.
    return /Unable to locate executable/i.test(String((e as Error)?.message))
      ? { why: 'git is not installed' }
      : { why: `git could not run (${(e as Error)?.message?.split('\n')[0] ?? 'unknown error'})` }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * git's absolute path, found on PATH once. @actions/exec would otherwise look it up for every
 * call, one asynchronous stat per PATH entry (a GitHub-hosted runner has about fifteen); with an
 * absolute path it checks that one file. Windows keeps exec's own lookup (PATHEXT).
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
      if (!statSync(candidate).isFile()) continue
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
