import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { checkImage, defaultImage } from '../../src/image/check.js'
import { parseReference } from '../../src/image/reference.js'
import type { Place } from '../../src/findings/types.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'Acme/Widget',
  registry: 'ghcr.io',
}
const opts = { registry: 'ghcr.io', owner: 'Acme', place }

describe('parseReference', () => {
  it.each([
    ['ghcr.io/acme/app', { host: 'ghcr.io', components: ['acme', 'app'] }],
    ['ghcr.io/acme/app:v1.2', { host: 'ghcr.io', components: ['acme', 'app'], tag: 'v1.2' }],
    ['localhost:5000/a/b:t', { host: 'localhost:5000', components: ['a', 'b'], tag: 't' }],
    ['localhost/a', { host: 'localhost', components: ['a'] }],
    ['acme/app', { components: ['acme', 'app'] }],
    [
      'ghcr.io/a/b/c@sha256:' + 'a'.repeat(64),
      { host: 'ghcr.io', components: ['a', 'b', 'c'], digest: 'sha256:' + 'a'.repeat(64) },
    ],
    [
      'ghcr.io/a/b:t@sha256:' + 'b'.repeat(64),
      { host: 'ghcr.io', components: ['a', 'b'], tag: 't', digest: 'sha256:' + 'b'.repeat(64) },
    ],
  ])('splits %s', (raw, want) => {
    const { ref, problems } = parseReference(raw)
    expect(problems).toEqual([])
    expect(ref).toEqual(want)
  })

  it.each([
    ['', 'empty'],
    ['ghcr.io//app', 'empty-component'],
    ['ghcr.io/acme/my app', 'whitespace'],
    ['ghcr.io/acme/-app', 'illegal-component'],
    ['ghcr.io/acme/app:', 'bad-tag'],
    ['ghcr.io/acme/app:-x', 'bad-tag'],
    ['ghcr.io/acme/app:' + 'x'.repeat(129), 'bad-tag'],
    ['ghcr.io/acme/app@sha256:abc', 'bad-digest'],
    ['https://ghcr.io/acme/app', 'scheme'],
    ['ghcr.io/' + 'a'.repeat(250) + '/b', 'too-long'],
    ['gh_cr.io/acme/app', 'bad-host'],
  ])('reports %j as %s', (raw, kind) => {
    expect(parseReference(raw).problems.map((p) => p.kind)).toContain(kind)
  })

  it('accepts every separator form the grammar allows', () => {
    for (const c of ['a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a1.b2_c3__d4-e5']) {
      expect(parseReference(`ghcr.io/o/${c}`).problems).toEqual([])
    }
    for (const c of ['a..b', 'a___b', 'a.-b', '.a', 'a_', 'a$b']) {
      expect(parseReference(`ghcr.io/o/${c}`).problems.map((p) => p.kind)).toEqual([
        'illegal-component',
      ])
    }
  })
})

