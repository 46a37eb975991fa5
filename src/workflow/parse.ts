// Workflow text → typed model with 1-based positions. Pure: never touches the file system and
// never throws; unreadable input comes back as { ok: false } for the caller to report.

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type YAMLMap,
} from './yaml.js'
import type {
  ActionModel,
  JobModel,
  ParseResult,
  PermissionsBlock,
  PermissionScope,
  Pos,
  ScalarValue,
  StepModel,
  TriggerModel,
  WorkflowModel,
} from './model.js'
import { posAt } from './model.js'
import { MAX_NESTING, nestingOver } from './nesting.js'

/** Workflow files are small; anything bigger is not a workflow and would only cost time. */
export const MAX_WORKFLOW_CHARS = 1024 * 1024
/**
 * yaml's guard against alias bombs (count × size of expansions). Real workflows reuse a few
 * anchors a few dozen times; a billion-laughs document blows through this at once.
 */
export const MAX_ALIAS_COUNT = 1000

export function parseWorkflow(text: string, file: string): ParseResult {
  try {
    return parseUnsafe(text, file)
  } catch (e) {
    // Deep nesting can overflow the parser's stack; anything else unexpected lands here too.
    return { ok: false, file, message: `not parseable: ${firstLine(errorText(e))}` }
  }
}

function parseUnsafe(text: string, file: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, file, message: 'not text' }
  if (text.length > MAX_WORKFLOW_CHARS) {
    return {
      ok: false,
      file,
      message: `${text.length} characters long, over the ${MAX_WORKFLOW_CHARS}-character limit for a workflow file`,
    }
  }
  const deep = nestingOver(text)
  if (deep) {
    const lineStarts = [0]
    for (let i = 0; i < deep.offset; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1)
    const at = posAt(lineStarts, deep.offset)
    return {
      ok: false,
      file,
      message: `nested more than ${MAX_NESTING} levels deep (brackets and indentation), far deeper than any workflow, so it was not parsed`,
      line: at.line,
      column: at.column,
    }
  }
  const lineCounter = new LineCounter()
  // uniqueKeys: false, checked below with one Set per mapping: yaml's own check compares every key
  // with every earlier one, which takes seconds on a large flow mapping.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false })
  const lineStarts = lineCounter.lineStarts.length ? lineCounter.lineStarts : [0]
  const err = doc.errors[0]
  if (err) {
    const pos = err.linePos?.[0]
    const out: ParseResult = {
      ok: false,
      file,
      message: `not valid YAML: ${cleanYamlMessage(err.message)}`,
    }
    if (pos) {
      out.line = pos.line
      out.column = pos.col
    }
    return out
  }
  const dup = firstDuplicateKey(doc)
  if (dup) {
    const at = posAt(lineStarts, dup.offset)
    return {
      ok: false,
      file,
      message: `not valid YAML: Map keys must be unique ("${dup.key.slice(0, 60)}" is repeated)`,
      line: at.line,
      column: at.column,
    }
  }
  try {
    // mapAsMap: a mapping used as a key would otherwise be stringified at every level, which takes
    // minutes for a 2 KB file of nested keys (`? ? ? … x`, `{{{a: b}: b}: b}`).
    checkAliases(text, doc)
  } catch (e) {
    const msg = errorText(e)
    return {
      ok: false,
      file,
      message: /excessive alias/i.test(msg)
        ? `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} alias expansions, the shape of an alias bomb); GitHub would reject it too`
        : `not valid YAML: ${firstLine(msg)}`,
    }
  }
  const walker = new Walker(doc, text, lineStarts)
  const root = walker.resolve(doc.contents as Node | null)
  if (!root || !isMap(root)) {
    const what = root == null ? 'empty' : `a ${isSeq(root) ? 'list' : 'single value'}`
    return {
      ok: false,
      file,
      message: `${what}, not a workflow (a YAML mapping with "on" and "jobs")`,
    }
  }
  return { ok: true, workflow: walker.workflow(root, file) }
}

/**
 * Throws for an alias bomb (more than MAX_ALIAS_COUNT expansions) or an alias to no anchor, by
 * converting the document as yaml does; the conversion checks nothing else here. An alias is
 * written with `*`: a text without one has none, and is not converted (most workflows; it saves
 * a pass over the document on every start).
 */
