// Finding the text of the running workflow file: the workflow-file input (the checkout, else the
// contents API), else the file at the workflow's commit (GITHUB_WORKFLOW_SHA) from the git
// history in GITHUB_WORKSPACE, else the contents API at that commit (research §3.7). Never the
// checked-out file of another commit or repository. Without a known commit (no
// GITHUB_WORKFLOW_SHA), the checkout, else the API at GITHUB_WORKFLOW_REF's ref.
// An I/O edge: every problem comes back as a sentence, never a throw.

import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { RunContext } from '../context.js'
import type { GitHubApi } from '../github/api.js'
import { readFileAtCommit } from './git.js'
import { MAX_WORKFLOW_BYTES, normaliseWorkflowPath } from './path.js'

/**
 * Where the text came from: the checked-out file (when a commit is known, proven to be that
 * commit's), the workspace's git history at the commit (the checkout holds other content), the
 * contents API, or the workflow-file input (read as before: the checkout, else the API).
 */
export type LoadedWorkflow = {
  path: string
  text: string
  source: 'workspace' | 'git' | 'api' | 'input'
}
export type WorkflowLoad = LoadedWorkflow | { problem: string }

export interface LoadWorkflowOptions {
  ctx: RunContext
  /** The workflow-file input: a repository-relative path. */
  override?: string
  api?: GitHubApi
  /** The run's token, for the contents API (needs contents: read). */
  token?: string
}

/** Bounds for listRepositoryWorkflows: a repository with more is unusual, and the check is best-effort. */
export const MAX_LISTED_WORKFLOWS = 200
export const MAX_LISTED_TOTAL_BYTES = 16 * 1024 * 1024

export async function loadWorkflowFile(o: LoadWorkflowOptions): Promise<WorkflowLoad> {
  const { ctx } = o
  const fromInput = o.override !== undefined && o.override.trim() !== ''
  const wanted = fromInput ? o.override!.trim() : ctx.workflowPath
  if (!wanted) {
    return {
      problem:
        'GITHUB_WORKFLOW_REF is not set, so the running workflow file is unknown; set the ' +
        '`workflow-file` input to its path (e.g. .github/workflows/build.yml).',
    }
  }
  const path = normaliseWorkflowPath(wanted)
  if (typeof path !== 'string') return path

  let workspaceProblem: string | undefined
  if (!fromInput && ctx.workspace && ctx.workflowSha) {
    const atCommit = await readAtCommit(ctx.workspace, ctx.workflowSha, path)
    if (typeof atCommit !== 'string') return atCommit
    workspaceProblem = atCommit
  } else if (ctx.workspace) {
    const local = readInWorkspace(ctx.workspace, path)
    if ('text' in local)
      return { path, text: local.text, source: fromInput ? 'input' : 'workspace' }
    if (local.kind !== 'absent') return { problem: local.problem }
    workspaceProblem = `${path} is not in the workspace (the repository is not checked out there)`
  } else {
    workspaceProblem = 'GITHUB_WORKSPACE is not set'
  }

  if (!o.api || !o.token) {
    return {
      problem: `Could not read the workflow file ${path}: ${workspaceProblem}, and no token was given to fetch it.`,
    }
  }
  const ref = ctx.workflowSha ?? ctx.workflowRef
  const answer = await o.api.getWorkflowFile(ctx.repository, path, ref, o.token)
  if (answer.kind === 'ok') {
    if (Buffer.byteLength(answer.text) > MAX_WORKFLOW_BYTES) return { problem: tooLarge(path) }
    return { path, text: answer.text, source: fromInput ? 'input' : 'api' }
  }
  const at = `${ctx.repository}${ref ? `@${ref}` : ''}`
  let why: string
  if (answer.kind === 'not-found') why = `GitHub has no ${path} in ${at}`
  else if (answer.kind === 'unreachable' || answer.kind === 'bad-response') why = answer.reason
  else if (answer.status === 403 || answer.status === 401)
    why = `the token may not read repository contents (HTTP ${answer.status}); give the job \`contents: read\``
  else why = `HTTP ${answer.status}${answer.message ? ` "${answer.message}"` : ''}`
  return {
    problem: `Could not read the workflow file ${path}: ${workspaceProblem}, and the contents API failed: ${why}.`,
  }
}

