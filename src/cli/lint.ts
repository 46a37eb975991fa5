// `ghcr-preflight lint`: the file-system edge. Finds the repository root (`--root`, else the git
// root, else the current folder), collects workflow files from the given paths, reads them and the
// files they refer to (called workflows, local actions, .goreleaser.yml), and hands the texts to
// the pure lintWorkflows. Paths in findings are relative to the repository root, as code
// scanning expects; `--fix` writes the permission fixes back.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import { applyPermissionFixes, fixesFor, permissionPatch } from '../workflow/fix.js'
import {
  lintWorkflows,
  sortFindings,
  type JobJudgement,
  type LintInput,
} from '../workflow/lint-files.js'
import { MAX_WORKFLOW_CHARS } from '../workflow/parse.js'
import type { RepoFiles } from '../workflow/pushers.js'

export { lintFiles, type LintInput, type LintOptions } from '../workflow/lint-files.js'

export const DEFAULT_WORKFLOW_DIR = '.github/workflows'

/** Bigger than any workflow; a file this size is refused before it is read. */
const MAX_FILE_BYTES = MAX_WORKFLOW_CHARS * 4

export interface LintRun {
  findings: Finding[]
  /** How many workflow files were looked at. */
  files: number
  /** The repository root the finding paths are relative to (absolute). */
  root: string
  /** Each linted file's finding path → its absolute path. */
  absolute: Map<string, string>
  jobs: JobJudgement[]
  /** With --diff: the patch; with --fix: what was written and what could not be. */
  patch?: string
  fixed?: Array<{ file: string; jobs: string[] }>
  notFixed?: Array<{ file: string; job: string; reason: string }>
}

export type LintOutcome = { ok: true; run: LintRun } | { ok: false; error: string }

export interface RunLintOptions {
  place: Place
  owner?: string
  /** --root, relative to cwd or absolute. */
  root?: string
  fix?: boolean
  diff?: boolean
}

export function runLint(paths: string[], cwd: string, options: RunLintOptions): LintOutcome {
  const root = options.root ? resolve(cwd, options.root) : (gitRoot(cwd) ?? cwd)
  if (options.root && !isDirectory(root)) {
    return { ok: false, error: `--root ${options.root} is not a folder` }
  }
  // No paths: this folder's .github/workflows, else the repository's (run from a sub-folder).
  const defaultPaths =
    paths.length === 0 &&
    !isDirectory(join(cwd, DEFAULT_WORKFLOW_DIR)) &&
    isDirectory(join(root, DEFAULT_WORKFLOW_DIR))
      ? [join(root, DEFAULT_WORKFLOW_DIR)]
      : paths
  const collected = collectWorkflowFiles(defaultPaths, cwd)
  if (!collected.ok) return collected
  const repoFiles = new RepositoryFiles(root)
  const read = () => {
    const inputs: LintInput[] = []
    const problems: Finding[] = []
    for (const abs of collected.files) {
      const path = toRepoPath(root, cwd, abs)
      const r = readWorkflow(abs)
      if ('text' in r) inputs.push({ path, text: r.text })
      else {
        problems.push(
          makeFinding('workflow-unreadable', options.place, {
            message: `${path} could not be read: ${r.problem}`,
            severity: 'error',
            file: path,
            details: { file: path },
          }),
        )
      }
    }
    return { inputs, problems }
  }
  const lint = (inputs: LintInput[]) =>
    lintWorkflows(inputs, {
      place: options.place,
      ...(options.owner ? { owner: options.owner } : {}),
      files: repoFiles,
      root: '',
    })

  let { inputs, problems } = read()
  let result = lint(inputs)
  const run: LintRun = {
    findings: [],
    files: collected.files.length,
    root,
    absolute: new Map(collected.files.map((abs) => [toRepoPath(root, cwd, abs), abs])),
    jobs: result.jobs,
  }
  if (options.diff) {
    run.patch = inputs
      .map((i) =>
        permissionPatch(i.text, result.findings, i.path, { registry: options.place.registry }),
      )
      .join('')
  }
  if (options.fix) {
    run.fixed = []
    run.notFixed = []
    for (const input of inputs) {
      const fixes = fixesFor(result.findings, input.path)
      if (fixes.length === 0) continue
      const outcome = applyPermissionFixes(input.text, fixes, {
        registry: options.place.registry,
      })
      for (const s of outcome.skipped) run.notFixed.push({ file: input.path, ...s })
      if (outcome.text === input.text) continue
      writeFileSync(run.absolute.get(input.path) ?? join(root, input.path), outcome.text)
      run.fixed.push({ file: input.path, jobs: outcome.fixed })
    }
    if (run.fixed.length > 0) {
      // What is left after the fix is what the user still has to look at.
      ;({ inputs, problems } = read())
      result = lint(inputs)
      run.jobs = result.jobs
    }
  }
  run.findings = sortFindings([...problems, ...result.findings])
  return { ok: true, run }
}

