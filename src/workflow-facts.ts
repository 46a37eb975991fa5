// What the workflow files say about this run: the running job's packages permission (with the
// line to annotate), whether the preflight step configures a fallback token, the patch that
// fixes the permission (for the job summary), the image references the job pushes and whether
// the workflow lower-cases them, and the reusable-workflow permission ceilings of the
// repository's own workflows (as warnings: a run that got this far is not the one that dies at
// start-up, but another may be).

import { packagesVerdict } from './workflow/permissions.js'
import type { RunContext } from './context.js'
import { makeFinding } from './findings/catalogue.js'
import type { Finding, Place } from './findings/types.js'
import type { GitHubApi } from './github/api.js'
import type { PushNameFacts } from './image/push-names.js'
import { pushNameFacts } from './image/push-names-from-workflow.js'
import type { Inputs } from './inputs.js'
import type { Check } from './report/types.js'
import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { analyseRunningJob, findPreflightSteps } from './workflow/analyse.js'
import { permissionPatch } from './workflow/fix.js'
import type { ParseResult } from './workflow/model.js'
import { MAX_WORKFLOW_CHARS, parseWorkflow } from './workflow/parse.js'
import {
  findPushes,
  isLocalPreflight,
  readLocalAction,
  type RepoFiles,
} from './workflow/pushers.js'
import { checkReusableCeilings, rootOfPath } from './workflow/reusable.js'
import { listRepositoryWorkflows, loadWorkflowFile } from './workflow-source/load.js'

export interface WorkflowFacts {
  findings: Finding[]
  checks: Check[]
  /** The running job's packages permission as the file states it. */
  packages: 'write' | 'not-write' | 'unknown'
  /** The preflight step passes a `fallback-token` input (whatever its value in this run). */
  fallbackConfigured: boolean
  fallbackAt?: { file: string; line?: number; column?: number }
  /**
   * A unified diff that gives the running job the permission it lacks (the same edit
   * `ghcr-preflight lint --fix` makes), for the job summary; absent when nothing to fix.
   */
  permissionPatch?: string
  /** The running job's push names (issue 9 item 4); absent when the job could not be read. */
  pushNames?: PushNameFacts
}

export interface AnalyseWorkflowOptions {
  inputs: Inputs
  ctx: RunContext
  api: GitHubApi
  place: Place
  registry: string
}

export async function analyseWorkflow(o: AnalyseWorkflowOptions): Promise<WorkflowFacts> {
  const { ctx, place } = o
  const facts: WorkflowFacts = {
    findings: [],
    checks: [],
    packages: 'unknown',
    fallbackConfigured: false,
  }
  const parsedInRepository = new Map<string, ParseResult>()
  const files = ctx.workspace ? workspaceFiles(ctx.workspace) : undefined
  // Parsed while git reads the running file at its commit (the loader below awaits it).
  const ceilings = ceilingWarnings(ctx, place, parsedInRepository, files)

  const loaded = await loadWorkflowFile({
    ctx,
    ...(o.inputs.workflowFile ? { override: o.inputs.workflowFile } : {}),
    api: o.api,
    token: o.inputs.githubToken,
  })
  // The ceilings describe the checkout's workflows: only worth saying when the checkout is the
  // running commit (its copy of the running file is the commit's). Another ref or another
  // repository checked out (pull_request_target heads, a deploy job's configuration repository)
  // has workflows GitHub does not run here.
  const checkoutIsRunning =
    !('problem' in loaded) && (loaded.source === 'workspace' || loaded.source === 'input')
  if (checkoutIsRunning) facts.findings.push(...ceilings)
  if ('problem' in loaded) {
    facts.findings.push(makeFinding('workflow-unreadable', place, { message: loaded.problem }))
    facts.checks.push({ name: 'workflow permissions', status: 'skip', detail: loaded.problem })
    return facts
  }
  // The running file was usually parsed for the ceiling check already.
  const parsed =
    loaded.source === 'workspace'
      ? (parsedInRepository.get(loaded.path) ?? parseWorkflow(loaded.text, loaded.path))
      : parseWorkflow(loaded.text, loaded.path)
  if (!parsed.ok) {
    facts.findings.push(
      makeFinding('workflow-unreadable', place, {
        message: `${loaded.path} could not be parsed: ${parsed.message}`,
        file: loaded.path,
        ...(parsed.line ? { line: parsed.line } : {}),
        ...(parsed.column ? { column: parsed.column } : {}),
      }),
    )
    facts.checks.push({
      name: 'workflow permissions',
      status: 'fail',
      detail: `${loaded.path} does not parse`,
    })
    return facts
  }
  if (!ctx.job) {
    facts.checks.push({
      name: 'workflow permissions',
      status: 'skip',
      detail: 'GITHUB_JOB is not set',
    })
    return facts
  }
  const analysis = analyseRunningJob(parsed.workflow, ctx.job, place, loaded.path)
  facts.findings.push(...analysis.findings)
  // Extras for the summary and the image check: they must never cost the run its verdict.
  const patch = bestEffort(() =>
    permissionPatch(loaded.text, analysis.findings, loaded.path, { registry: o.registry }),
  )
  if (patch) facts.permissionPatch = patch
  const p = analysis.packages
  if (p) {
    facts.packages = packagesVerdict(p)
    facts.checks.push({
      name: 'workflow permissions',
      status:
        facts.packages === 'write' ? 'pass' : facts.packages === 'not-write' ? 'fail' : 'warn',
      detail: `job "${ctx.job}" in ${loaded.path} (${loaded.source}): ${p.raw}`,
    })
  } else {
    facts.checks.push({
      name: 'workflow permissions',
      status: 'skip',
      detail: `job "${ctx.job}" is not in ${loaded.path}`,
    })
  }
  if (analysis.job) {
    const pushOptions = {
      root: rootOfPath(loaded.path),
      ...(files ? { files } : {}),
    }
    const job = analysis.job
    // One push analysis of the running job: the names it pushes, its logins, its evidence.
    const pushes = bestEffort(() => findPushes(parsed.workflow, job, o.registry, pushOptions))
    if (pushes) {
      facts.pushNames = pushNameFacts(parsed.workflow, job, loaded.path, o.registry, pushes)
    }
    const isThisAction = (path: string) => isLocalPreflight(readLocalAction(path, pushOptions))
    const step = findPreflightSteps(analysis.job, isThisAction).find((s) => s.fallbackConfigured)
    if (step) {
      facts.fallbackConfigured = true
      const at = step.fallbackToken?.key ?? step.uses
      facts.fallbackAt = { file: loaded.path, line: at.line, column: at.column }
    }
  }
  return facts
}

