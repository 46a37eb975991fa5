// A reference model of GitHub's rules for the GITHUB_TOKEN's `packages` permission in one job,
// written independently of src/workflow and working on the plain JS value of the workflow (what
// a YAML loader returns). Rules (research/ghcr-failure-modes.md §3.1, §3.2, §3.6):
// - a job-level `permissions` key replaces the workflow-level one entirely;
// - in a map, a scope that is not listed is `none` (`{}` turns everything off);
// - `read-all` / `write-all` set every scope; any other string, a null or a list is invalid
//   (the workflow schema accepts only a scope map or those two strings);
// - a scope value other than `read`, `write` or `none` is invalid;
// - no key at either level leaves the repository/organisation default, except in a workflow
//   that only runs as a reusable workflow (`on: workflow_call` alone), where the caller decides.

export type ModelValue = 'write' | 'read' | 'none' | 'default' | 'invalid'
export type ModelLevel = 'job' | 'workflow' | 'default' | 'caller'

export interface ModelAnswer {
  value: ModelValue
  level: ModelLevel
  /** For a map block: whether `packages` is listed in the block that decides. */
  packagesListed: boolean
}

type Plain = Record<string, unknown>

function isMap(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function has(o: Plain, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key)
}

/** The trigger list as event names, whatever form `on` takes. An empty name (a null key, which
 * a YAML loader turns into "") names no event. */
export function eventNames(on: unknown): string[] {
  const names =
    typeof on === 'string'
      ? [on]
      : Array.isArray(on)
        ? on.filter((e): e is string => typeof e === 'string')
        : isMap(on)
          ? Object.keys(on)
          : []
  return names.filter((e) => e !== '')
}

export function packagesPermission(workflow: Plain, jobId: string): ModelAnswer {
  const jobs = isMap(workflow.jobs) ? workflow.jobs : {}
  const job = isMap(jobs[jobId]) ? (jobs[jobId] as Plain) : {}
  let level: 'job' | 'workflow'
  let block: unknown
  if (has(job, 'permissions')) {
    level = 'job'
    block = job.permissions
  } else if (has(workflow, 'permissions')) {
    level = 'workflow'
    block = workflow.permissions
  } else {
    const events = eventNames(workflow.on)
    const callOnly = events.length > 0 && events.every((e) => e === 'workflow_call')
    return { value: 'default', level: callOnly ? 'caller' : 'default', packagesListed: false }
  }
  if (typeof block === 'string') {
    const value = block === 'read-all' ? 'read' : block === 'write-all' ? 'write' : 'invalid'
    return { value, level, packagesListed: false }
  }
  if (!isMap(block)) return { value: 'invalid', level, packagesListed: false }
  if (!has(block, 'packages')) return { value: 'none', level, packagesListed: false }
  const v = block.packages
  const value = v === 'read' || v === 'write' || v === 'none' ? v : 'invalid'
  return { value, level, packagesListed: true }
}

export type ExpectedFinding = 'packages-permission-missing' | 'packages-permission-undeclared'

/** The finding a job that runs this action must get: none when it can push or the caller decides. */
export function expectedFinding(answer: ModelAnswer): ExpectedFinding | undefined {
  if (answer.value === 'write' || answer.level === 'caller') return undefined
  if (answer.level === 'default') return 'packages-permission-undeclared'
  return 'packages-permission-missing'
}
