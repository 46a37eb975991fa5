// Regression tests for hostile-input limits found by the property suite (__tests__/properties):
// nested collection keys that took minutes, deep nesting that took seconds or overflowed the
// parser's stack, and error messages that quoted a whole megabyte-long token. Time is measured
// against a benign workflow of the same size in the same test (absolute limits fail on a
// loaded machine): reading may cost a bounded multiple of it, refusing no more than it.

import { describe, expect, it } from '@jest/globals'
import { parseWorkflow } from '../../src/workflow/parse.js'
import { MAX_NESTING, nestingOver } from '../../src/workflow/nesting.js'
import { costAgainstBenign, COST_RATIO } from '../properties/support/benign-workflow.js'

const read = (text: string) => parseWorkflow(text, 'f.yml')

/** The parse result, and its cost as a multiple of a benign workflow of the same size. */
function timed(text: string, limit = COST_RATIO) {
  return { result: read(text), ratio: costAgainstBenign(text, read, limit).ratio }
}

describe('parseWorkflow on hostile input', () => {
  it.each([
    // Before the fix the YAML library stringified each key level again: ~20 s and ~40 s.
    ['mappings as keys, 350 deep', `${'{'.repeat(350)}a${': b}'.repeat(350)}`],
    ['explicit keys, 190 deep', `${'? '.repeat(190)}x`],
  ])('%s: read at a bounded multiple of a benign file', (_name, text) => {
    const { result, ratio } = timed(text)
    expect(ratio).toBeLessThanOrEqual(COST_RATIO)
    expect(result.ok).toBe(true)
  })

  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x\n'
  it.each([
    // [name, text, the line where the nesting bound is crossed]
    ['flow sequences', '['.repeat(200_000), 1],
    ['flow mappings', `${'{a: '.repeat(100_000)}x`, 1],
    ['compact sequences', `on: push\njobs:\n  - ${'- '.repeat(5_000)}x\n`, 3],
    ['indentation', lines(600), 402],
    ['flow inside a job', `on: push\njobs:\n  a:\n    steps: ${'['.repeat(1_000)}\n`, 4],
  ])('%s: refused with the line, cheaper than reading a benign file', (_name, text, line) => {
    const { result, ratio } = timed(text, 1)
    expect(ratio).toBeLessThanOrEqual(1)
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^nested more than 400 levels deep/),
      line,
    })
  })

  it('cuts a YAML error that quotes a huge token', () => {
    const token = 'a'.repeat(100_000)
    const result = read(`${token}\n#\n${token}\n`)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.message).toMatch(/^not valid YAML: Unexpected scalar/)
    expect(result.message.length).toBeLessThanOrEqual(220)
    expect(result.message.endsWith('...')).toBe(true)
  })
})

describe('nestingOver', () => {
  it.each([
    // Real workflow shapes stay far below the bound.
    [
      'a block scalar full of balanced brackets',
      `run: |\n${'  if [[ -f x ]]; then echo {}; fi\n'.repeat(2000)}`,
    ],
    ['brackets inside quotes', `a: "${'['.repeat(1000)}"\nb: '${'{'.repeat(1000)}'\n`],
    ['brackets inside comments', `# ${'['.repeat(1000)}\na: 1\n`],
    ['400 levels exactly', '['.repeat(MAX_NESTING)],
  ])('%s: under the bound', (_name, text) => {
    expect(nestingOver(text)).toBeUndefined()
  })

  it('counts indentation and compact indicators as levels', () => {
    expect(nestingOver(`${' '.repeat(MAX_NESTING)}a: 1`)).toBeUndefined()
    expect(nestingOver(`${' '.repeat(MAX_NESTING + 1)}a: 1`)).toEqual({ offset: MAX_NESTING + 1 })
    expect(nestingOver(`${'- '.repeat(MAX_NESTING / 2 + 1)}x`)).toEqual({
      offset: MAX_NESTING + 2,
    })
  })
})

describe('parseWorkflow: duplicate keys', () => {
  it('reports the repeated key at its own line (GitHub rejects such a file)', () => {
    const text = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: x',
      '  build:',
      '    runs-on: y',
      '',
    ].join('\n')
    const r = parseWorkflow(text, 'f.yml')
    expect(r).toMatchObject({ ok: false, line: 5, column: 3 })
    expect(r.ok ? '' : r.message).toContain('Map keys must be unique ("build" is repeated)')
  })

  it('keeps a large flow mapping linear: 90,000 keys', () => {
    const keys = Array.from({ length: 90_000 }, (_, i) => `k${i}: 1`).join(', ')
    const { result, ratio } = timed(`on: push\njobs: {${keys}, k5: 2}\n`)
    expect(result.ok ? '' : result.message).toContain('"k5" is repeated')
    // Before: yaml's pairwise check took ~12 s on half this size (quadratic: about 80× a benign file at this size).
    expect(ratio).toBeLessThanOrEqual(COST_RATIO)
  })
})
