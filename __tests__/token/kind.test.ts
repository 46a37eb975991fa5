import { describe, expect, it } from '@jest/globals'
import { classifyToken, describeTokenKind, type TokenKind } from '../../src/token/kind.js'

const run = 'ghs_' + 'R'.repeat(36)

describe('classifyToken', () => {
  it.each<[string, TokenKind]>([
    ['', 'empty'],
    ['   ', 'empty'],
    [run, 'actions'],
    [` ${run}\n`, 'actions'],
    ['ghs_' + 'O'.repeat(36), 'app'],
    ['ghp_' + 'a'.repeat(36), 'classic'],
    ['github_pat_' + 'a'.repeat(22) + '_' + 'b'.repeat(59), 'fine-grained'],
    ['gho_' + 'a'.repeat(36), 'oauth'],
    ['ghu_' + 'a'.repeat(36), 'user-to-server'],
    ['0123456789abcdef0123456789abcdef01234567', 'unknown'],
  ])('%#: classifies as %s', (value, kind) => {
    expect(classifyToken(value, run)).toBe(kind)
  })

  it('does not call an empty run token a match', () => {
    expect(classifyToken('ghs_x', '')).toBe('app')
  })

  it('describes every kind without echoing a value', () => {
    const kinds: TokenKind[] = [
      'empty',
      'actions',
      'classic',
      'fine-grained',
      'app',
      'oauth',
      'user-to-server',
      'unknown',
    ]
    for (const k of kinds) expect(describeTokenKind(k)).toMatch(/\w/)
  })
})
