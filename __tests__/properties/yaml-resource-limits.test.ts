// Property: hostile YAML (alias bombs, deep nesting, huge flow collections, nested collection
// keys) costs parseWorkflow bounded time and memory and ends in a clean { ok: false } where the
// file cannot be a workflow.
//
// Time is bounded relative to a benign workflow of the same size parsed in the same test,
// interleaved with the hostile one: an absolute limit fails a correct parser on a loaded
// machine, while the blow-ups this guards against (an expanded alias bomb, a quadratic flow
// map, the nested-key stringification that took minutes) cost hundreds to thousands of times
// a benign file. Memory is not stretched by load and keeps its absolute bound.
/* eslint-disable jest/expect-expect -- each property asserts inside its predicate */

import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { ParseResult } from '../../src/workflow/model.js'
import { parseWorkflow } from '../../src/workflow/parse.js'
import { MAX_NESTING } from '../../src/workflow/nesting.js'
import {
  benignWorkflow,
  costAgainstBenign,
  COST_RATIO,
  FLOOR_CHARS,
} from './support/benign-workflow.js'
import { CASE_COUNTS, runs } from './support/fast-check-settings.js'

const HEAP_LIMIT_BYTES = 50 * 1024 * 1024

// A real collection between measurements, so retained memory is measured rather than garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

interface Cost {
  result: ParseResult
  /** Fastest parse of the hostile text, and of a benign workflow of the same size, in ms. */
  ms: number
  benignMs: number
  /** Heap growth during the call: live data the parse built (an expanded alias bomb would show here). */
  grown: number
  /** Heap still held after a full collection, with the result alive (checked every 10th case). */
  retained: number
}

let calls = 0
/** The highest hostile / benign ratio seen per property, reported after the run. */
const worst = new Map<string, { ratio: number; what: string }>()

function measure(text: string): Cost {
  // A forced collection costs ~20 ms, so only every 10th case measures what stays retained.
  const full = calls++ % 10 === 0
  if (full) gc()
  const before = process.memoryUsage().heapUsed
  const start = performance.now()
  const result = parseWorkflow(text, '.github/workflows/hostile.yml')
  const firstMs = performance.now() - start
  const grown = process.memoryUsage().heapUsed - before
  let retained = 0
  if (full) {
    gc()
    retained = process.memoryUsage().heapUsed - before
  }
  // Keep the result reachable until after the collection.
  expect(result).toBeDefined()
  const { ms, benignMs } = costAgainstBenign(text, read, COST_RATIO, firstMs)
  return { result, ms, benignMs, grown, retained }
}

function read(text: string): ParseResult {
  return parseWorkflow(text, '.github/workflows/hostile.yml')
}

function expectBounded(cost: Cost, property: string, what: string): void {
  const ratio = cost.ms / cost.benignMs
  if (ratio > (worst.get(property)?.ratio ?? 0)) worst.set(property, { ratio, what })
  expect({ what, slow: ratio > COST_RATIO ? `${ratio.toFixed(1)}× a benign file` : false }).toEqual(
    { what, slow: false },
  )
  const heap = Math.max(cost.grown, cost.retained)
  expect({ what, heavy: heap >= HEAP_LIMIT_BYTES ? heap : false }).toEqual({
    what,
    heavy: false,
  })
}

afterAll(() => {
  const lines = [...worst].map(([p, w]) => `${p}: ${w.ratio.toFixed(1)}× (${w.what})`)
  console.log(
    `hostile / benign parse time, worst per property (limit ${COST_RATIO}×):\n${lines.join('\n')}`,
  )
})

function expectCleanFailure(result: ParseResult, pattern?: RegExp): void {
  expect(result.ok).toBe(false)
  if (result.ok) return
  expect(result.message.trim()).not.toBe('')
  expect(result.message).not.toMatch(/\n\s+at /)
  expect(result.message.length).toBeLessThan(400)
  if (pattern) expect(result.message).toMatch(pattern)
}

