// Regression test from the property suite: docker (distribution/reference → go-digest) accepts a
// digest only for a registered algorithm with lower-case hex of exactly its length.

import { describe, expect, it } from '@jest/globals'
import { parseReference } from '../../src/image/reference.js'

const name = 'ghcr.io/acme/app'

describe('parseReference digests', () => {
  it.each([
    ['sha256', 'a'.repeat(64)],
    ['sha384', 'b'.repeat(96)],
    ['sha512', 'c'.repeat(128)],
  ])('accepts %s with its exact length', (algorithm, hex) => {
    expect(parseReference(`${name}@${algorithm}:${hex}`).problems).toEqual([])
  })

  it.each([
    ['an unregistered algorithm', `md5:${'a'.repeat(32)}`],
    ['sha1', `sha1:${'a'.repeat(40)}`],
    ['a capitalised algorithm', `SHA256:${'a'.repeat(64)}`],
    ['an algorithm starting with a digit', `1sha:${'a'.repeat(64)}`],
    ['a combined algorithm', `sha256+b64u:${'a'.repeat(64)}`],
    ['sha512 with a sha256 length', `sha512:${'a'.repeat(64)}`],
    ['sha384 too long', `sha384:${'a'.repeat(97)}`],
    ['capital hex', `sha512:${'A'.repeat(128)}`],
  ])('refuses %s', (_name, digest) => {
    expect(parseReference(`${name}@${digest}`).problems).toEqual([{ kind: 'bad-digest', digest }])
  })
})
