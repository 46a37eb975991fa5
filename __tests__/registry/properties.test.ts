import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { sanitiseMessage } from '../../src/registry/registry-answer.js'
import { parseWwwAuthenticate } from '../../src/registry/www-authenticate.js'

describe('properties', () => {
  it('parseWwwAuthenticate never throws and returns lower-cased schemes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        for (const c of parseWwwAuthenticate(header)) {
          expect(c.scheme).toMatch(/^[^A-Z]+$/)
        }
      }),
    )
  })

  it('parseWwwAuthenticate reads back any quoted Bearer parameters', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/)
    const value = fc.string({ maxLength: 40 })
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 5 }), (params) => {
        const header = `Bearer ${Object.entries(params)
          .map(([k, v]) => `${k}="${v.replace(/["\\]/g, '\\$&')}"`)
          .join(',')}`
        expect(parseWwwAuthenticate(header)).toEqual([{ scheme: 'bearer', params }])
      }),
    )
  })

  it('sanitiseMessage never lets a secret through', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 100 }),
        fc.string({ minLength: 4, maxLength: 12 }),
        fc.string({ maxLength: 20 }),
        (before, secret, after) => {
          const out = sanitiseMessage(`${before}${secret}${after}${secret}`, [secret])
          expect(out).not.toContain(secret)
          expect(out.length).toBeLessThanOrEqual(300)
        },
      ),
    )
  })
})