function checkAliases(text: string, doc: Document): void {
  if (!text.includes('*')) return
  doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT, mapAsMap: true })
}

/**
 * A local action's `action.yml` → its name, inputs and composite steps; undefined when the text is
 * not a readable action file (the caller then knows nothing about that action).
 */
export function parseAction(text: string, file: string): ActionModel | undefined {
  try {
    if (text.length > MAX_WORKFLOW_CHARS || nestingOver(text)) return undefined
    const lineCounter = new LineCounter()
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false })
    if (doc.errors.length) return undefined
    checkAliases(text, doc)
    const walker = new Walker(
      doc,
      text,
      lineCounter.lineStarts.length ? lineCounter.lineStarts : [0],
    )
    const root = walker.resolve(doc.contents as Node | null)
    return root && isMap(root) ? walker.action(root, file) : undefined
  } catch {
    return undefined
  }
}

/** The first scalar key repeated within one mapping, with its offset. */
function firstDuplicateKey(doc: Document): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>()
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue
        const key = String(pair.key.value)
        if (seen.has(key)) {
          found = { key, offset: pair.key.range?.[0] ?? 0 }
          return visit.BREAK
        }
        seen.add(key)
      }
      return undefined
    },
  })
  return found
}

class Walker {
  private readonly aliasTargets = new Map<Node, Node>()
  private readonly anchorOf = new Map<Node, string>()
  /** Where `<<` keys are: YAML 1.1 merge keys, which GitHub does not expand. */
  readonly mergeKeys: Pos[] = []

