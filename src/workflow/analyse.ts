// Permission findings for one job, and the lookups the action needs about the job it runs in.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import type { JobModel, Pos, ScalarValue, StepModel, WorkflowModel } from './model.js'
import { isPublishedPreflight, localActionPath, type PushEvidence } from './pushers.js'
import { allowedLevels } from './permission-scopes.js'
import { effectivePermission, type EffectivePermission } from './permissions.js'

export interface PermissionFindingOptions {
  /** What shows the job pushes (or may push): listed in the message and as related locations. */
  evidence?: PushEvidence[]
  /** `likely-push`: the need for write is only likely (severity warning, with the reason). */
  likelyReason?: string
  /** Scopes the job needs besides packages: write (a called workflow's requests). */
  extraScopes?: Record<string, 'read' | 'write'>
}

export interface RunningJobAnalysis {
  jobFound: boolean
  job?: JobModel
  /** The job's effective `packages` permission (absent when the job is not in the file). */
  packages?: EffectivePermission
  findings: Finding[]
}

/**
 * Analyses the job the action runs in. A job id that is not in the file is reported, never guessed:
 * inside a reusable workflow GITHUB_WORKFLOW_REF names the caller's file while GITHUB_JOB is the
 * called job's id.
 */
export function analyseRunningJob(
  model: WorkflowModel,
  jobId: string,
  place: Place,
  file: string,
): RunningJobAnalysis {
  const job = model.jobs.find((j) => j.id === jobId)
  if (!job) {
    const defined = model.jobs.map((j) => `"${j.id}"`).join(', ')
    return {
      jobFound: false,
      findings: [
        makeFinding('workflow-job-not-found', place, {
          message:
            `job "${jobId}" is not defined in ${file}` +
            (defined ? ` (it defines ${defined})` : ' (it defines no jobs)') +
            '. This happens when the step runs inside a reusable workflow: GITHUB_WORKFLOW_REF names the calling workflow file, while GITHUB_JOB is the id of the job in the called workflow. ' +
            "The job's permissions were not checked from the file; the registry probe still tells whether the token can push",
          severity: 'notice',
          file,
          ...(model.jobsPos ? { line: model.jobsPos.line, column: model.jobsPos.column } : {}),
          details: { job: jobId, file },
        }),
      ],
    }
  }
  if (job.uses) {
    // A job that calls a reusable workflow runs no steps of its own: this step runs inside the
    // called workflow, whose job merely shares the id. Analysing the caller would be a guess.
    return {
      jobFound: false,
      findings: [
        makeFinding('workflow-job-not-found', place, {
          message:
            `job "${jobId}" in ${file} calls the reusable workflow ${job.uses.value}, so this step runs inside that workflow, not in ${file}. ` +
            "The job's permissions were not checked from the file; the registry probe still tells whether the token can push",
          fix: [
            'Run `npx ghcr-preflight lint` on the repository to check the calling job grants `packages: write` (the reusable-workflow ceiling)',
          ],
          file,
          line: job.pos.line,
          column: job.pos.column,
          details: { job: jobId },
        }),
      ],
    }
  }
  const packages = effectivePermission(model, job)
  return { jobFound: true, job, packages, findings: permissionFindings(model, job, place, file) }
}

