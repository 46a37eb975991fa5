// `ghcr-preflight lint`: the file-system edge. Collects workflow files from the given paths, reads
// them, and hands the texts to the pure lintFiles.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import { lintFiles, sortFindings, type LintInput } from '../workflow/lint-files.js'
import { MAX_WORKFLOW_CHARS } from '../workflow/parse.js'

export { lintFiles, type LintInput, type LintOptions } from '../workflow/lint-files.js'

export const DEFAULT_WORKFLOW_DIR = '.github/workflows'

export interface LintRun {
  findings: Finding[]
  /** How many workflow files were looked at. */
  files: number
}

export type LintOutcome = { ok: true; run: LintRun } | { ok: false; error: string }

export function runLint(paths: string[], cwd: string, place: Place, owner?: string): LintOutcome {
  const collected = collectWorkflowFiles(paths, cwd)
  if (!collected.ok) return collected
  const inputs: LintInput[] = []
  const findings: Finding[] = []
  for (const abs of collected.files) {
    const path = toRelative(cwd, abs)
    const read = readWorkflow(abs)
    if ('text' in read) inputs.push({ path, text: read.text })
    else {
      findings.push(
        makeFinding('workflow-unreadable', place, {
          message: `${path} could not be read: ${read.problem}`,
          file: path,
          details: { file: path },
        }),
      )
    }
  }
  findings.push(...lintFiles(inputs, { place, ...(owner ? { owner } : {}) }))
  return { ok: true, run: { findings: sortFindings(findings), files: collected.files.length } }
}

/** Files and folders → workflow file paths (absolute, sorted). A missing path is a usage error. */
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
  return { ok: true, files: [...out].sort() }
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
    const size = statSync(abs).size
    // Checked before reading: a huge file is not a workflow and would only cost memory.
    if (size > MAX_WORKFLOW_CHARS * 4)
      return { problem: `it is ${size} bytes, far over the size of any workflow file` }
    return { text: readFileSync(abs, 'utf8') }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return {
      problem: code ? `${code} (${(e as Error).message.split(',')[0]})` : (e as Error).message,
    }
  }
}

/** Path relative to the current folder with POSIX separators, as findings and SARIF expect. */
export function toRelative(cwd: string, abs: string): string {
  const rel = relative(cwd, abs) || abs
  return sep === '/' ? rel : rel.split(sep).join('/')
}
