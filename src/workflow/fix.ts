// `ghcr-preflight lint --fix` / `--diff` and the summary's patch: the smallest edit of a workflow's
// text that gives each job the permissions its findings ask for. Text edits only, never a YAML
// re-serialisation: comments, anchors, quoting, key order and line endings (CRLF too) stay as
// they are. The edit is computed from the file itself, so applying it twice changes nothing.
//
// What it writes, per job (GitHub: a job's block replaces the workflow's; unlisted scopes are none):
// - its own block lacks a scope → a line is added to the block (or `, scope: value` in a flow map);
// - a scope's value is too low (`packages: read`) → only the value changes, quotes kept;
// - `permissions: *anchor` → the alias becomes a flow map of the anchor's scopes plus the new ones
//   (editing the anchor would change every job that uses it);
// - no block of its own → one is added under the job key: the workflow block's scopes (what the
//   job has today) plus the new ones, or, with no block anywhere, `contents: read` when the job
//   checks out the repository plus the new ones.
// Not fixed (the finding's own fix text stands): `read-all` (listing every scope is not smaller),
// invalid values, a block that is an anchor other jobs reuse, flow-style jobs.

import {
  isAlias,
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from './yaml.js'
import type { Finding, PermissionFix } from '../findings/types.js'
import { unifiedDiff } from './unified-diff.js'

/** Findings whose permissionFix --fix applies: the certain ones (a likely pusher is left to a human). */
export const FIXABLE_IDS = new Set([
  'packages-permission-missing',
  'packages-permission-undeclared',
  'reusable-workflow-permission-ceiling',
])

export interface FixOutcome {
  text: string
  /** Jobs whose permissions were edited. */
  fixed: string[]
  /** Jobs a finding asked to fix that could not be edited safely, with why. */
  skipped: Array<{ job: string; reason: string }>
}

type Level = 'read' | 'write'

const RANK: Record<string, number> = { none: 0, read: 1, write: 2 }

/** The fixes the findings ask for in `file`, merged per job. */
export function fixesFor(findings: Finding[], file: string): PermissionFix[] {
  const byJob = new Map<string, Record<string, Level>>()
  for (const f of findings) {
    if (!f.permissionFix || !FIXABLE_IDS.has(f.id)) continue
    if ((f.permissionFix.file ?? f.file) !== file) continue
    // A job that only may push is left for a person to confirm.
    if (f.permissionFix.likely) continue
    const scopes = byJob.get(f.permissionFix.job) ?? {}
    for (const [scope, level] of Object.entries(f.permissionFix.scopes)) {
      if ((RANK[scopes[scope] ?? 'none'] ?? 0) < RANK[level]!) scopes[scope] = level
    }
    byJob.set(f.permissionFix.job, scopes)
  }
  return [...byJob].map(([job, scopes]) => ({ job, scopes }))
}

/**
 * The unified diff that applies the findings' permission fixes to `text`, the workflow file at
 * `file` (its repository-relative path, as in the findings); '' when none apply. Pure: the action's
 * job summary and `lint --diff` print the same patch.
 */
export function permissionPatch(
  text: string,
  findings: Finding[],
  file: string,
  options: FixOptions = {},
): string {
  const fixes = fixesFor(findings, file)
  if (fixes.length === 0) return ''
  const outcome = applyPermissionFixes(text, fixes, options)
  return unifiedDiff(text, outcome.text, file)
}

interface Edit {
  start: number
  end: number
  text: string
}

export interface FixOptions {
  /** Named in the comment on an added `packages: write` line. */
  registry?: string
}

export function applyPermissionFixes(
  text: string,
  fixes: PermissionFix[],
  options: FixOptions = {},
): FixOutcome {
  const outcome: FixOutcome = { text, fixed: [], skipped: [] }
  if (fixes.length === 0) return outcome
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false })
  if (doc.errors.length || !isMap(doc.contents)) {
    for (const f of fixes) outcome.skipped.push({ job: f.job, reason: 'the file does not parse' })
    return outcome
  }
  const ctx = new FileContext(doc, text, lineCounter, options.registry ?? 'ghcr.io')
  const edits: Edit[] = []
  for (const fix of fixes) {
    const result = ctx.editJob(fix)
    if ('reason' in result) outcome.skipped.push({ job: fix.job, reason: result.reason })
    else if (result.edits.length) {
      edits.push(...result.edits)
      outcome.fixed.push(fix.job)
    }
  }
  edits.sort((a, b) => b.start - a.start)
  let out = text
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end)
  outcome.text = out
  return outcome
}