/** packages-permission-missing / -undeclared for a job that needs to push. */
export function permissionFindings(
  model: WorkflowModel,
  job: JobModel,
  place: Place,
  file: string,
  options: PermissionFindingOptions = {},
): Finding[] {
  const eff = effectivePermission(model, job)
  const at = (p: Pos) => ({ file, line: p.line, column: p.column })
  // specificFix: the steps below already give the exact YAML, so the catalogue adds only its notes.
  const details = { job: job.id, file, level: eff.level, value: eff.value, specificFix: 'yes' }
  if (eff.value === 'write' || eff.level === 'caller') return []
  const evidence = options.evidence ?? []
  const related = evidence.map((e) => ({
    file,
    line: e.line,
    column: e.column,
    message: e.description,
  }))
  const likely = options.likelyReason !== undefined
  const permissionFix = {
    job: job.id,
    scopes: { ...(options.extraScopes ?? {}), packages: 'write' as const },
    ...(likely ? { likely: true } : {}),
  }
  const shared = {
    ...(related.length ? { related } : {}),
    ...(likely ? { severity: 'warning' as const } : {}),
    permissionFix,
    details,
  }
  if (eff.level === 'default') {
    return [
      makeFinding('packages-permission-undeclared', place, {
        message: undeclaredMessage(job, place.registry, evidence, options.likelyReason),
        fix: [
          ...(likely ? [`Check whether it pushes: ${options.likelyReason}`] : []),
          `Add a permissions block to job "${job.id}" (it applies to this job only; \`ghcr-preflight lint --fix\` writes it):\n` +
            jobBlockYaml(job, suggestedScopes(job, undefined, options.extraScopes), place.registry),
        ],
        ...at(job.pos),
        ...shared,
      }),
    ]
  }
  const because = evidence.length
    ? likely
      ? `; ${options.likelyReason}`
      : `; it pushes to ${place.registry}: ${evidenceList(evidence)}`
    : ''
  const message =
    eff.value === 'invalid'
      ? `job "${job.id}" has an invalid permissions value: ${eff.reason}; GitHub rejects the workflow file${because}`
      : `job "${job.id}" ${eff.level === 'job' ? 'sets permissions' : "inherits the workflow's permissions"} without packages: write ` +
        `(packages is "${eff.value}" because ${eff.reason})${because}`
  return [
    makeFinding('packages-permission-missing', place, {
      message,
      fix: missingFix(job, eff, place.registry, options.extraScopes),
      ...at(eff.location),
      ...shared,
    }),
  ]
}

/** The undeclared message, kept short (the fix and `explain` say the rest). */
function undeclaredMessage(
  job: JobModel,
  registry: string,
  evidence: PushEvidence[],
  likelyReason: string | undefined,
): string {
  const tail =
    'so its token gets the repository default, read-only for repositories created since February 2023'
  if (likelyReason !== undefined) {
    return `job "${job.id}" may push to ${registry} (${linesText(evidence)}) and declares no permissions, ${tail}`
  }
  if (evidence.length === 0) {
    return `job "${job.id}" declares no permissions and neither does the workflow, ${tail}`
  }
  return `job "${job.id}" pushes to ${registry} (${linesText(evidence)}) and declares no permissions, ${tail}`
}

/** "line 14" / "lines 12, 14 and 20". */
function linesText(evidence: PushEvidence[]): string {
  const lines = [...new Set(evidence.map((e) => e.line))].sort((a, b) => a - b)
  if (lines.length === 1) return `line ${lines[0]}`
  const shown = lines.slice(0, 6)
  const more = lines.length > shown.length ? ` and ${lines.length - shown.length} more` : ''
  return `lines ${shown.slice(0, -1).join(', ')}${more ? ', ' : ' and '}${shown[shown.length - 1]}${more}`
}

/** Every piece of evidence, in file order: "docker push at line 14; docker/login-action … at line 9". */
export function evidenceList(evidence: PushEvidence[]): string {
  return evidence.map((e) => e.description).join('; ')
}

function missingFix(
  job: JobModel,
  eff: EffectivePermission,
  registry: string,
  extraScopes?: Record<string, 'read' | 'write'>,
): string[] {
  const block = eff.block!
  const line = eff.location.line
  const steps: string[] = []
  const ownBlock = jobBlockYaml(job, suggestedScopes(job, block, extraScopes), registry)
  if (eff.level === 'workflow') {
    steps.push(
      `Give job "${job.id}" its own permissions block (a job block replaces the workflow's block, so repeat the scopes the job needs):\n${ownBlock}`,
    )
    steps.push(
      eff.scopeKey
        ? `Or change "${eff.raw}" at line ${line} to "packages: write" (this grants write to every job in the file that has no block of its own)`
        : `Or add "packages: write" to the workflow's permissions block at line ${line} (this grants write to every job in the file that has no block of its own)`,
    )
  } else if (block.alias) {
    // `permissions: *anchor` cannot be edited in place: give the job its own block.
    steps.push(
      `Replace "permissions: *${block.alias.anchor}" at line ${line} with a block of the job's own:\n${ownBlock}`,
    )
  } else if (eff.scopeKey) {
    steps.push(
      eff.value === 'invalid'
        ? `Change "${eff.raw}" at line ${line} to "packages: write" (allowed values: read, write, none)`
        : `Change "${eff.raw}" at line ${line} to:\n    packages: write # to push to ${registry}`,
    )
  } else if (block.kind === 'map') {
    steps.push(
      `Add "packages: write" to the permissions block of job "${job.id}" at line ${line}:\n${ownBlock}`,
    )
  } else {
    steps.push(
      `Replace "${eff.raw}" at line ${line} with a list of scopes (read-all and write-all cannot be combined with single scopes):\n${ownBlock}`,
    )
  }
  if (block.alias) {
    steps.push(
      `Or add "packages: write" to the anchored block &${block.alias.anchor} at line ${block.alias.at.line} (every job that uses *${block.alias.anchor} then gets it)`,
    )
  }
  return steps
}