// ---- alias bombs -----------------------------------------------------------------------------

interface Bomb {
  depth: number
  width: number
  style: 'flow-seq' | 'block-seq' | 'flow-map'
  leaf: string
  where: 'top' | 'env' | 'steps' | 'with' | 'permissions'
}

const bombArb: fc.Arbitrary<Bomb> = fc
  .record({
    depth: fc.integer({ min: 3, max: 9 }),
    width: fc.integer({ min: 2, max: 12 }),
    style: fc.constantFrom<Bomb['style']>('flow-seq', 'block-seq', 'flow-map'),
    leaf: fc.constantFrom('"lol"', 'lol', '{ a: b }', '[x, y]'),
    where: fc.constantFrom<Bomb['where']>('top', 'env', 'steps', 'with', 'permissions'),
  })
  // Only real bombs: at least 100,000 nodes once every alias is expanded.
  .filter((b) => b.width ** b.depth >= 100_000)

function bombText(b: Bomb): string {
  const lines: string[] = ['on: push']
  const anchor = (i: number) => `l${i}`
  const collection = (items: string[], indent: string): string => {
    if (b.style === 'flow-seq') return `[${items.join(', ')}]`
    if (b.style === 'flow-map') return `{ ${items.map((v, i) => `k${i}: ${v}`).join(', ')} }`
    return '\n' + items.map((v) => `${indent}- ${v}`).join('\n')
  }
  const defs: string[] = []
  for (let level = 0; level < b.depth; level++) {
    const items = Array.from({ length: b.width }, () =>
      level === 0 ? b.leaf : `*${anchor(level - 1)}`,
    )
    defs.push(`x-${level}: &${anchor(level)} ${collection(items, '  ')}`)
  }
  const top = `*${anchor(b.depth - 1)}`
  if (b.where === 'top') lines.push(...defs, `x-bomb: ${top}`, 'jobs:', '  a:', '    steps: []')
  else {
    // Anchors defined where GitHub allows them (any value), then used inside the job.
    lines.push(...defs, 'jobs:', '  a:', '    runs-on: ubuntu-latest')
    if (b.where === 'env') lines.push(`    env: ${top}`, '    steps: [{ run: echo }]')
    if (b.where === 'permissions') lines.push(`    permissions: ${top}`)
    if (b.where === 'steps') lines.push(`    steps: ${top}`)
    if (b.where === 'with') {
      lines.push(
        '    steps:',
        '      - uses: craigedmunds/ghcr-preflight@v1',
        `        with: ${top}`,
      )
    }
  }
  return lines.join('\n') + '\n'
}

// ---- deep nesting ----------------------------------------------------------------------------

type Nesting = 'flow-seq' | 'flow-map' | 'block-map' | 'block-seq' | 'explicit-key' | 'map-key'

const nestingArb = fc.record({
  kind: fc.constantFrom<Nesting>(
    'flow-seq',
    'flow-map',
    'block-map',
    'block-seq',
    'explicit-key',
    'map-key',
  ),
  depth: fc.oneof(
    fc.integer({ min: 1, max: 300 }),
    fc.integer({ min: 300, max: 2_000 }),
    fc.integer({ min: 2_000, max: 50_000 }),
  ),
  closed: fc.boolean(),
  underJobs: fc.boolean(),
})

