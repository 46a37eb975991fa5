// What makes GitHub reject a workflow file before anything runs, as far as this tool reads it:
// no `on`, no jobs, YAML merge keys, and every `permissions` block's scopes and values. A rejected
// file runs no job at all, so these are errors whether or not the file pushes anywhere.
//
// Sources: `jobs` is required and `on` holds the triggers (workflow schema, actions/languageservices
// workflow-parser/src/workflow-v1.0.json, `workflow-root-strict`; docs.github.com workflow-syntax
// "`on`"); GitHub supports YAML anchors and aliases but not merge keys (docs.github.com
// reusing-workflow-configurations#yaml-anchors-and-aliases documents anchors only; actions/runner
// issue 1182, GitHub staff after the 2025 rollout: "Are merge keys supported as well?" "no.");
// the permission scopes and values: ./permission-scopes.ts.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'
import type { PermissionsBlock, Pos, WorkflowModel } from './model.js'
import {
  allowedLevels,
  closestScope,
  PERMISSION_SCOPES,
  type ScopeLevel,
} from './permission-scopes.js'

export interface ValidateOptions {
  /**
   * Jobs that push with the run's token: where their block's `packages` value is wrong, the fix
   * says `write` rather than the nearest valid spelling.
   */
  pushingJobs?: ReadonlySet<string>
}