function ceilingWarnings(
  ctx: RunContext,
  place: Place,
  parsed: Map<string, ParseResult>,
  repoFiles: RepoFiles | undefined,
): Finding[] {
  if (!ctx.workspace) return []
  const files = listRepositoryWorkflows(ctx.workspace).flatMap((f) => {
    // Parsing a repository's other workflows was most of a run's start-up (20 of them: +40 ms),
    // and only a file calling a reusable workflow can exceed a ceiling (callees are read when a
    // caller names them). The running file is parsed either way: the analysis below reuses it.
    if (f.path !== ctx.workflowPath && !mayCallReusableWorkflow(f.text)) return []
    const result = parseWorkflow(f.text, f.path)
    parsed.set(f.path, result)
    return result.ok ? [{ path: f.path, model: result.workflow }] : []
  })
  if (files.length === 0) return []
  // This run started, so its own workflow passed GitHub's start-up check; others may not.
  return checkReusableCeilings(files, place, repoFiles ? { files: repoFiles } : {}).map((f) =>
    f.severity === 'error' ? { ...f, severity: 'warning' } : f,
  )
}

/**
 * False only when the text cannot hold a job calling a reusable workflow: GitHub keeps every one
 * under .github/workflows/, named in a `uses:` value (plain, quoted or in a flow map) or, through
 * an alias, anywhere else in the file.
 */
export function mayCallReusableWorkflow(text: string): boolean {
  if (!text.includes('.github/workflows/')) return false
  return CALLS_WORKFLOW.test(text) || HAS_ALIAS.test(text)
}
const CALLS_WORKFLOW = /\buses["']?\s*:\s*["']?[^\s"'#,}\]]*\.github\/workflows\//
/** An alias node (`*name` as a value, a list item or in a flow collection), not a glob or cron. */
const HAS_ALIAS = /(?:^|[[{,]|[:-]\s)\s*\*[\w.-]+\s*(?:$|[,\]}#])/m

function bestEffort<T>(f: () => T): T | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** Files of the checked-out repository by repository-relative path (local actions, callees, tool configs). */
function workspaceFiles(workspace: string): RepoFiles {
  const root = resolve(workspace)
  const cache = new Map<string, string | undefined>()
  return {
    read(path) {
      if (!cache.has(path)) {
        const abs = resolve(root, ...path.split('/'))
        const rel = relative(root, abs)
        let text: string | undefined
        if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
          try {
            if (statSync(abs).size <= MAX_WORKFLOW_CHARS) text = readFileSync(abs, 'utf8')
          } catch {
            text = undefined
          }
        }
        cache.set(path, text)
      }
      return cache.get(path)
    },
  }
}
