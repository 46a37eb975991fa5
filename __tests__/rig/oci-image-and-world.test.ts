// The pure pieces of the rig: the hand-built OCI layout (checked with the real tar and skopeo
// binaries) and the world's validation and token formats (ghcr-failure-modes §5.3).
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import {
  buildOciLayout,
  buildWorld,
  libtrustKeyId,
  makeTar,
  makeTokenValue,
} from '../../rig/index.mjs'

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

describe('OCI image layout built in node', () => {
  const layout = buildOciLayout({
    content: 'rig layer\n',
    labels: { 'org.opencontainers.image.source': 'https://github.com/acme/app' },
  })
  const blob = (digest: string): Buffer =>
    readFileSync(join(layout.dir, 'blobs', 'sha256', digest.slice(7)))

  it('stores every blob under its sha256 with the declared size', () => {
    for (const d of [layout.manifest, layout.config, layout.layer]) {
      const data = blob(d.digest)
      expect(sha(data)).toBe(d.digest)
      expect(data.length).toBe(d.size)
    }
    const index = JSON.parse(readFileSync(join(layout.dir, 'index.json'), 'utf8'))
    expect(index.manifests[0]).toMatchObject({
      digest: layout.manifest.digest,
      size: layout.manifest.size,
    })
    const config = JSON.parse(blob(layout.config.digest).toString())
    expect(config.rootfs.diff_ids).toEqual([sha(gunzipSync(blob(layout.layer.digest)))])
  })

  it('writes a layer GNU tar reads back (headers and checksums are right)', () => {
    const listing = execFileSync('tar', [
      '-tvzf',
      join(layout.dir, 'blobs', 'sha256', layout.layer.digest.slice(7)),
    ]).toString()
    expect(listing).toMatch(/-rw-r--r-- root\/root\s+10 .* hello\.txt/)
    const out = execFileSync('tar', [
      '-xzOf',
      join(layout.dir, 'blobs', 'sha256', layout.layer.digest.slice(7)),
      'hello.txt',
    ]).toString()
    expect(out).toBe('rig layer\n')
  })

  it('pads archives to 512-byte blocks with a two-block trailer', () => {
    const tar = makeTar({ 'a.txt': 'x'.repeat(513) })
    expect(tar.length).toBe(512 + 1024 + 1024)
  })

  it('is an image layout skopeo can read', () => {
    const out = execFileSync('/usr/bin/skopeo', [
      'inspect',
      '--raw',
      `oci:${layout.dir}:latest`,
    ]).toString()
    expect(sha(Buffer.from(out))).toBe(layout.manifest.digest)
  })

  afterAll(() => rmSync(layout.dir, { recursive: true, force: true }))
})

describe('world', () => {
  it.each([
    ['actions', /^ghs_[A-Za-z0-9]{36}$/],
    ['app', /^ghs_[A-Za-z0-9]{36}$/],
    ['classic', /^ghp_[A-Za-z0-9]{36}$/],
    ['oauth', /^gho_[A-Za-z0-9]{36}$/],
    ['fine-grained', /^github_pat_[a-zA-Z0-9]{22}_[a-zA-Z0-9]{59}$/],
  ] as const)('generates realistic %s token values', (kind, pattern) => {
    const a = makeTokenValue(kind)
    expect(a).toMatch(pattern)
    expect(makeTokenValue(kind)).not.toBe(a)
  })

  it('keeps a fixed token value and fills defaults', () => {
    const w = buildWorld({
      repository: 'Acme/App',
      github: {
        orgs: { acme: {} },
        tokens: {
          pat: { kind: 'classic', value: 'ghp_fixed', owner: 'Me' },
          github: { kind: 'actions' },
        },
      },
    })
    expect(w.repository).toBe('acme/app')
    expect(w.owners.acme).toBe('org')
    expect(w.orgs.acme).toEqual({
      forbid_classic_pat: false,
      saml_sso: false,
      members: {},
      package_creation: true,
      inherit_access: true,
      refuses_installations: false,
    })
    expect(w.tokens.pat).toMatchObject({
      value: 'ghp_fixed',
      owner: 'me',
      expired: false,
      sso_authorized: true,
    })
    expect(w.tokens.github.packages).toBe('read') // restricted default (§3.2)
    expect(w.token_endpoint).toBe('strict') // what ghcr.io does (jikig-ai/soleur#8036)
  })

  it.each([
    [{ repository: 'noslash' }, /repository must be owner\/name/],
    [
      { repository: 'a/b', github: { tokens: { t: { kind: 'robot' } } } },
      /github\.tokens\.t\.kind must be one of/,
    ],
    [
      { repository: 'a/b', github: { tokens: { t: { kind: 'actions', packages: 'all' } } } },
      /packages must be read, write or none/,
    ],
    [
      { repository: 'a/b', github: { owners: { x: 'team' } } },
      /github\.owners\.x must be user or org/,
    ],
    [
      { repository: 'a/b', github: { orgs: { o: { members: { m: 'owner' } } } } },
      /members\.m must be read, write or admin/,
    ],
    [
      { repository: 'a/b', github: { packages: [{ name: 'x' }] } },
      /packages\[0\] needs owner and name/,
    ],
    [
      { repository: 'a/b', github: { token_endpoint: 'random' } },
      /token_endpoint must be lenient or strict/,
    ],
  ])('rejects a bad world with a message naming the field (%#)', (input, message) => {
    expect(() => buildWorld(input)).toThrow(message)
  })

  it('computes the libtrust key id distribution expects', () => {
    // 12 groups of 4 base32 characters (test-peers.md §1(b)).
    expect(libtrustKeyId(Buffer.from('any spki bytes'))).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/)
  })
})

describe('rig type declarations', () => {
  it('match the JSDoc in the .mjs files', () => {
    // Throws (exit 1, naming the stale files) when someone changed a JSDoc type and forgot
    // to run `node rig/gen-types.mjs`.
    expect(() =>
      execFileSync(process.execPath, ['rig/gen-types.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow()
  })
})