class FileContext {
  readonly eol: string
  private readonly aliasedAnchors = new Set<string>()
  private readonly anchors = new Map<string, Node>()

  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly registry: string,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n'
    visit(doc, {
      Node: (_k, node) => {
        if (isAlias(node)) this.aliasedAnchors.add(node.source)
        else if (node.anchor) this.anchors.set(node.anchor, node)
      },
    })
  }

  editJob(fix: PermissionFix): { edits: Edit[] } | { reason: string } {
    const root = this.doc.contents as YAMLMap
    const jobs = this.resolve(pairValue(root, 'jobs'))
    if (!isMap(jobs)) return { reason: 'the file has no jobs mapping' }
    const jobPair = findPair(jobs, fix.job)
    const job = this.resolve(jobPair?.value as Node | undefined)
    if (!jobPair || !isMap(job)) return { reason: `job "${fix.job}" is not a mapping in the file` }
    if (isAlias(jobPair.value)) return { reason: `job "${fix.job}" is an alias of another job` }
    if (job.anchor && this.aliasedAnchors.has(job.anchor)) {
      return { reason: `job "${fix.job}" is the anchor &${job.anchor}, which another job reuses` }
    }
    const permsPair = findPair(job, 'permissions')
    if (permsPair) return this.editBlock(fix, permsPair)
    if (job.flow) return { reason: `job "${fix.job}" is written as a flow mapping` }
    return this.addBlock(fix, jobPair, job, root)
  }

  /** The job has a `permissions` key: raise or add scopes in it. */
  private editBlock(fix: PermissionFix, pair: Pair): { edits: Edit[] } | { reason: string } {
    const value = pair.value as Node | null
    if (value && isAlias(value)) {
      const target = this.resolve(value)
      const have = this.scopesOf(target)
      if (!have) return { reason: `its permissions alias *${value.source} is not a scope map` }
      const merged = mergeScopes(have, fix.scopes)
      return {
        edits: [{ start: value.range![0], end: value.range![1], text: flowMap(merged) }],
      }
    }
    if (!value || isScalar(value)) {
      const s = value && isScalar(value) ? String(value.value ?? '') : ''
      if (s === 'write-all') return { edits: [] }
      return {
        reason:
          s === 'read-all'
            ? 'its block is read-all: list the scopes it needs and add packages: write by hand'
            : 'its permissions value is not valid',
      }
    }
    if (!isMap(value)) return { reason: 'its permissions value is not a scope map' }
    if (value.anchor && this.aliasedAnchors.has(value.anchor)) {
      return {
        reason: `its block is the anchor &${value.anchor}, which other jobs reuse; give this job a block of its own`,
      }
    }
    return this.editMap(value, fix.scopes)
  }

  private editMap(
    map: YAMLMap,
    scopes: Record<string, Level>,
  ): { edits: Edit[] } | { reason: string } {
    const edits: Edit[] = []
    const missing: Array<[string, Level]> = []
    for (const [scope, level] of Object.entries(scopes)) {
      const pair = findPair(map, scope)
      if (!pair) {
        missing.push([scope, level])
        continue
      }
      const v = pair.value as Node | null
      if (!v || !isScalar(v) || isAlias(v))
        return { reason: `its "${scope}" value is not a plain value` }
      const current = String(v.value ?? '')
      if (!(current in RANK)) return { reason: `its "${scope}" value "${current}" is not valid` }
      if (RANK[current]! >= RANK[level]!) continue
      edits.push(replaceScalar(this.text, v, level))
    }
    if (missing.length === 0) return { edits }
    if (map.flow) {
      const end = map.range![1]
      const close = this.text.lastIndexOf('}', end)
      const inner = this.text.slice(map.range![0] + 1, close)
      const entries = missing.map(([s, l]) => `${s}: ${l}`).join(', ')
      if (inner.trim() === '') {
        edits.push({ start: map.range![0], end: close + 1, text: `{ ${entries} }` })
      } else {
        const before = inner.replace(/\s+$/, '')
        const at = map.range![0] + 1 + before.length
        const trailingComma = before.endsWith(',')
        edits.push({ start: at, end: at, text: `${trailingComma ? '' : ','} ${entries}` })
      }
      return { edits }
    }
    // Block map: new lines after the map's last entry, at its indentation.
    const first = map.items[0]!
    const indent = this.columnOf((first.key as Node).range![0])
    const last = map.items[map.items.length - 1]!
    const lastEnd = ((last.value as Node | null)?.range ?? (last.key as Node).range!)[1]
    const lineEnd = this.endOfLine(lastEnd)
    const lines = missing.map(([s, l]) => `${' '.repeat(indent)}${s}: ${l}${this.comment(s, l)}`)
    edits.push(this.insertLines(lineEnd, lines))
    return { edits }
  }

  /** The job has no block: add one under its key, keeping what it has today. */
  private addBlock(
    fix: PermissionFix,
    jobPair: Pair,
    job: YAMLMap,
    root: YAMLMap,
  ): { edits: Edit[] } | { reason: string } {
    const workflowBlock = pairValue(root, 'permissions')
    let base: Map<string, string>
    if (workflowBlock !== undefined) {
      const resolved = this.resolve(workflowBlock)
      const s = resolved && isScalar(resolved) ? String(resolved.value ?? '') : undefined
      if (s === 'read-all') {
        return {
          reason:
            "the workflow's block is read-all: give the job its own block listing the scopes it needs and packages: write",
        }
      }
      if (s === 'write-all') return { edits: [] }
      const have = this.scopesOf(resolved)
      if (!have) return { reason: "the workflow's permissions value is not a scope map" }
      base = have
    } else {
      base = new Map()
      if (usesCheckout(job) && !('contents' in fix.scopes)) base.set('contents', 'read')
    }
    const merged = mergeScopes(base, fix.scopes)
    if (job.items.length === 0) return { reason: `job "${fix.job}" is empty` }
    const jobKeyCol = this.columnOf((jobPair.key as Node).range![0])
    const childCol = this.columnOf((job.items[0]!.key as Node).range![0])
    const step = Math.max(2, childCol - jobKeyCol)
    const pad = ' '.repeat(childCol)
    const lines = [`${pad}permissions:`]
    for (const [scope, level] of merged) {
      lines.push(`${pad}${' '.repeat(step)}${scope}: ${level}${this.comment(scope, level)}`)
    }
    // Right after the job's key line, before its first entry.
    const keyEnd = (jobPair.key as Node).range![1]
    return { edits: [this.insertLines(this.endOfLine(keyEnd), lines)] }
  }

  private comment(scope: string, level: string): string {
    return scope === 'packages' && level === 'write' ? ` # to push to ${this.registry}` : ''
  }

  /** The scopes of a block as written ({} included), or undefined when it is not a scope map. */
  private scopesOf(node: Node | null | undefined): Map<string, string> | undefined {
    const n = this.resolve(node)
    if (!n || !isMap(n)) return undefined
    const out = new Map<string, string>()
    for (const p of n.items) {
      const k = this.resolve(p.key as Node)
      const v = this.resolve(p.value as Node)
      if (!k || !isScalar(k) || !v || !isScalar(v)) return undefined
      out.set(String(k.value), String(v.value ?? ''))
    }
    return out
  }

  private resolve(node: Node | null | undefined): Node | undefined {
    if (!node) return undefined
    if (isAlias(node)) return this.anchors.get(node.source)
    return node
  }

  private columnOf(offset: number): number {
    return this.lines.linePos(offset).col - 1
  }

  /** Offset just after the end of the line holding `offset` (past its newline; the text's end otherwise). */
  private endOfLine(offset: number): number {
    const nl = this.text.indexOf('\n', offset)
    return nl < 0 ? this.text.length : nl + 1
  }

  private insertLines(at: number, lines: string[]): Edit {
    // At the very end of a file without a final newline, start a new line first.
    const needsBreak = at === this.text.length && this.text.length > 0 && !this.text.endsWith('\n')
    const body = lines.join(this.eol)
    return { start: at, end: at, text: needsBreak ? this.eol + body : body + this.eol }
  }
}

