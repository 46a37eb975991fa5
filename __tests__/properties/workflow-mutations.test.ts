// Property: damaged workflow files never crash the analysis. Valid generated workflows are
// mutated (characters deleted, inserted or duplicated, truncation, tabs, NULs, very long lines)
// and parseWorkflow / analyseRunningJob / lintFiles must return a model or a clean
// { ok: false } with a message, and findings that point inside the file. When the damaged text
// is still YAML, the analysis must still agree with the reference model.
/* eslint-disable jest/expect-expect -- each property asserts inside its predicate */

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parseDocument } from 'yaml'
import { FINDING_IDS, type Place } from '../../src/findings/types.js'
import { analyseRunningJob } from '../../src/workflow/analyse.js'
import { lintFiles } from '../../src/workflow/lint-files.js'
import { MAX_ALIAS_COUNT, parseWorkflow } from '../../src/workflow/parse.js'
import { effectivePermission } from '../../src/workflow/permissions.js'
import { CASE_COUNTS, runs } from './support/fast-check-settings.js'
import { packagesPermission } from './support/permission-model.js'
import { serialisedWorkflowArb } from './support/workflow-text.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}
const FILE = '.github/workflows/build.yml'

/** Characters that change YAML structure, plus ones that are not allowed in YAML at all. */
const NASTY = [
  '\t',
  '\0',
  ':',
  '-',
  '&',
  '*',
  '!',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '\n',
  '\r',
  ' ',
  '|',
  '>',
  '%',
  '@',
  '`',
  '?',
  ',',
  '\uFEFF',
  '\u2028',
  '\uD800',
  '\u0085',
  '\x7F',
  '\x1B',
  '…',
  '𝒳',
]

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; chars: string }
  | { kind: 'duplicate'; from: number; length: number; to: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'tabs'; line: number }
  | { kind: 'long-line'; line: number; length: number; char: string }
  | { kind: 'swap-lines'; a: number; b: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    chars: fc.oneof(
      fc.constantFrom(...NASTY),
      fc.array(fc.constantFrom(...NASTY), { minLength: 2, maxLength: 6 }).map((a) => a.join('')),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
    to: fc.nat(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('tabs' as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant('long-line' as const),
    line: fc.nat(),
    // Mostly long, rarely huge: a 200 KB line costs the YAML library tens of milliseconds.
    length: fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: 1_000, max: 20_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 50_000, max: 200_000 }) },
    ),
    char: fc.constantFrom('a', ' ', '#', '[', '-', 'é'),
  }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
)

function mutate(text: string, m: Mutation): string {
  const n = text.length
  const lines = text.split('\n')
  switch (m.kind) {
    case 'delete': {
      const at = n ? m.at % n : 0
      return text.slice(0, at) + text.slice(at + m.length)
    }
    case 'insert': {
      const at = m.at % (n + 1)
      return text.slice(0, at) + m.chars + text.slice(at)
    }
    case 'duplicate': {
      const from = n ? m.from % n : 0
      const piece = text.slice(from, from + m.length)
      const to = m.to % (n + 1)
      return text.slice(0, to) + piece + text.slice(to)
    }
    case 'truncate':
      return text.slice(0, m.at % (n + 1))
    case 'tabs': {
      const i = m.line % lines.length
      lines[i] = lines[i]!.replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length >> 1)))
      return lines.join('\n')
    }
    case 'long-line': {
      const i = m.line % (lines.length + 1)
      lines.splice(i, 0, m.char.repeat(m.length))
      return lines.join('\n')
    }
    case 'swap-lines': {
      const a = m.a % lines.length
      const b = m.b % lines.length
      ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
      return lines.join('\n')
    }
  }
}

const mutatedArb = fc
  .tuple(serialisedWorkflowArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 }))
  .map(([w, ms]) => ms.reduce(mutate, w.text))

function lineCount(text: string): number {
  return text.split('\n').length
}

