// Reusable workflows: a called workflow can only narrow the permissions its calling job grants.
// When it asks for more, GitHub refuses to start the run (startup_failure, zero jobs), so this is
// checked across files: the caller's grant against what each local callee's jobs request.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import type { JobModel, WorkflowModel } from './model.js'
import { effectivePermission, grants, type EffectivePermission } from './permissions.js'
import { findPushes } from './pushers.js'

export interface WorkflowFile {
  /** Path relative to the folder the check runs in (POSIX separators). */
  path: string
  model: WorkflowModel
}

/** This project's own reusable workflow: it pushes, so it needs packages: write from its caller. */
const OWN_REUSABLE = /^craigedmunds\/ghcr-preflight\/\.github\/workflows\/[^@]+@/i

const DEFAULT_TEXT =
  'the repository or organisation default, which is read-only for repositories created since February 2023 (Settings → Actions → General → Workflow permissions)'

interface Need {
  /** Callee jobs that request packages: write themselves. */
  requesting: string[]
  /** Callee jobs that push but declare nothing, so they run with whatever the caller grants. */
  inheritingPushers: string[]
  /** All scopes the callee requests (highest value per scope), to suggest a complete caller block. */
  scopes: Map<string, 'read' | 'write'>
}

export function checkReusableCeilings(files: WorkflowFile[], place: Place): Finding[] {
  const byPath = new Map(files.map((f) => [f.path, f]))
  const findings: Finding[] = []
  for (const caller of files) {
    for (const job of caller.model.jobs) {
      if (!job.uses) continue
      const uses = job.uses.value.trim()
      const at = { file: caller.path, line: job.uses.line, column: job.uses.column }
      const details = { job: job.id, callee: uses }
      if (uses.startsWith('./')) {
        const callee = findLocal(byPath, caller.path, uses)
        if (!callee) {
          findings.push(
            makeFinding('reusable-workflow-not-checked', place, {
              message: `job "${job.id}" calls ${uses}, which was not among the files checked (or could not be read), so its permissions were not compared with the caller's`,
              fix: [
                `Lint the called file too, e.g. \`npx ghcr-preflight lint ${calleeRel(uses)}\` together with this one`,
              ],
              ...at,
              details,
            }),
          )
          continue
        }
        findings.push(...compare(caller, job, uses, needOf(callee.model, place.registry), place))
      } else if (OWN_REUSABLE.test(uses)) {
        const need: Need = {
          // Its job is `push` (.github/workflows/ghcr-push.yml in this repository).
          requesting: ['push'],
          inheritingPushers: [],
          scopes: new Map([
            ['contents', 'read'],
            ['packages', 'write'],
          ]),
        }
        findings.push(...compare(caller, job, uses, need, place))
      } else {
        findings.push(
          makeFinding('reusable-workflow-not-checked', place, {
            message: `job "${job.id}" calls ${uses}, a workflow in another repository, which was not checked offline: if its jobs request packages: write, job "${job.id}" must grant packages: write too`,
            fix: [
              `Check the called workflow's \`permissions:\` blocks and give job "${job.id}" at least the same scopes, e.g.\n${callerYaml(job, uses, new Map([['packages', 'write']]), undefined, place.registry)}`,
            ],
            ...at,
            details,
          }),
        )
      }
    }
  }
  return findings
}

function compare(
  caller: WorkflowFile,
  job: JobModel,
  uses: string,
  need: Need,
  place: Place,
): Finding[] {
  if (need.requesting.length === 0 && need.inheritingPushers.length === 0) return []
  const grant = effectivePermission(caller.model, job)
  // A caller that is itself only called passes on its own caller's grant: checked one level up.
  if (grant.value === 'write' || grant.level === 'caller') return []
  const at = { file: caller.path, line: job.uses!.line, column: job.uses!.column }
  const allowed =
    grant.value === 'default' ? 'read' : grant.value === 'invalid' ? 'none' : grant.value
  const why = grantReason(job, grant)
  const fix = [
    `Grant the scopes the called workflow needs on job "${job.id}" (a called workflow can only narrow its caller's permissions):\n${callerYaml(job, uses, need.scopes, grant, place.registry)}`,
  ]
  const details = { job: job.id, callee: uses, value: grant.value, level: grant.level }
  const out: Finding[] = []
  if (need.requesting.length > 0) {
    const nested = need.requesting[0]!
    const quoteGitHub = `"The nested job '${nested}' is requesting 'packages: write', but is only allowed 'packages: ${allowed}'."`
    const jobs = need.requesting.map((j) => `"${j}"`).join(', ')
    if (grant.level === 'default') {
      out.push(
        makeFinding('reusable-workflow-permission-ceiling', place, {
          severity: 'warning',
          message:
            `job "${job.id}" calls ${uses}, whose job ${jobs} requests packages: write, but ${why}, so the called workflow is capped at ${DEFAULT_TEXT}. ` +
            `Where the default is read-only, GitHub refuses to start the run with ${quoteGitHub}`,
          fix,
          ...at,
          details,
        }),
      )
    } else {
      out.push(
        makeFinding('reusable-workflow-permission-ceiling', place, {
          message:
            `job "${job.id}" calls ${uses}, whose job ${jobs} requests packages: write, but ${why}; ` +
            `GitHub refuses to start the run: ${quoteGitHub}`,
          fix,
          ...at,
          details,
        }),
      )
    }
  }
  if (need.inheritingPushers.length > 0 && grant.level !== 'default') {
    const jobs = need.inheritingPushers.map((j) => `"${j}"`).join(', ')
    out.push(
      makeFinding('packages-permission-missing', place, {
        message: `job "${job.id}" calls ${uses}, whose job ${jobs} pushes to ${place.registry} with the permissions it inherits from the caller, but ${why}: the push will be denied`,
        fix,
        file: caller.path,
        line: grant.location.line,
        column: grant.location.column,
        details,
      }),
    )
  } else if (need.inheritingPushers.length > 0) {
    const jobs = need.inheritingPushers.map((j) => `"${j}"`).join(', ')
    out.push(
      makeFinding('packages-permission-undeclared', place, {
        message: `job "${job.id}" calls ${uses}, whose job ${jobs} pushes to ${place.registry} with the permissions it inherits from the caller, but ${why}, so it gets ${DEFAULT_TEXT}`,
        fix,
        ...at,
        details,
      }),
    )
  }
  return out
}