  constructor(
    doc: Document,
    private readonly text: string,
    private readonly lineStarts: number[],
  ) {
    // One pass in document order: an alias refers to the last anchor of that name before it.
    const anchors = new Map<string, Node>()
    visit(doc, {
      // Merge keys are looked for only in a text that could hold one.
      ...(text.includes('<<')
        ? {
            Pair: (_key: unknown, pair: { key: unknown }) => {
              const k = pair.key as Node | null
              if (k && isScalar(k) && k.value === '<<' && k.range) {
                this.mergeKeys.push(posAt(this.lineStarts, k.range[0]))
              }
            },
          }
        : {}),
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = anchors.get(node.source)
          if (target) this.aliasTargets.set(node, target)
        } else if (node.anchor) {
          anchors.set(node.anchor, node)
          this.anchorOf.set(node, node.anchor)
        }
      },
    })
  }

  resolve(node: Node | null | undefined): Node | null {
    if (!node) return null
    if (isAlias(node)) return this.aliasTargets.get(node) ?? null
    return node
  }

  pos(node: Node | null | undefined): Pos {
    return posAt(this.lineStarts, node?.range?.[0] ?? 0)
  }

  /** Entries of a mapping as [key string, key node, value node (alias kept)]. */
  *entries(map: YAMLMap): Generator<[string, Node, Node | null]> {
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null
      const key = this.resolve(keyNode)
      if (!keyNode || !key || !isScalar(key)) continue
      yield [String(key.value ?? ''), keyNode, (pair.value as Node | null) ?? null]
    }
  }

  get(map: YAMLMap, name: string): [Node, Node | null] | undefined {
    for (const [k, keyNode, value] of this.entries(map)) if (k === name) return [keyNode, value]
    return undefined
  }

  scalar(node: Node | null | undefined, at?: Node | null): ScalarValue {
    const target = this.resolve(node)
    const where = this.pos(at ?? node)
    const offset = target?.range?.[0] ?? 0
    const end = target?.range?.[1] ?? offset
    const source = this.text.slice(offset, end)
    if (target && isScalar(target)) {
      const v = target.value
      return { value: v == null ? '' : String(v), ...where, offset, source }
    }
    const out: ScalarValue = { value: '', ...where, offset, source, nonScalar: true }
    if (target && isSeq(target)) {
      out.items = target.items.map((item) => this.scalar(item as Node))
    }
    return out
  }

  stringMap(node: Node | null | undefined): Map<string, string> {
    const out = new Map<string, string>()
    const m = this.resolve(node)
    if (!m || !isMap(m)) return out
    for (const [k, , v] of this.entries(m)) {
      const t = this.resolve(v)
      if (t && isScalar(t)) out.set(k, t.value == null ? '' : String(t.value))
    }
    return out
  }

  workflow(root: YAMLMap, file: string): WorkflowModel {
    const model: WorkflowModel = {
      file,
      on: { events: [], workflowCall: false, workflowCallOnly: false },
      env: new Map(),
      jobs: [],
      lineStarts: this.lineStarts,
      hasOn: false,
      callInputs: new Map(),
      mergeKeys: this.mergeKeys,
    }
    for (const [key, keyNode, value] of this.entries(root)) {
      if (key === 'name') {
        const v = this.resolve(value)
        if (v && isScalar(v)) model.name = String(v.value ?? '')
      } else if (key === 'on') {
        model.hasOn = true
        model.on = this.triggers(value, keyNode)
        model.callInputs = this.callInputs(value)
      } else if (key === 'permissions') model.permissions = this.permissions(keyNode, value)
      else if (key === 'env') model.env = this.stringMap(value)
      else if (key === 'jobs') {
        model.jobsPos = this.pos(keyNode)
        const jobs = this.resolve(value)
        if (jobs && isMap(jobs)) {
          for (const [id, jobKey, jobValue] of this.entries(jobs)) {
            model.jobs.push(this.job(id, jobKey, jobValue))
          }
        }
      }
    }
    return model
  }

  triggers(value: Node | null, keyNode: Node): TriggerModel {
    const events: string[] = []
    const v = this.resolve(value)
    if (v && isScalar(v)) events.push(String(v.value ?? ''))
    else if (v && isSeq(v)) {
      for (const item of v.items) {
        const t = this.resolve(item as Node)
        if (t && isScalar(t)) events.push(String(t.value ?? ''))
      }
    } else if (v && isMap(v)) for (const [k] of this.entries(v)) events.push(k)
    const named = events.filter((e) => e)
    const workflowCall = named.includes('workflow_call')
    return {
      events: named,
      workflowCall,
      workflowCallOnly: workflowCall && named.every((e) => e === 'workflow_call'),
      pos: this.pos(keyNode),
    }
  }

  /** `on.workflow_call.inputs.<name>.default` for every input. */
  callInputs(on: Node | null): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>()
    const m = this.resolve(on)
    if (!m || !isMap(m)) return out
    const call = this.get(m, 'workflow_call')
    const callMap = this.resolve(call?.[1])
    if (!callMap || !isMap(callMap)) return out
    const inputs = this.resolve(this.get(callMap, 'inputs')?.[1])
    if (!inputs || !isMap(inputs)) return out
    for (const [name, , def] of this.entries(inputs)) {
      const d = this.resolve(def)
      const dv = d && isMap(d) ? this.resolve(this.get(d, 'default')?.[1]) : undefined
      out.set(name, dv && isScalar(dv) && dv.value != null ? String(dv.value) : undefined)
    }
    return out
  }

  /** A local action's action.yml: name, runs.using, inputs and (for composite) steps. */
  action(root: YAMLMap, file: string): ActionModel {
    const model: ActionModel = { file, inputs: new Map(), steps: [], lineStarts: this.lineStarts }
    for (const [key, , value] of this.entries(root)) {
      const v = this.resolve(value)
      if (key === 'name' && v && isScalar(v)) model.name = String(v.value ?? '')
      else if (key === 'description' && v && isScalar(v)) model.description = String(v.value ?? '')
      else if (key === 'inputs' && v && isMap(v)) {
        for (const [name, , def] of this.entries(v)) {
          const d = this.resolve(def)
          const dv = d && isMap(d) ? this.resolve(this.get(d, 'default')?.[1]) : undefined
          model.inputs.set(
            name,
            dv && isScalar(dv) && dv.value != null ? String(dv.value) : undefined,
          )
        }
      } else if (key === 'runs' && v && isMap(v)) {
        const using = this.resolve(this.get(v, 'using')?.[1])
        if (using && isScalar(using)) model.using = String(using.value ?? '')
        const steps = this.resolve(this.get(v, 'steps')?.[1])
        if (steps && isSeq(steps)) {
          steps.items.forEach((item, index) => {
            const step = this.step(item as Node, index)
            if (step) model.steps.push(step)
          })
        }
      }
    }
    return model
  }

  permissions(keyNode: Node, value: Node | null): PermissionsBlock {
    const target = this.resolve(value)
    const block: PermissionsBlock = {
      key: this.pos(keyNode),
      kind: 'other',
      scopes: new Map<string, PermissionScope>(),
      raw: '',
    }
    if (value && isAlias(value) && target) {
      block.alias = { anchor: value.source, at: this.pos(target) }
    }
    if (target && isScalar(target)) {
      if (target.value == null) {
        block.raw = '(empty)'
      } else {
        block.kind = 'string'
        block.scalar = String(target.value)
        block.raw = block.scalar
      }
    } else if (target && isMap(target)) {
      block.kind = 'map'
      const parts: string[] = []
      for (const [scope, scopeKey, scopeValue] of this.entries(target)) {
        const sv = this.scalar(scopeValue, scopeValue ?? scopeKey)
        const valueText = sv.nonScalar ? '(not a value)' : sv.value
        block.scopes.set(scope, {
          value: valueText,
          key: this.pos(scopeKey),
          valuePos: { line: sv.line, column: sv.column },
        })
        parts.push(`${scope}: ${valueText}`)
      }
      block.raw = parts.length ? `{ ${parts.join(', ')} }` : '{}'
    } else {
      block.raw = target && isSeq(target) ? '(a list)' : '(unresolved)'
    }
    return block
  }

  job(id: string, keyNode: Node, value: Node | null): JobModel {
    const job: JobModel = {
      id,
      pos: this.pos(keyNode),
      with: new Map(),
      env: new Map(),
      steps: [],
    }
    const m = this.resolve(value)
    if (!m || !isMap(m)) return job
    for (const [key, kNode, v] of this.entries(m)) {
      if (key === 'name') {
        const t = this.resolve(v)
        if (t && isScalar(t)) job.name = String(t.value ?? '')
      } else if (key === 'permissions') job.permissions = this.permissions(kNode, v)
      else if (key === 'uses') job.uses = this.scalar(v, v ?? kNode)
      else if (key === 'env') job.env = this.stringMap(v)
      else if (key === 'with') {
        const w = this.resolve(v)
        if (w && isMap(w))
          for (const [wk, , wv] of this.entries(w)) job.with.set(wk, this.scalar(wv))
      } else if (key === 'secrets') {
        const s = this.resolve(v)
        if (s && isScalar(s) && String(s.value) === 'inherit') job.secrets = 'inherit'
        else if (s && isMap(s)) job.secrets = this.stringMap(s)
      } else if (key === 'steps') {
        const steps = this.resolve(v)
        if (steps && isSeq(steps)) {
          steps.items.forEach((item, index) => {
            const step = this.step(item as Node, index)
            if (step) job.steps.push(step)
          })
        }
      }
    }
    return job
  }

  step(node: Node, index: number): StepModel | undefined {
    const m = this.resolve(node)
    if (!m || !isMap(m)) return undefined
    const step: StepModel = { index, pos: this.pos(m), with: new Map(), env: new Map() }
    // An aliased step (`- *checkout`) is reported where it is used, not where the anchor lives.
    if (isAlias(node)) step.pos = this.pos(node)
    for (const [key, kNode, v] of this.entries(m)) {
      if (key === 'uses') step.uses = this.scalar(v, v ?? kNode)
      else if (key === 'run') step.run = this.scalar(v, v ?? kNode)
      else if (key === 'name' || key === 'id' || key === 'if') {
        const t = this.resolve(v)
        if (t && isScalar(t)) step[key] = String(t.value ?? '')
      } else if (key === 'env') step.env = this.stringMap(v)
      else if (key === 'with') {
        const w = this.resolve(v)
        if (w && isMap(w)) {
          for (const [wk, wkNode, wv] of this.entries(w)) {
            step.with.set(wk, { key: this.pos(wkNode), value: this.scalar(wv, wv ?? wkNode) })
          }
        }
      }
    }
    return step
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Longest error text kept from the YAML library: some of its messages quote a whole token. */
const MAX_MESSAGE_CHARS = 200

function firstLine(s: string): string {
  return cut(s.split('\n')[0]!.trim())
}

function cut(s: string): string {
  return s.length > MAX_MESSAGE_CHARS ? `${s.slice(0, MAX_MESSAGE_CHARS - 3)}...` : s
}

/** yaml's messages end with " at line X, column Y:" and a code frame; the position is reported separately. */
function cleanYamlMessage(message: string): string {
  const line = message.split('\n')[0]!.trim()
  return cut(line.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, ''))
}