const VALUES = ['write', 'read', 'none', 'default', 'invalid']

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * yaml's Maps as plain objects, keeping only scalar keys as the workflow reader does (a mapping
 * used as a key is skipped there; stringifying it here would cost time for nothing).
 */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain)
  if (!(v instanceof Map)) return v
  const out: Record<string, unknown> = {}
  for (const [k, value] of v) {
    if (typeof k === 'object' && k !== null) continue
    out[String(k ?? '')] = toPlain(value)
  }
  return out
}

function longestIndent(text: string): number {
  return Math.max(...text.split('\n').map((l) => /^[ ?:-]*/.exec(l)![0].length))
}

/** Lines and columns a finding or error gives must exist in the file. */
function expectInside(pos: { line?: number; column?: number }, lines: number): void {
  expect(pos.line ?? 1).toBeGreaterThanOrEqual(1)
  expect(pos.line ?? 1).toBeLessThanOrEqual(lines)
  expect(pos.column ?? 1).toBeGreaterThanOrEqual(1)
}

function survivesDamage(text: string): void {
  const lines = lineCount(text)
  const parsed = parseWorkflow(text, FILE)
  if (parsed.ok) {
    for (const job of parsed.workflow.jobs) {
      const got = analyseRunningJob(parsed.workflow, job.id, place, FILE)
      // A job with `uses:` calls a reusable workflow and runs no step of its own: it has no
      // running permission to report, and says so (workflow-job-not-found) instead.
      const expected = job.uses
        ? { value: undefined, ids: ['workflow-job-not-found'] }
        : { value: expect.stringMatching(`^(${VALUES.join('|')})$`), ids: expect.any(Array) }
      expect({ value: got.packages?.value, ids: got.findings.map((f) => f.id) }).toEqual(expected)
      for (const f of got.findings) expectInside(f, lines)
    }
  } else {
    expect(parsed.message).toEqual(expect.any(String))
    expect(parsed.message.trim()).not.toBe('')
    // A message, not a stack trace or a copy of a huge line.
    expect(parsed.message).not.toMatch(/\n\s+at /)
    expect(parsed.message.length).toBeLessThan(1000)
    expectInside(parsed, lines)
  }
  const findings = lintFiles([{ path: FILE, text }], { place })
  for (const f of findings) {
    expect(FINDING_IDS).toContain(f.id)
    expect(f.file).toBe(FILE)
    expectInside(f, lines)
  }
  expect(findings.some((f) => f.id === 'workflow-unreadable')).toBe(!parsed.ok)
}

function judgedBySameRules(text: string): void {
  const parsed = parseWorkflow(text, FILE)
  // The nesting guard refuses texts the YAML library might still read; it over-counts on
  // purpose, so only check that it fired on a text that really has hundreds of brackets.
  if (!parsed.ok && parsed.message.startsWith('nested more than')) {
    expect((text.match(/[[{]/g) ?? []).length + longestIndent(text)).toBeGreaterThan(400)
    return
  }
  const doc = parseDocument(text, { uniqueKeys: true })
  let plain: unknown
  try {
    plain = doc.errors.length
      ? undefined
      : toPlain(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT, mapAsMap: true }))
  } catch {
    plain = undefined
  }
  // The independent load and the product agree on whether this is a workflow at all.
  expect(parsed.ok).toBe(isMap(plain))
  if (!parsed.ok || !isMap(plain)) return
  const jobs = isMap(plain.jobs) ? plain.jobs : {}
  for (const job of parsed.workflow.jobs) {
    if (!Object.prototype.hasOwnProperty.call(jobs, job.id)) continue
    const model = packagesPermission(plain, job.id)
    const eff = effectivePermission(parsed.workflow, job)
    expect({ job: job.id, value: eff.value, level: eff.level }).toEqual({
      job: job.id,
      value: model.value,
      level: model.level,
    })
  }
}

describe('damaged workflow files', () => {
  it('parseWorkflow, analyseRunningJob and lintFiles never throw and stay inside the file', () => {
    fc.assert(fc.property(mutatedArb, survivesDamage), runs(CASE_COUNTS.workflowMutations))
  })

  it('a damaged file that is still YAML is judged by the same rules', () => {
    fc.assert(
      fc.property(mutatedArb, judgedBySameRules),
      runs(CASE_COUNTS.workflowModelOnMutations),
    )
  })
})