export function validateWorkflow(
  model: WorkflowModel,
  file: string,
  place: Place,
  options: ValidateOptions = {},
): Finding[] {
  const out: Finding[] = []
  const at = (p: Pos) => ({ file, line: p.line, column: p.column })
  if (!model.hasOn) {
    out.push(
      makeFinding('workflow-invalid', place, {
        message: `${file} has no "on" key: GitHub rejects a workflow without a trigger ("No event triggers defined in \`on\`")`,
        fix: ['Add a trigger, e.g. `on: push`, at the top level of the file'],
        file,
        line: 1,
        column: 1,
      }),
    )
  }
  if (model.jobs.length === 0) {
    out.push(
      makeFinding('workflow-invalid', place, {
        message: model.jobsPos
          ? `${file} defines no jobs under "jobs": GitHub rejects a workflow without jobs`
          : `${file} has no "jobs" key: GitHub rejects a workflow without jobs`,
        fix: ['Define at least one job under `jobs:`'],
        ...(model.jobsPos ? at(model.jobsPos) : { file, line: 1, column: 1 }),
      }),
    )
  }
  if (model.mergeKeys.length > 0) {
    const [first, ...rest] = model.mergeKeys
    const lines = model.mergeKeys.map((p) => p.line).join(', ')
    out.push(
      makeFinding('workflow-invalid', place, {
        message: `YAML merge key "<<" at line${rest.length ? 's' : ''} ${lines}: GitHub supports anchors and aliases but not merge keys, and rejects the file`,
        fix: [
          'Write out the keys the merge would add, or alias a whole mapping instead (`env: *common`)',
        ],
        ...at(first!),
        related: rest.map((p) => ({ ...at(p), message: 'YAML merge key "<<"' })),
      }),
    )
  }
  const seen = new Set<string>()
  const check = (block: PermissionsBlock | undefined, owner: string, jobs: string[]) => {
    if (!block) return
    const wantsWrite = jobs.some((j) => options.pushingJobs?.has(j))
    for (const f of blockProblems(block, owner, wantsWrite, file, place)) {
      // An aliased block is reported once, where its anchored entries are written.
      const key = `${f.line}:${f.column}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push(f)
    }
  }
  check(
    model.permissions,
    "the workflow's permissions",
    model.jobs.filter((j) => !j.permissions).map((j) => j.id),
  )
  for (const job of model.jobs) check(job.permissions, `job "${job.id}" permissions`, [job.id])
  return out
}

const VALUES_TEXT: Record<string, string> = {
  'read,write,none': 'read, write or none',
  'write,none': 'write or none',
  'read,none': 'read or none',
}

function blockProblems(
  block: PermissionsBlock,
  owner: string,
  wantsWrite: boolean,
  file: string,
  place: Place,
): Finding[] {
  const rejected = 'GitHub rejects the workflow file'
  if (block.kind === 'string') {
    const s = block.scalar ?? ''
    if (s === 'read-all' || s === 'write-all') return []
    const near = /^(read|write)[-_ ]?all$/i.exec(s.trim())
    const suggestion = near ? `${near[1]!.toLowerCase()}-all` : undefined
    return [
      makeFinding('permissions-invalid', place, {
        message: `${owner} is "${s}", which is not a permissions value (a map of scopes, read-all, write-all or {}): ${rejected}`,
        fix: [
          suggestion
            ? `Write \`permissions: ${suggestion}\``
            : `Replace "${s}" with a map of the scopes the job needs, e.g. \`permissions: { contents: read${wantsWrite ? ', packages: write' : ''} }\`, or with read-all, write-all or {}`,
        ],
        file,
        line: block.key.line,
        column: block.key.column,
      }),
    ]
  }
  if (block.kind === 'other') {
    return [
      makeFinding('permissions-invalid', place, {
        message: `${owner} is ${block.raw === '(empty)' ? 'empty' : block.raw}, not a map of scopes, read-all, write-all or {}: ${rejected}`,
        fix: [
          `Give it a map of the scopes the job needs, e.g. \`permissions: { contents: read${wantsWrite ? ', packages: write' : ''} }\`, or write {} to turn every scope off`,
        ],
        file,
        line: block.key.line,
        column: block.key.column,
      }),
    ]
  }
  const out: Finding[] = []
  for (const [scope, entry] of block.scopes) {
    const levels = allowedLevels(scope)
    if (!levels) {
      const near = closestScope(scope)
      out.push(
        makeFinding('permissions-invalid', place, {
          message: `unknown permissions scope "${scope}"${near ? ` (did you mean "${near}"?)` : ''} in ${owner}: ${rejected}`,
          fix: [
            near
              ? `Rename "${scope}" to "${near}"`
              : `Remove "${scope}": GitHub's scopes are ${Object.keys(PERMISSION_SCOPES).join(', ')}`,
          ],
          file,
          line: entry.key.line,
          column: entry.key.column,
        }),
      )
      continue
    }
    if ((levels as readonly string[]).includes(entry.value)) continue
    const allowed = VALUES_TEXT[levels.join(',')] ?? levels.join(', ')
    const suggested = suggestLevel(scope, entry.value, levels, wantsWrite)
    out.push(
      makeFinding('permissions-invalid', place, {
        message: `"${entry.value}" is not a value of permissions scope "${scope}" (use ${allowed}) in ${owner}: ${rejected}`,
        fix: [
          suggested
            ? `Change it to \`${scope}: ${suggested}\`${scope === 'packages' && suggested === 'write' && wantsWrite ? ` (the job pushes to ${place.registry})` : ''}`
            : `Use one of ${allowed} for "${scope}"`,
        ],
        file,
        line: entry.valuePos.line,
        column: entry.valuePos.column,
      }),
    )
  }
  return out
}

/** The value the user most likely meant: `write` for a pushing job's packages, else the nearest spelling. */
function suggestLevel(
  scope: string,
  written: string,
  levels: readonly ScopeLevel[],
  wantsWrite: boolean,
): ScopeLevel | undefined {
  if (scope === 'packages' && wantsWrite) return 'write'
  const w = written.trim().toLowerCase()
  for (const level of levels) if (w === level || w.startsWith(level)) return level
  if (/^wr?i?t?e?$|^wrt|^wirte|^wrte/.test(w) && levels.includes('write')) return 'write'
  if (/^re?a?d?$|^raed|^rad/.test(w) && levels.includes('read')) return 'read'
  return undefined
}

/** A block GitHub accepts: known scopes with values they take, or read-all / write-all. */
export function blockIsValid(block: PermissionsBlock): boolean {
  if (block.kind === 'string') return block.scalar === 'read-all' || block.scalar === 'write-all'
  if (block.kind !== 'map') return false
  for (const [scope, entry] of block.scopes) {
    const levels = allowedLevels(scope)
    if (!levels || !(levels as readonly string[]).includes(entry.value)) return false
  }
  return true
}
