// Property: src/image agrees with an independent implementation of the distribution reference
// grammar (support/reference-grammar.ts) on generated references and near-misses.
/* eslint-disable jest/expect-expect -- each property asserts inside its predicate */

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Place } from '../../src/findings/types.js'
import { checkImage } from '../../src/image/check.js'
import { parseReference } from '../../src/image/reference.js'
import { CASE_COUNTS, runs } from './support/fast-check-settings.js'
import { judgeReference } from './support/reference-grammar.js'

const REGISTRY = 'ghcr.io'
const place: Place = { serverUrl: 'https://github.com', repository: 'acme/app', registry: REGISTRY }

// ---- generators from the grammar -------------------------------------------------------------

const lowerAlnum = fc.stringMatching(/^[a-z0-9]{1,8}$/)
const separator = fc.oneof(
  fc.constantFrom('.', '_', '__', '-'),
  fc.integer({ min: 2, max: 4 }).map((n) => '-'.repeat(n)),
)
const pathComponentArb = fc
  .tuple(lowerAlnum, fc.array(fc.tuple(separator, lowerAlnum), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''))

const domainComponent = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9]$/),
  fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,8}[a-zA-Z0-9]$/),
)
/** Hosts the normaliser reads as hosts: a dot, a port, or localhost. */
const domainArb = fc.oneof(
  fc.constantFrom('ghcr.io', 'GHCR.io', 'localhost', 'localhost:5000', 'quay.io', 'docker.io'),
  fc
    .tuple(
      fc.array(domainComponent, { minLength: 2, maxLength: 4 }),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    )
    .map(([labels, port]) => labels.join('.') + (port === undefined ? '' : `:${port}`)),
  fc
    .tuple(domainComponent, fc.integer({ min: 0, max: 99999 }))
    .map(([label, port]) => `${label}:${port}`),
)
const tagArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/)
const hex = (n: number) => fc.stringMatching(new RegExp(`^[a-f0-9]{${n}}$`))
const digestArb = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(96).map((h) => `sha384:${h}`),
  hex(128).map((h) => `sha512:${h}`),
)

const validReferenceArb = fc
  .record({
    domain: fc.option(domainArb, { nil: undefined }),
    path: fc.array(pathComponentArb, { minLength: 1, maxLength: 4 }),
    tag: fc.option(tagArb, { nil: undefined }),
    digest: fc.option(digestArb, { freq: 4, nil: undefined }),
  })
  .map(({ domain, path, tag, digest }) => {
    // Without a host, a first component with a dot would be read as one: keep it a path.
    const parts = domain ? [domain, ...path] : [path[0]!.replace(/\./g, '-'), ...path.slice(1)]
    return (
      parts.join('/') +
      (tag === undefined ? '' : `:${tag}`) +
      (digest === undefined ? '' : `@${digest}`)
    )
  })

// ---- near-misses: one targeted slip in a valid reference ------------------------------------

type Slip = (ref: string, n: number) => string

function at(ref: string, n: number, insert: string, remove = 0): string {
  const i = n % (ref.length + 1)
  return ref.slice(0, i) + insert + ref.slice(i + remove)
}

const SLIPS: Record<string, Slip> = {
  capital: (r, n) => {
    const i = n % r.length
    return r.slice(0, i) + r[i]!.toUpperCase() + r.slice(i + 1)
  },
  allCaps: (r) => r.toUpperCase(),
  doubleSlash: (r, n) => at(r, n, '/'),
  trailingSlash: (r) => `${r}/`,
  leadingSlash: (r) => `/${r}`,
  leadingSeparator: (r, n) => at(r, n, ['-', '.', '_'][n % 3]!),
  tripleUnderscore: (r, n) => at(r, n, '___'),
  doubleDot: (r, n) => at(r, n, '..'),
  space: (r, n) => at(r, n, ' '),
  tab: (r, n) => at(r, n, '\t'),
  emptyTag: (r) => `${r.split('@')[0]}:`,
  badTagStart: (r, n) => `${r.split('@')[0]}:${['-', '.'][n % 2]}v1`,
  longTag: (r, n) => `${r.split('@')[0]}:${'t'.repeat(128 + (n % 5))}`,
  tagWithPlus: (r) => `${r.split('@')[0]}:v1+build`,
  upperHex: (r) => `${r.split('@')[0]}@sha256:${'A'.repeat(64)}`,
  shortHex: (r, n) => `${r.split('@')[0]}@sha256:${'a'.repeat(32 + (n % 32))}`,
  otherAlgorithm: (r, n) =>
    `${r.split('@')[0]}@${['md5', 'sha1', 'SHA256', 'sha256+b64u', 'blake3', 'x-y'][n % 6]}:${'a'.repeat(64)}`,
  digitAlgorithm: (r) => `${r.split('@')[0]}@1sha:${'a'.repeat(64)}`,
  noAlgorithm: (r) => `${r.split('@')[0]}@${'a'.repeat(64)}`,
  twoDigests: (r) => `${r}@sha256:${'b'.repeat(64)}`,
  scheme: (r) => `https://${r}`,
  badPort: (r) => `ghcr.io:x/${r}`,
  emptyPort: (r) => `ghcr.io:/${r}`,
  underscoreHost: (r) => `my_registry.io/${r}`,
  dashHost: (r) => `-ghcr.io/${r}`,
  // Around the 255-character limits on the path and on the whole name.
  longName: (_r, n) => `ghcr.io/acme/${'a'.repeat(235 + (n % 30))}`,
  deleteChar: (r, n) => at(r, n, '', 1),
  nasty: (r, n) => at(r, n, ['!', '#', '$', '%', '&', '*', '(', '+', '=', '~', 'é', '\\'][n % 12]!),
}

