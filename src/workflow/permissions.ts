// GitHub's rules for the GITHUB_TOKEN's permission of one scope in one job, computed from the file:
// a job block replaces the workflow block; inside a block unlisted scopes are none; read-all and
// write-all set every scope; {} is none; no block anywhere leaves the repository/organisation default.

import type { JobModel, PermissionsBlock, Pos, WorkflowModel } from './model.js'

export type PermissionValue = 'write' | 'read' | 'none' | 'default' | 'invalid'

/**
 * Where the value comes from. `caller`: the workflow only runs as a reusable workflow and declares
 * nothing, so the calling job's permissions decide.
 */
export type PermissionLevel = 'job' | 'workflow' | 'default' | 'caller'

export interface EffectivePermission {
  scope: string
  value: PermissionValue
  level: PermissionLevel
  /** The block that decides, when one does. */
  block?: PermissionsBlock
  /** Position of the scope's key in the deciding block, when it is listed there. */
  scopeKey?: Pos
  /** Where a finding about this value belongs: the scope key, else the block's `permissions` key, else the job key. */
  location: Pos
  /** What the file says, for messages: `packages: read`, `permissions: read-all`, `permissions: {}`. */
  raw: string
  /** The value as written when it is not one GitHub accepts (e.g. `wrte`). */
  written?: string
  /** Why the value is what it is, as a clause for messages ("the job's permissions block lists other scopes only"). */
  reason: string
}

export const SCOPE_VALUES = ['read', 'write', 'none'] as const

const RANK: Record<'none' | 'read' | 'write', number> = { none: 0, read: 1, write: 2 }

/** True when `have` is at least `need` (write includes read). */
/** Whether an effective `packages` value lets the run's token push: what the verdict needs. */
export function packagesVerdict(p: EffectivePermission): 'write' | 'not-write' | 'unknown' {
  if (p.value === 'write') return 'write'
  return p.value === 'read' || p.value === 'none' ? 'not-write' : 'unknown'
}

export function grants(have: PermissionValue, need: 'read' | 'write'): boolean {
  if (have !== 'none' && have !== 'read' && have !== 'write') return false
  return RANK[have] >= RANK[need]
}

export function blockOwnerText(level: 'job' | 'workflow'): string {
  return level === 'job' ? "the job's permissions block" : "the workflow's permissions block"
}

/** The effective permission of `scope` (default `packages`) for `job` in `model`. */
export function effectivePermission(
  model: WorkflowModel,
  job: JobModel,
  scope = 'packages',
): EffectivePermission {
  const level: 'job' | 'workflow' | undefined = job.permissions
    ? 'job'
    : model.permissions
      ? 'workflow'
      : undefined
  if (!level) {
    if (model.on.workflowCallOnly) {
      return {
        scope,
        value: 'default',
        level: 'caller',
        location: job.pos,
        raw: 'no permissions block',
        reason:
          'the workflow only runs when another workflow calls it (on: workflow_call) and declares no permissions, so the calling job decides',
      }
    }
    return {
      scope,
      value: 'default',
      level: 'default',
      location: job.pos,
      raw: 'no permissions block',
      reason:
        'neither the job nor the workflow has a permissions block, so the token gets the repository or organisation default (read-only for repositories created since February 2023)',
    }
  }
  const block = (level === 'job' ? job.permissions : model.permissions)!
  const owner = blockOwnerText(level)
  const inherited = level === 'workflow' ? ' and the job has no block of its own' : ''
  const base = { scope, level, block, location: block.key }
  if (block.kind === 'string') {
    const s = block.scalar ?? ''
    if (s === 'read-all' || s === 'write-all') {
      return {
        ...base,
        value: s === 'read-all' ? 'read' : 'write',
        raw: `permissions: ${s}`,
        reason: `${owner} is "${s}"${inherited}`,
      }
    }
    return {
      ...base,
      value: 'invalid',
      written: s,
      raw: `permissions: ${s}`,
      reason: `${owner} is "${s}", which is not a permissions value (use read-all, write-all, {} or a list of scopes)`,
    }
  }
  if (block.kind === 'other') {
    return {
      ...base,
      value: 'invalid',
      written: block.raw,
      raw: `permissions: ${block.raw}`,
      reason: `${owner} has no usable value (${block.raw}); use read-all, write-all, {} or a list of scopes`,
    }
  }
  const entry = block.scopes.get(scope)
  if (!entry) {
    return {
      ...base,
      value: 'none',
      raw: `permissions: ${block.raw}`,
      reason:
        block.scopes.size === 0
          ? `${owner} is {}, which turns every scope off${inherited}`
          : `${owner} lists other scopes only${inherited}`,
    }
  }
  const written = entry.value
  const known = (SCOPE_VALUES as readonly string[]).includes(written)
  return {
    ...base,
    value: known ? (written as 'read' | 'write' | 'none') : 'invalid',
    ...(known ? {} : { written }),
    scopeKey: entry.key,
    location: entry.key,
    raw: `${scope}: ${written}`,
    reason: known
      ? `${owner} sets ${scope}: ${written}${inherited}`
      : `${owner} sets ${scope}: "${written}", which is not a permission value (use read, write or none)`,
  }
}
