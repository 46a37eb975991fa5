import { describe, expect, it } from '@jest/globals'
import { normaliseImages } from '../../src/image/inputs.js'

const place = { serverUrl: 'https://github.com', repository: 'Acme/App', registry: 'ghcr.io' }
const opts = { registry: 'ghcr.io', repository: 'Acme/App', owner: 'Acme', place }

describe('normaliseImages', () => {
  it.each<[string, string[], string[], boolean, string[]]>([
    ['no input: the repository, lower-cased', [], ['ghcr.io/acme/app'], false, []],
    [
      'capitals are a warning and probed lower-cased',
      ['ghcr.io/Acme/App:v1'],
      ['ghcr.io/acme/app'],
      false,
      ['image-name-uppercase:warning'],
    ],
    [
      'duplicates are probed once',
      ['ghcr.io/acme/app:a', 'ghcr.io/acme/app:b'],
      ['ghcr.io/acme/app'],
      false,
      [],
    ],
    ['Docker Hub blocks the run', ['acme/app'], [], true, ['image-registry-mismatch:error']],
    ['an empty owner blocks the run', ['ghcr.io//app'], [], true, ['image-name-invalid:error']],
    [
      'another registry is left out, not blocking',
      ['quay.io/acme/app', 'ghcr.io/acme/app'],
      ['ghcr.io/acme/app'],
      false,
      ['image-registry-mismatch:warning'],
    ],
  ])('%s', (_name, raws, images, blocked, findings) => {
    const r = normaliseImages(raws, opts)
    expect(r.images.map((i) => i.name)).toEqual(images)
    expect(r.imageBlocked).toBe(blocked)
    expect(r.imageFindings.map((f) => `${f.id}:${f.severity}`)).toEqual(findings)
  })
})