const nearMissArb = fc
  .tuple(validReferenceArb, fc.constantFrom(...Object.keys(SLIPS)), fc.nat())
  .map(([ref, slip, n]) => SLIPS[slip]!(ref, n))

const randomArb = fc.string({
  unit: fc.constantFrom(...'aAzZ09._-_/:@ ghcr.io'.split('')),
  maxLength: 40,
})

// ---- the agreement ---------------------------------------------------------------------------

function ids(findings: Array<{ id: string }>): string[] {
  return findings.map((f) => f.id).sort()
}

/** Checks one reference against the grammar model; returns nothing, throws on disagreement. */
function agrees(raw: string): void {
  const s = raw.trim()
  if (s === '') return
  const verdict = judgeReference(s)
  const parsed = parseReference(s)
  const result = checkImage(s, { registry: REGISTRY, place })
  const invalid = result.findings.some((f) => f.id === 'image-name-invalid')
  const capitals = result.findings.some((f) => f.id === 'image-name-uppercase')
  const shown = { ref: s, verdict }

  // Names whose validity depends on the docker release (see reference-grammar.ts): either answer.
  if (verdict.lengthAmbiguous) return
  // parseReference finds a problem exactly when the grammar rejects the reference (its case aside).
  expect({ ...shown, problems: parsed.problems.length > 0 }).toEqual({
    ...shown,
    problems: !verdict.validIgnoringPathCase,
  })
  if (!verdict.validIgnoringPathCase) {
    expect({ ...shown, invalid }).toEqual({ ...shown, invalid: true })
    return
  }
  // A grammatical name is invalid for ghcr.io only when it has no namespace there.
  const onRegistry =
    verdict.domain === undefined || verdict.domain.toLowerCase() === REGISTRY.toLowerCase()
  if (verdict.path.length >= 2 || onRegistry) {
    expect({ ...shown, invalid }).toEqual({ ...shown, invalid: verdict.path.length === 1 })
  }
  expect({ ...shown, capitals }).toEqual({
    ...shown,
    capitals: /[A-Z]/.test(verdict.path.join('/')),
  })
  if (verdict.path.length >= 2) {
    expect(result.image).toBeDefined()
    expect(result.image!.path).toBe(verdict.path.join('/').toLowerCase())
    expect(result.image!.tag).toBe(verdict.tag)
    expect(result.image!.digest).toBe(verdict.digest)
  }
}

/** Whatever the input, a normalised name that comes back is lower-case and itself valid. */
function normalisedIsValid(raw: string): void {
  const { image } = checkImage(raw, { registry: REGISTRY, place })
  if (!image) return
  expect(image.name).toBe(image.name.toLowerCase())
  expect(image.name).toBe(`${image.registry}/${image.path}`)
  const again = judgeReference(image.name)
  expect({ name: image.name, valid: again.valid || again.lengthAmbiguous }).toEqual({
    name: image.name,
    valid: true,
  })
  expect(parseReference(image.name).problems).toEqual([])
}

describe('image references agree with the distribution reference grammar', () => {
  it('references built from the grammar are accepted, with their parts', () => {
    fc.assert(
      fc.property(validReferenceArb, (ref) => {
        expect(judgeReference(ref).valid || judgeReference(ref).lengthAmbiguous).toBe(true)
        agrees(ref)
        normalisedIsValid(ref)
      }),
      runs(CASE_COUNTS.imageValid),
    )
  })

  it('near-misses are rejected exactly when the grammar rejects them', () => {
    fc.assert(
      fc.property(nearMissArb, (ref) => {
        agrees(ref)
        normalisedIsValid(ref)
      }),
      runs(CASE_COUNTS.imageNearMiss),
    )
  })

  it('random strings over the grammar alphabet never throw and agree too', () => {
    fc.assert(
      fc.property(randomArb, (ref) => {
        agrees(ref)
        normalisedIsValid(ref)
      }),
      runs(CASE_COUNTS.imageRandom),
    )
  })

  it('surrounding whitespace is trimmed, not judged (the input is a list of names)', () => {
    fc.assert(
      fc.property(
        fc.oneof(validReferenceArb, nearMissArb),
        fc.constantFrom(' ', '\t', '\n', '  \r\n'),
        (ref, pad) => {
          const opts = { registry: REGISTRY, place }
          expect(ids(checkImage(`${pad}${ref}${pad}`, opts).findings)).toEqual(
            ids(checkImage(ref, opts).findings),
          )
        },
      ),
      runs(CASE_COUNTS.imageTrim),
    )
  })
})
