// The step's failure line (setFailed) quotes the first cause's first sentence: whole words only,
// and sentence ends that are real ones (issue 11: the ::error line was cut mid-word).

import { describe, expect, it } from '@jest/globals'

const { headline } = await import('../../src/main.js')

describe('headline', () => {
  it('keeps the first sentence, without its full stop', () => {
    expect(headline('The job lacks packages: write. The registry confirmed it.')).toBe(
      'The job lacks packages: write',
    )
  })

  it('does not end a sentence inside "e.g." or a version number', () => {
    expect(headline('Pin it, e.g. docker/login-action v4.6.0. Then retry')).toBe(
      'Pin it, e.g. docker/login-action v4.6.0',
    )
  })

  it('cuts a long sentence at a word boundary with an ellipsis', () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ')
    const h = headline(words)
    expect(h.length).toBeLessThanOrEqual(240)
    expect(h.endsWith('…')).toBe(true)
    const last = h.slice(0, -1).split(' ').pop()!
    expect(words.split(' ')).toContain(last)
  })
})