function nestedText(n: { kind: Nesting; depth: number; closed: boolean; underJobs: boolean }) {
  const d = n.kind === 'block-map' ? Math.min(n.depth, 700) : n.depth
  let body: string
  switch (n.kind) {
    case 'flow-seq':
      body = '['.repeat(d) + (n.closed ? ']'.repeat(d) : '')
      break
    case 'flow-map':
      body = '{a: '.repeat(d) + 'x' + (n.closed ? '}'.repeat(d) : '')
      break
    case 'block-map':
      body = '\n' + Array.from({ length: d }, (_, i) => `${' '.repeat(i + 6)}a:`).join('\n') + ' x'
      break
    case 'block-seq':
      body = '\n      ' + '- '.repeat(d) + 'x'
      break
    case 'explicit-key':
      body = '\n      ' + '? '.repeat(d) + 'x'
      break
    case 'map-key':
      // Mappings used as keys: the YAML library stringified each level again (minutes at 500).
      body = '{'.repeat(d) + 'a' + ': b}'.repeat(n.closed ? d : 0)
      break
  }
  return { depth: d, text: n.underJobs ? `on: push\njobs:\n  a:\n    steps: ${body}\n` : body }
}

// ---- huge flow collections -------------------------------------------------------------------

const hugeArb = fc.record({
  kind: fc.constantFrom('numbers', 'steps', 'strings', 'map'),
  // Up to 64 KB: the YAML library needs ~0.3 s per 100 KB of flow sequence on this machine, and
  // a flow map of tens of thousands of keys grows quadratically (see the report).
  items: fc.integer({ min: 1_000, max: 8_000 }),
})

function hugeText(h: { kind: string; items: number }): string {
  const n = h.items
  switch (h.kind) {
    case 'numbers':
      return `on: push\njobs:\n  a:\n    steps: [${Array(n).fill('1').join(',')}]\n`
    case 'steps':
      return `on: push\njobs:\n  a:\n    steps: [${Array(n).fill('{ run: echo }').join(', ')}]\n`
    case 'strings':
      return `[${Array.from({ length: n }, (_, i) => `"s${i}"`).join(', ')}]`
    default:
      return `on: push\nenv: {${Array.from({ length: n >> 2 }, (_, i) => `K${i}: v`).join(', ')}}\njobs: {}\n`
  }
}

describe('hostile YAML costs bounded time and memory', () => {
  it('alias bombs are refused quickly with an alias message', () => {
    fc.assert(
      fc.property(bombArb, (b) => {
        const text = bombText(b)
        const cost = measure(text)
        expectBounded(cost, 'alias bombs', `${b.style} ${b.width}^${b.depth} in ${b.where}`)
        expectCleanFailure(cost.result, /alias/i)
      }),
      runs(CASE_COUNTS.yamlAliasBombs),
    )
  })

  it('deep nesting is refused or read within the bounds, never crashing', () => {
    fc.assert(
      fc.property(nestingArb, (n) => {
        const { depth, text } = nestedText(n)
        const cost = measure(text)
        expectBounded(cost, 'deep nesting', `${n.kind} depth ${depth}`)
        if (!cost.result.ok) expectCleanFailure(cost.result)
        // Beyond the guard nothing is parsed; the YAML library alone would overflow its stack.
        if (depth > MAX_NESTING + 10) expectCleanFailure(cost.result)
      }),
      runs(CASE_COUNTS.yamlDeepNesting),
    )
  })

  it('huge flow collections are read within the bounds', () => {
    fc.assert(
      fc.property(hugeArb, (h) => {
        const cost = measure(hugeText(h))
        expectBounded(cost, 'huge flow collections', `${h.kind} × ${h.items}`)
        // Only the top-level list is not a workflow; the others are read.
        expect({ kind: h.kind, ok: cost.result.ok }).toEqual({
          kind: h.kind,
          ok: h.kind !== 'strings',
        })
      }),
      runs(CASE_COUNTS.yamlHugeFlow),
    )
  })
})

describe('the benign yardstick', () => {
  it.each([FLOOR_CHARS, 20_000, 64 * 1024, 123_457])(
    '%i characters: exact size, a valid workflow',
    (n) => {
      const text = benignWorkflow(n)
      expect(text.length).toBe(n)
      const parsed = parseWorkflow(text, 'benign.yml')
      expect(parsed.ok && parsed.workflow.jobs.length > 0).toBe(true)
    },
  )
})
