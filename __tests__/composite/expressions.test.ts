// The expression evaluator the composite tests rely on, checked against the rules in GitHub's
// "Evaluate expressions in workflows and actions" documentation.

import { describe, expect, it } from '@jest/globals'
import {
  ExpressionError,
  evaluateCondition,
  evaluateExpression,
  evaluateTemplate,
  interpolate,
  looseEquals,
  splitTemplate,
  type ExpressionContext,
} from '../helpers/expressions.js'

const ctx: ExpressionContext = {
  contexts: {
    inputs: { login: 'true', 'github-token': 'ghs_abc', push: true, count: 3, empty: '' },
    steps: {
      preflight: { outputs: { 'can-push': 'true', result: 'ready', registry: 'ghcr.io' } },
    },
    github: {
      repository: 'Craig/Repo',
      server_url: 'https://github.com',
      event: { labels: ['bug', 'Docker'], pull_request: { number: 7 } },
    },
    env: { MODE: 'Release' },
  },
}

describe('literals', () => {
  it.each([
    ["'it''s'", "it's"],
    ["''", ''],
    ['true', true],
    ['false', false],
    ['null', null],
    ['42', 42],
    ['-9.5', -9.5],
    ['0xff', 255],
    ['1e3', 1000],
    ['NaN', NaN],
  ])('%s', (source, expected) => {
    expect(evaluateExpression(source, ctx)).toEqual(expected)
  })
})

describe('context access', () => {
  it.each([
    ['inputs.login', 'true'],
    ['inputs.github-token', 'ghs_abc'],
    ['steps.preflight.outputs.can-push', 'true'],
    ["steps['preflight'].outputs['result']", 'ready'],
    ['STEPS.Preflight.OUTPUTS.Registry', 'ghcr.io'],
    ['steps.missing.outputs.result', null],
    ['github.event.labels[1]', 'Docker'],
    ['github.event.labels[5]', null],
    ['github.event.pull_request.number', 7],
    ['env.MODE', 'Release'],
    ['inputs.login.nested', null],
  ])('%s', (source, expected) => {
    expect(evaluateExpression(source, ctx)).toEqual(expected)
  })

  it('rejects an unknown context name, as the runner does', () => {
    expect(() => evaluateExpression('step.preflight.outputs.result', ctx)).toThrow(
      "Unrecognized named-value: 'step'",
    )
  })
})

describe('operators', () => {
  it.each([
    // Strings compare without regard to case.
    ["'READY' == 'ready'", true],
    ["inputs.login == 'TRUE'", true],
    ["inputs.login != 'true'", false],
    // Mismatched types are compared as numbers.
    ["'1' == 1", true],
    ["'' == 0", true],
    ['null == 0', true],
    ['true == 1', true],
    ["'true' == true", false],
    ["'abc' == 0", false],
    ['NaN == NaN', false],
    ['github.event == github.event', true],
    ["github.event.labels == 'Array'", false],
    ['inputs.count > 2', true],
    ["inputs.count <= '3'", true],
    ["'b' > 'A'", true],
    // && and || return an operand, not a boolean.
    ["inputs.login && 'yes'", 'yes'],
    ["inputs.empty && 'yes'", ''],
    ["inputs.empty || 'fallback'", 'fallback'],
    ["inputs.login || 'fallback'", 'true'],
    ['!inputs.empty', true],
    ['!!inputs.count', true],
    ['!(inputs.count == 3)', false],
    ["inputs.push && steps.preflight.outputs.can-push == 'true'", true],
    ['(true || false) && !(false)', true],
    ["false || null || ''", ''],
  ])('%s', (source, expected) => {
    expect(evaluateExpression(source, ctx)).toEqual(expected)
  })

  it('binds == tighter than && and && tighter than ||', () => {
    expect(evaluateExpression('true || false && false', ctx)).toBe(true)
    expect(evaluateExpression("'a' == 'a' && 'b' == 'c'", ctx)).toBe(false)
  })

  it('short-circuits, so the right side is not evaluated', () => {
    expect(evaluateExpression('false && nosuchcontext.x', ctx)).toBe(false)
    expect(evaluateExpression('true || nosuchcontext.x', ctx)).toBe(true)
  })
})