/**
 * The running file at GITHUB_WORKFLOW_SHA from the workspace's git history (./git.ts), whatever
 * is checked out; or, when git cannot show that commit, why not (the caller asks the API).
 */
async function readAtCommit(
  workspace: string,
  sha: string,
  path: string,
): Promise<WorkflowLoad | string> {
  const read = await readFileAtCommit({ workspace, sha, path, maxBytes: MAX_WORKFLOW_BYTES })
  switch (read.kind) {
    case 'file': {
      // The checked-out copy, when it holds the same bytes, is the one the caller may have parsed.
      const local = readInWorkspace(workspace, path)
      const same = 'text' in local && local.text === read.text
      return { path, text: read.text, source: same ? 'workspace' : 'git' }
    }
    case 'not-in-commit':
      return { problem: `Could not read the workflow file ${path}: ${read.problem}.` }
    case 'too-large':
      return { problem: tooLarge(path, read.size) }
    case 'unavailable':
      return `${path} at commit ${sha.slice(0, 7)} is not in the workspace (${read.why})`
  }
}

type LocalRead = { text: string } | { kind: 'absent' } | { kind: 'problem'; problem: string }

function readInWorkspace(workspace: string, path: string): LocalRead {
  const root = resolve(workspace)
  const full = resolve(root, ...path.split('/'))
  if (!inside(root, full)) {
    return {
      kind: 'problem',
      problem: `The workflow file path "${path}" leaves the workspace; refused.`,
    }
  }
  try {
    lstatSync(full)
  } catch {
    return { kind: 'absent' }
  }
  try {
    // A symlink inside the checkout could point anywhere on the runner: follow it only if it stays inside.
    const real = realpathSync(full)
    if (!inside(realpathSync(root), real)) {
      return {
        kind: 'problem',
        problem: `The workflow file ${path} is a link to a file outside the workspace; refused.`,
      }
    }
    const st = statSync(real)
    if (!st.isFile())
      return { kind: 'problem', problem: `The workflow file path ${path} is not a file.` }
    if (st.size > MAX_WORKFLOW_BYTES) return { kind: 'problem', problem: tooLarge(path, st.size) }
    return { text: readFileSync(real, 'utf8') }
  } catch (e) {
    return {
      kind: 'problem',
      problem: `Could not read the workflow file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}.`,
    }
  }
}

function inside(root: string, full: string): boolean {
  const rel = relative(root, full)
  return rel === '' ? false : !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

function tooLarge(path: string, size?: number): string {
  return (
    `The workflow file ${path} is ${size !== undefined ? `${size} bytes` : 'larger than the limit'}; ` +
    `files over ${MAX_WORKFLOW_BYTES} bytes (1 MiB) are not analysed.`
  )
}

/**
 * The workflow files GitHub would read (`.github/workflows/*.yml|yaml`, not subfolders), sorted,
 * for checks that follow local reusable-workflow calls. Oversized, unreadable or escaping files
 * are skipped; the list stops at MAX_LISTED_WORKFLOWS files or MAX_LISTED_TOTAL_BYTES in all.
 */
export function listRepositoryWorkflows(workspace: string): { path: string; text: string }[] {
  const root = resolve(workspace)
  const dir = join(root, '.github', 'workflows')
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  let realRoot: string
  try {
    realRoot = realpathSync(root)
  } catch {
    return []
  }
  const out: { path: string; text: string }[] = []
  let total = 0
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    if (out.length >= MAX_LISTED_WORKFLOWS) break
    try {
      const real = realpathSync(join(dir, name))
      if (!inside(realRoot, real)) continue
      const st = statSync(real)
      if (!st.isFile() || st.size > MAX_WORKFLOW_BYTES || total + st.size > MAX_LISTED_TOTAL_BYTES)
        continue
      total += st.size
      out.push({ path: `.github/workflows/${name}`, text: readFileSync(real, 'utf8') })
    } catch {
      // Unreadable entry (broken link, permissions): skip; the check is best-effort.
    }
  }
  return out
}