function grantReason(job: JobModel, grant: EffectivePermission): string {
  switch (grant.level) {
    case 'job':
      return `job "${job.id}" only allows packages: ${grant.value === 'invalid' ? `"${grant.written}" (not a valid value)` : grant.value}${grant.raw === `packages: ${grant.value}` ? '' : ` (${grant.raw})`}`
    case 'workflow':
      return `job "${job.id}" has no permissions block and the workflow's block allows only packages: ${grant.value === 'invalid' ? `"${grant.written}"` : grant.value} (${grant.raw})`
    default:
      return `job "${job.id}" has no permissions block and the workflow has none`
  }
}

/** What a callee needs: jobs requesting packages: write, pushers that inherit, and all requested scopes. */
function needOf(model: WorkflowModel, registry: string): Need {
  const need: Need = { requesting: [], inheritingPushers: [], scopes: new Map() }
  for (const job of model.jobs) {
    const eff = effectivePermission(model, job)
    const block = job.permissions ?? model.permissions
    if (block?.kind === 'map') {
      for (const [scope, entry] of block.scopes) {
        if (entry.value === 'write' || entry.value === 'read') {
          if (need.scopes.get(scope) !== 'write') need.scopes.set(scope, entry.value)
        }
      }
    } else if (block?.kind === 'string' && block.scalar === 'write-all') {
      need.scopes.set('packages', 'write')
    }
    if (eff.value === 'write' && (eff.level === 'job' || eff.level === 'workflow')) {
      need.requesting.push(job.id)
    } else if (eff.level === 'caller' && findPushes(model, job, registry).pushSeen) {
      need.inheritingPushers.push(job.id)
      need.scopes.set('packages', 'write')
    }
  }
  if (need.requesting.length > 0 || need.inheritingPushers.length > 0) {
    need.scopes.set('packages', 'write')
  }
  return need
}

function callerYaml(
  job: JobModel,
  uses: string,
  needed: Map<string, 'read' | 'write'>,
  grant: EffectivePermission | undefined,
  registry: string,
): string {
  const scopes = new Map<string, string>()
  if (grant?.level === 'job' && grant.block?.kind === 'map') {
    for (const [scope, entry] of grant.block.scopes) scopes.set(scope, entry.value)
  }
  for (const [scope, value] of needed) {
    const have = scopes.get(scope)
    if (!have || !grants(have as 'read' | 'write' | 'none', value)) scopes.set(scope, value)
  }
  const lines = ['jobs:', `  ${job.id}:`, `    uses: ${uses}`, '    permissions:']
  for (const [scope, value] of scopes) {
    lines.push(
      `      ${scope}: ${value}${scope === 'packages' && value === 'write' ? ` # to push to ${registry}` : ''}`,
    )
  }
  return lines.map((l) => `    ${l}`).join('\n')
}

function calleeRel(uses: string): string {
  return uses.replace(/^\.\//, '').replace(/@.*$/, '')
}

/** Resolves `./.github/workflows/x.yml` against the caller's repository root among the given files. */
function findLocal(
  byPath: Map<string, WorkflowFile>,
  callerPath: string,
  uses: string,
): WorkflowFile | undefined {
  const rel = calleeRel(uses)
  const idx = callerPath.lastIndexOf('.github/workflows/')
  const root = idx >= 0 ? callerPath.slice(0, idx) : ''
  const direct = byPath.get(root + rel)
  if (direct) return direct
  const sameDir = callerPath.slice(0, callerPath.lastIndexOf('/') + 1) + rel.split('/').pop()
  if (idx < 0 && byPath.has(sameDir)) return byPath.get(sameDir)
  return undefined
}