function mergeScopes(base: Map<string, string>, need: Record<string, Level>): Map<string, string> {
  const out = new Map(base)
  const add: Array<[string, Level]> = []
  for (const [scope, level] of Object.entries(need)) {
    const have = out.get(scope)
    if (have === undefined) add.push([scope, level])
    else if ((RANK[have] ?? -1) < RANK[level]!) out.set(scope, level)
  }
  // New scopes after the existing ones, packages last (it is the one this tool is about).
  add.sort(([a], [b]) => (a === 'packages' ? 1 : b === 'packages' ? -1 : 0))
  for (const [scope, level] of add) out.set(scope, level)
  return out
}

function flowMap(scopes: Map<string, string>): string {
  return `{ ${[...scopes].map(([s, l]) => `${s}: ${l}`).join(', ')} }`
}

function replaceScalar(text: string, node: Scalar, level: Level): Edit {
  const [start, end] = [node.range![0], node.range![1]]
  const source = text.slice(start, end)
  const quote = source.startsWith("'") ? "'" : source.startsWith('"') ? '"' : ''
  return { start, end, text: `${quote}${level}${quote}` }
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => {
    const k = p.key as Node | null
    return !!k && isScalar(k) && String(k.value) === key
  }) as Pair | undefined
}

function pairValue(map: YAMLMap, key: string): Node | undefined {
  const pair = findPair(map, key)
  return (pair?.value as Node | null | undefined) ?? undefined
}

/** actions/checkout in the job's steps: it needs contents: read once the job has a block. */
function usesCheckout(job: YAMLMap): boolean {
  const steps = pairValue(job, 'steps')
  if (!steps) return false
  let found = false
  visit(steps, {
    Scalar(_k, n) {
      if (typeof n.value === 'string' && /^actions\/checkout@/i.test(n.value.trim())) {
        found = true
        return visit.BREAK
      }
      return undefined
    },
  })
  return found
}
