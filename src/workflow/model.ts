// The typed model of one workflow file: only the parts the checks read, each with its 1-based
// position so findings can point at the exact line a user has to change.

export interface Pos {
  /** 1-based. */
  line: number
  /** 1-based. */
  column: number
}

export interface Located<T = string> extends Pos {
  value: T
}

/** One `scope: value` entry of a permissions mapping. */
export interface PermissionScope {
  /** The value as written (`write`, `read`, `none`, or anything else a user typed). */
  value: string
  key: Pos
  valuePos: Pos
}

/** A `permissions:` key at workflow or job level. */
export interface PermissionsBlock {
  /** Position of the `permissions` key itself. */
  key: Pos
  /** `map` for a scope list (including `{}`), `string` for read-all/write-all (or a typo), `other` for anything else. */
  kind: 'map' | 'string' | 'other'
  /** The string form's value (`read-all`, `write-all`, ...). */
  scalar?: string
  /** Scope entries in file order; keys are the scope names as written. */
  scopes: Map<string, PermissionScope>
  /** Short source-like rendering for messages: `{}`, `read-all`, `{ contents: read, packages: read }`. */
  raw: string
  /** Set when the value is an alias: the anchor name and where the anchored block is written. */
  alias?: { anchor: string; at: Pos }
}

/** A scalar (or scalar-like) value with its position and where its source text starts. */
export interface ScalarValue extends Located<string> {
  /** Offset of the scalar's source text in the file, and that text (quotes and block indicators included). */
  offset: number
  source: string
  /** True when the node was not a scalar (map/sequence): value is then '' and should not be trusted. */
  nonScalar?: boolean
  /** For sequences of scalars (e.g. `tags:` as a YAML list), each item. */
  items?: ScalarValue[]
}

export interface StepModel {
  /** 0-based index within the job's steps. */
  index: number
  /** Position of the step's first key. */
  pos: Pos
  name?: string
  id?: string
  /** The step's `if:` condition as written. */
  if?: string
  uses?: ScalarValue
  run?: ScalarValue
  with: Map<string, { key: Pos; value: ScalarValue }>
  env: Map<string, string>
}

export interface JobModel {
  id: string
  /** Position of the job's key under `jobs:`. */
  pos: Pos
  name?: string
  permissions?: PermissionsBlock
  /** A reusable-workflow call: `jobs.<id>.uses`. */
  uses?: ScalarValue
  with: Map<string, ScalarValue>
  /** `inherit`, or the secrets passed explicitly: name → the expression passed (`${{ secrets.X }}`). */
  secrets?: 'inherit' | Map<string, string>
  env: Map<string, string>
  steps: StepModel[]
}

export interface TriggerModel {
  /** Event names in file order. */
  events: string[]
  /** `workflow_call` is one of the events. */
  workflowCall: boolean
  /** `workflow_call` is the only event: the caller decides the token's permissions. */
  workflowCallOnly: boolean
  pos?: Pos
}

export interface WorkflowModel {
  file: string
  name?: string
  on: TriggerModel
  permissions?: PermissionsBlock
  env: Map<string, string>
  /** Jobs in file order. */
  jobs: JobModel[]
  /** Position of the `jobs` key, when present. */
  jobsPos?: Pos
  /** The file has an `on` key (GitHub rejects a workflow without one). */
  hasOn: boolean
  /** `on.workflow_call.inputs`: name → default as written (for `${{ inputs.X }}` in a called workflow). */
  callInputs: Map<string, string | undefined>
  /** Positions of YAML merge keys (`<<:`), which GitHub does not support. */
  mergeKeys: Pos[]
  /** Maps an offset in the file to its 1-based position. */
  lineStarts: number[]
}

/** A local action's metadata file (`action.yml`), as far as push detection needs it. */
export interface ActionModel {
  file: string
  name?: string
  description?: string
  /** `runs.using`: composite, node20, docker, ... */
  using?: string
  /** Input name → default as written. */
  inputs: Map<string, string | undefined>
  /** The steps of a composite action. */
  steps: StepModel[]
  lineStarts: number[]
}

export type ParseResult =
  | { ok: true; workflow: WorkflowModel }
  | { ok: false; file: string; message: string; line?: number; column?: number }

/** 1-based position of a character offset, from the line starts the parser recorded. */
export function posAt(lineStarts: number[], offset: number): Pos {
  let lo = 0
  let hi = lineStarts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (lineStarts[mid]! <= offset) lo = mid
    else hi = mid - 1
  }
  const start = lineStarts[lo] ?? 0
  return { line: lo + 1, column: offset - start + 1 }
}

/** Finds `needle` inside a scalar's source text and returns its position; the scalar's own position otherwise. */
export function locateInScalar(
  model: Pick<WorkflowModel, 'lineStarts'>,
  scalar: ScalarValue,
  needle: string,
  from = 0,
): Pos & { next: number } {
  const at = needle ? scalar.source.indexOf(needle, from) : -1
  if (at < 0) return { line: scalar.line, column: scalar.column, next: from }
  return { ...posAt(model.lineStarts, scalar.offset + at), next: at + needle.length }
}