describe('checkImage', () => {
  it('accepts a clean reference and normalises it', () => {
    const r = checkImage('ghcr.io/acme/app:v1', opts)
    expect(r.findings).toEqual([])
    expect(r.image).toEqual({
      input: 'ghcr.io/acme/app:v1',
      name: 'ghcr.io/acme/app',
      registry: 'ghcr.io',
      owner: 'acme',
      path: 'acme/app',
      tag: 'v1',
    })
  })

  it('keeps a nested path and a digest', () => {
    const digest = 'sha256:' + 'c'.repeat(64)
    const r = checkImage(`ghcr.io/acme/tools/app@${digest}`, opts)
    expect(r.findings).toEqual([])
    expect(r.image).toMatchObject({ path: 'acme/tools/app', digest })
  })

  it('lower-cases a capitalised name, says which parts, and still returns the image', () => {
    const r = checkImage('ghcr.io/Acme/Widget:Latest', {
      ...opts,
      file: '.github/workflows/b.yml',
      line: 12,
      column: 20,
    })
    expect(r.image?.name).toBe('ghcr.io/acme/widget')
    expect(r.image?.tag).toBe('Latest') // tags may have capitals
    expect(r.findings.map((f) => f.id)).toEqual(['image-name-uppercase'])
    const f = r.findings[0]!
    expect(f.message).toContain('owner "Acme"')
    expect(f.message).toContain('image name "Widget"')
    expect(f.message).toContain('repository name must be lowercase')
    expect(f.message).toContain('"ghcr.io/acme/widget"')
    expect(f).toMatchObject({
      severity: 'error',
      file: '.github/workflows/b.yml',
      line: 12,
      column: 20,
      image: 'ghcr.io/acme/widget',
    })
    expect(f.fix.join('\n')).toContain('${GITHUB_REPOSITORY,,}')
    expect(f.fix.join('\n')).toContain('docker/metadata-action')
  })

  it('treats an upper-case host as fine (Docker accepts it)', () => {
    const r = checkImage('GHCR.IO/acme/app', opts)
    expect(r.findings).toEqual([])
    expect(r.image?.name).toBe('ghcr.io/acme/app')
  })

  it.each([
    ['acme/app', 'docker.io/acme/app', 'ghcr.io/acme/app', 'error'],
    ['ghrc.io/acme/app', 'typo', 'ghcr.io/acme/app', 'error'],
    ['gchr.io/acme/app', 'typo', 'ghcr.io/acme/app', 'error'],
    ['ghcr.com/acme/app', 'typo', 'ghcr.io/acme/app', 'error'],
    [
      'docker.pkg.github.com/acme/repo/app',
      'old GitHub Packages',
      'ghcr.io/acme/repo/app',
      'error',
    ],
    ['quay.io/acme/app', 'not on ghcr.io', 'quay.io/acme/app', 'warning'],
    ['gcr.io/acme/app', 'not on ghcr.io', 'gcr.io/acme/app', 'warning'],
  ])('reports %s as image-registry-mismatch (%s)', (raw, says, name, severity) => {
    const r = checkImage(raw, opts)
    const f = r.findings.find((x) => x.id === 'image-registry-mismatch')
    expect(f).toBeDefined()
    expect(f!.severity).toBe(severity)
    expect(f!.message).toContain(says)
    expect(r.image?.name).toBe(name)
  })

  it('says Docker Hub and the denial text for a reference with no host', () => {
    const f = checkImage('acme/app:1', opts).findings[0]!
    expect(f.message).toContain('Docker Hub')
    expect(f.message).toContain('denied: requested access to the resource is denied')
    expect(f.fix[0]).toContain('`ghcr.io/acme/app`')
  })

  it.each([
    ['ghcr.io/other/app', true],
    ['ghcr.io/ACME/app', false],
    ['ghcr.io/acme/app', false],
  ])('image-owner-mismatch for %s: %s', (raw, want) => {
    const ids = checkImage(raw, opts).findings.map((f) => f.id)
    expect(ids.includes('image-owner-mismatch')).toBe(want)
  })

  it('does not judge the owner when no owner is given', () => {
    expect(checkImage('ghcr.io/other/app', { registry: 'ghcr.io', place }).findings).toEqual([])
  })

  it('names the namespace and the repository in the owner mismatch', () => {
    const f = checkImage('ghcr.io/other/app', opts).findings[0]!
    expect(f.message).toContain('"other"')
    expect(f.message).toContain('Acme/Widget')
    expect(f.fix[0]).toContain('ghcr.io/acme/app')
  })

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['ghcr.io//app', 'empty owner'],
    ['ghcr.io/acme/', 'empty image name'],
    ['ghcr.io/acme/my app', 'whitespace'],
    ['ghcr.io/acme/.github', 'invalid image name ".github"'],
    ['ghcr.io/acme/app:', 'no tag'],
    ['ghcr.io/app', 'no namespace'],
    ['ghcr.io/' + 'a'.repeat(300) + '/x', 'characters long'],
  ])('reports %j as image-name-invalid (%s)', (raw, says) => {
    const r = checkImage(raw, opts)
    const f = r.findings.find((x) => x.id === 'image-name-invalid')
    expect(f).toBeDefined()
    expect(f!.message).toContain(says)
  })

  it.each(['', 'ghcr.io//app', 'ghcr.io/acme/my app', 'ghcr.io/app', 'ghcr.io/acme/-x'])(
    'returns no image when %j cannot be salvaged',
    (raw) => {
      expect(checkImage(raw, opts).image).toBeUndefined()
    },
  )

  it('salvages the name when only the tag is bad', () => {
    const r = checkImage('ghcr.io/acme/app:', opts)
    expect(r.image).toMatchObject({ name: 'ghcr.io/acme/app' })
    expect(r.image?.tag).toBeUndefined()
  })

  it('salvages a URL-style reference and reports the scheme', () => {
    const r = checkImage('https://ghcr.io/acme/app', opts)
    expect(r.findings.map((f) => f.id)).toEqual(['image-name-invalid'])
    expect(r.image?.name).toBe('ghcr.io/acme/app')
  })

  it('quotes and truncates huge input in messages', () => {
    const raw = 'ghcr.io/acme/' + 'A'.repeat(5000)
    for (const f of checkImage(raw, opts).findings) expect(f.message.length).toBeLessThan(800)
  })

  it('works for a GHES registry', () => {
    const ghes: Place = {
      serverUrl: 'https://ghe.example.com',
      repository: 'team/app',
      registry: 'containers.ghe.example.com',
    }
    const r = checkImage('containers.ghe.example.com/team/app', {
      registry: 'containers.ghe.example.com',
      owner: 'team',
      place: ghes,
    })
    expect(r.findings).toEqual([])
    const typo = checkImage('container.ghe.example.com/team/app', {
      registry: 'containers.ghe.example.com',
      owner: 'team',
      place: ghes,
    })
    expect(typo.findings[0]?.id).toBe('image-registry-mismatch')
    expect(typo.image?.name).toBe('containers.ghe.example.com/team/app')
  })

  it('never throws and always returns a lower-case name (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (raw) => {
        const r = checkImage(raw, opts)
        // Either a clean lower-case name, or no image and at least one finding saying why.
        const ok = r.image
          ? r.image.name === r.image.name.toLowerCase() &&
            parseReference(r.image.name).problems.length === 0
          : r.findings.length > 0
        expect({ raw, ok }).toEqual({ raw, ok: true })
      }),
    )
  })

  it('salvaged names are valid for any capitalised valid name (property)', () => {
    const comp = fc.stringMatching(/^[A-Za-z0-9]{1,8}(?:[._-][A-Za-z0-9]{1,8}){0,2}$/)
    fc.assert(
      fc.property(comp, comp, (o, n) => {
        const r = checkImage(`ghcr.io/${o}/${n}`, { registry: 'ghcr.io', place })
        expect(r.image?.name).toBe(`ghcr.io/${o}/${n}`.toLowerCase())
        const upper = r.findings.some((f) => f.id === 'image-name-uppercase')
        expect(upper).toBe(/[A-Z]/.test(o + n))
      }),
    )
  })
})

describe('defaultImage', () => {
  it('lower-cases the repository', () => {
    expect(defaultImage('ghcr.io', 'Acme/My-Repo')).toBe('ghcr.io/acme/my-repo')
  })
})