describe('functions', () => {
  it.each([
    ["format('{0}/{1}', github.server_url, github.repository)", 'https://github.com/Craig/Repo'],
    ["format('{{literal}} {0}', 1)", '{literal} 1'],
    ["format('{0}{0}', 'x')", 'xx'],
    ["contains('Hello World', 'WORLD')", true],
    ["contains(github.event.labels, 'docker')", true],
    ["contains(github.event.labels, 'feature')", false],
    ["startsWith(github.repository, 'craig/')", true],
    ["endsWith(github.repository, 'REPO')", true],
    ["StartsWith('abc', 'b')", false],
    ["join(github.event.labels, ', ')", 'bug, Docker'],
    ['fromJSON(\'{"a":[1,2]}\').a[1]', 2],
    ['toJSON(inputs.count)', '3'],
    ['success()', true],
    ['always()', true],
    ['failure()', false],
  ])('%s', (source, expected) => {
    expect(evaluateExpression(source, ctx)).toEqual(expected)
  })

  it.each([
    ["format('{1}', 'only one')", 'invalid placeholder'],
    ["format('{0', 'x')", 'invalid placeholder'],
    ["format('a}', 'x')", "unmatched '}'"],
    ["contains('a')", 'Wrong number of arguments'],
    ['nosuch()', "Unrecognized function: 'nosuch'"],
  ])('%s fails with a clear message', (source, message) => {
    expect(() => evaluateExpression(source, ctx)).toThrow(message)
  })

  it('follows the job status', () => {
    const failed: ExpressionContext = { ...ctx, jobStatus: 'failure' }
    expect(evaluateExpression('success()', failed)).toBe(false)
    expect(evaluateExpression('failure()', failed)).toBe(true)
    expect(evaluateExpression('always()', failed)).toBe(true)
  })
})

describe('syntax errors', () => {
  it.each([
    ["'unterminated", 'Unterminated string'],
    ['inputs.', 'expected a property name'],
    ['(true', "expected ')'"],
    ['true true', "unexpected 'true'"],
    ['a = b', "Unexpected character '='"],
    ['', 'Empty expression'],
  ])('%s', (source, message) => {
    expect(() => evaluateExpression(source, ctx)).toThrow(ExpressionError)
    expect(() => evaluateExpression(source, ctx)).toThrow(message)
  })
})

describe('templates', () => {
  it.each([
    ['plain text', 'plain text'],
    ['${{ inputs.login }}', 'true'],
    ['${{inputs.count}}', '3'],
    ['${{ github.server_url }}/${{ github.repository }}', 'https://github.com/Craig/Repo'],
    ["x=${{ '}}' }}", 'x=}}'],
    ["${{ 'it''s }}' }}!", "it's }}!"],
    ['${{ steps.missing.outputs.x }}', ''],
    ['${{ inputs.push }}', 'true'],
    ['${{ github.event }}', 'Object'],
    ['${{ github.event.labels }}', 'Array'],
    ['a\n${{ env.MODE }}\nb', 'a\nRelease\nb'],
  ])('%j', (template, expected) => {
    expect(interpolate(template, ctx)).toBe(expected)
  })

  it('keeps the type of a value that is exactly one expression', () => {
    expect(evaluateTemplate('${{ inputs.push }}', ctx)).toBe(true)
    expect(evaluateTemplate(' ${{ inputs.push }}', ctx)).toBe(' true')
  })

  it('reports an unclosed expression', () => {
    expect(() => splitTemplate('${{ inputs.login ')).toThrow("Unclosed '${{'")
  })
})

describe('conditions', () => {
  it.each([
    ["inputs.login == 'true'", 'success', true],
    ["${{ inputs.login == 'true' }}", 'success', true],
    ["inputs.login == 'false'", 'success', false],
    // Without a status function the condition is success() && (…).
    ["inputs.login == 'true'", 'failure', false],
    ["always() && inputs.login == 'true'", 'failure', true],
    ["failure() && inputs.login == 'true'", 'failure', true],
    ['failure()', 'success', false],
    ['', 'success', true],
    ['', 'failure', false],
    // Text outside ${{ }} turns the condition into a non-empty string: always true.
    ["${{ inputs.login }} == 'false'", 'success', true],
    ['false', 'success', false],
  ] as const)('%j with job %s → %s', (condition, status, expected) => {
    expect(evaluateCondition(condition, { ...ctx, jobStatus: status })).toBe(expected)
  })
})

describe('looseEquals', () => {
  it('is symmetric over a mixed sample of values', () => {
    const values: unknown[] = [
      null,
      true,
      false,
      0,
      1,
      -1,
      '',
      '0',
      '1',
      'true',
      'TRUE',
      'x',
      [],
      {},
    ]
    for (const a of values) {
      for (const b of values) expect(looseEquals(a, b)).toBe(looseEquals(b, a))
    }
  })
})