/** Files and folders → workflow file paths (absolute, sorted). A missing path, or none found, is a usage error. */
export function collectWorkflowFiles(
  paths: string[],
  cwd: string,
): { ok: true; files: string[] } | { ok: false; error: string } {
  const given = paths.length ? paths : [DEFAULT_WORKFLOW_DIR]
  const out = new Set<string>()
  for (const p of given) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p)
    let isDir: boolean
    try {
      isDir = statSync(abs).isDirectory()
    } catch {
      return {
        ok: false,
        error:
          paths.length === 0
            ? `no ${DEFAULT_WORKFLOW_DIR} folder in ${cwd}; give the workflow files or folders to check`
            : `path not found: ${p}`,
      }
    }
    if (!isDir) {
      out.add(abs)
      continue
    }
    // A repository root: its workflows live in .github/workflows.
    const nested = join(abs, '.github', 'workflows')
    const dir = isDirectory(nested) ? nested : abs
    for (const name of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/i.test(name)) continue
      const file = join(dir, name)
      if (!isDirectory(file)) out.add(file)
    }
  }
  if (out.size === 0) {
    return {
      ok: false,
      error: `no workflow files (*.yml, *.yaml) in ${given.join(', ')}; give the workflow files or folders to check`,
    }
  }
  return { ok: true, files: [...out].sort() }
}

/** The nearest folder above `start` (or itself) that holds `.git` (a folder, or a worktree's file). */
export function gitRoot(start: string): string | undefined {
  let dir = resolve(start)
  for (let i = 0; i < 100; i++) {
    try {
      statSync(join(dir, '.git'))
      return dir
    } catch {
      const up = dirname(dir)
      if (up === dir) return undefined
      dir = up
    }
  }
  return undefined
}

/** Repository files by root-relative POSIX path, read at most once each. */
class RepositoryFiles implements RepoFiles {
  private readonly cache = new Map<string, string | undefined>()

  constructor(private readonly root: string) {}

  read(path: string): string | undefined {
    if (!this.cache.has(path)) {
      const abs = resolve(this.root, ...path.split('/'))
      // Only inside the repository.
      const rel = relative(this.root, abs)
      const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
      const r = inside ? readWorkflow(abs) : undefined
      this.cache.set(path, r && 'text' in r ? r.text : undefined)
    }
    return this.cache.get(path)
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

function readWorkflow(abs: string): { text: string } | { problem: string } {
  try {
    const stat = statSync(abs)
    if (stat.isDirectory()) return { problem: 'it is a folder' }
    // Checked before reading: a huge file is not a workflow and would only cost memory.
    if (stat.size > MAX_FILE_BYTES) {
      return { problem: `it is ${stat.size} bytes, far over the size of any workflow file` }
    }
    const bytes = readFileSync(abs)
    if (bytes.includes(0)) return { problem: 'it is a binary file (it holds NUL bytes), not YAML' }
    return { text: bytes.toString('utf8') }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return {
      problem: code ? `${code} (${(e as Error).message.split(',')[0]})` : (e as Error).message,
    }
  }
}

/**
 * The path findings use: relative to the repository root with POSIX separators; a file outside
 * the root keeps its path relative to the current folder.
 */
export function toRepoPath(root: string, cwd: string, abs: string): string {
  const fromRoot = relative(root, abs)
  const rel =
    fromRoot && !fromRoot.startsWith('..') && !isAbsolute(fromRoot)
      ? fromRoot
      : relative(cwd, abs) || abs
  return sep === '/' ? rel : rel.split(sep).join('/')
}

/** Path relative to the current folder with POSIX separators, for the text output. */
export function toRelative(cwd: string, abs: string): string {
  const rel = relative(cwd, abs) || abs
  return sep === '/' ? rel : rel.split(sep).join('/')
}