/** The scopes to keep in a suggested block: the ones already listed (valid values only), else contents: read. */
function suggestedScopes(
  job: JobModel,
  block: EffectivePermission['block'],
  extraScopes: Record<string, 'read' | 'write'> = {},
): Array<[string, string]> {
  const out: Array<[string, string]> = []
  if (block?.kind === 'map') {
    for (const [scope, entry] of block.scopes) {
      if (scope === 'packages') continue
      const extra = extraScopes[scope]
      const value =
        extra === 'write' || (extra === 'read' && entry.value === 'none') ? extra : entry.value
      // Only what GitHub accepts: a suggested block must not carry a typo along.
      if ((allowedLevels(scope) as readonly string[] | undefined)?.includes(value)) {
        out.push([scope, value])
      }
    }
  }
  for (const [scope, value] of Object.entries(extraScopes)) {
    if (scope !== 'packages' && !out.some(([s]) => s === scope)) out.push([scope, value])
  }
  const listed = block?.kind === 'map' && block.scopes.size > 0
  if (!listed && !out.some(([s]) => s === 'contents') && needsContents(job)) {
    out.unshift(['contents', 'read'])
  }
  return out
}

/** actions/checkout needs contents: read; a job without steps (or without checkout) may not. */
function needsContents(job: JobModel): boolean {
  return (
    job.steps.length === 0 ||
    job.steps.some((s) => /^actions\/checkout@/i.test(s.uses?.value ?? ''))
  )
}

export function jobBlockYaml(
  job: Pick<JobModel, 'id'>,
  scopes: Array<[string, string]>,
  registry: string,
): string {
  const lines = ['jobs:', `  ${job.id}:`, '    permissions:']
  for (const [scope, value] of scopes) lines.push(`      ${scope}: ${value}`)
  lines.push(`      packages: write # to push to ${registry}`)
  return lines.map((l) => `    ${l}`).join('\n')
}

export interface PreflightStep {
  step: StepModel
  uses: ScalarValue
  /** True when `with.fallback-token` is present with a non-empty value (usually an expression). */
  fallbackConfigured: boolean
  /** The `fallback-token` key and value, when present. */
  fallbackToken?: { key: Pos; value: ScalarValue }
}

/**
 * `craigedmunds/ghcr-preflight@…` or `…/preflight@…`; a local `./`, `./preflight` (or `$/…`) only
 * when `isLocalPreflight` says that folder's action.yml is this action (in its own repository).
 */
export function isPreflightUses(
  uses: string,
  isLocalPreflight: (path: string) => boolean = () => false,
): boolean {
  if (isPublishedPreflight(uses)) return true
  const local = localActionPath(uses)
  return local !== undefined && isLocalPreflight(local)
}

/** Steps of `job` that run this action, with whether a fallback token is configured on them. */
export function findPreflightSteps(
  job: JobModel,
  isLocalPreflight?: (path: string) => boolean,
): PreflightStep[] {
  const out: PreflightStep[] = []
  for (const step of job.steps) {
    if (!step.uses || !isPreflightUses(step.uses.value, isLocalPreflight)) continue
    const fb = step.with.get('fallback-token')
    const item: PreflightStep = {
      step,
      uses: step.uses,
      fallbackConfigured: !!fb && !fb.value.nonScalar && fb.value.value.trim() !== '',
    }
    if (fb) item.fallbackToken = fb
    out.push(item)
  }
  return out
}
