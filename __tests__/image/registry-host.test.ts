import { describe, expect, it } from '@jest/globals'
import { checkRegistryHost } from '../../src/image/registry-host.js'

const place = (serverUrl: string, registry: string) => ({
  serverUrl,
  repository: 'acme/app',
  registry,
})

describe('checkRegistryHost', () => {
  it.each([
    ['https://github.com', 'ghcr.io'],
    ['https://ghe.example.com', 'containers.ghe.example.com'],
    ['https://octo.ghe.com', 'containers.octo.ghe.com'],
    ['https://github.com', 'quay.io'],
    ['https://github.com', 'GHCR.IO'],
  ])('%s with %s matches', (server, registry) => {
    expect(checkRegistryHost(server, registry, place(server, registry))).toEqual([])
  })

  it.each([
    ['https://github.com', 'containers.ghe.example.com'],
    ['https://ghe.example.com', 'ghcr.io'],
    ['https://ghe.example.com', 'containers.other.example.com'],
    ['https://octo.ghe.com', 'ghcr.io'],
  ])('%s with %s is a mismatch', (server, registry) => {
    const f = checkRegistryHost(server, registry, place(server, registry))
    expect(f.map((x) => x.id)).toEqual(['registry-host-mismatch'])
    expect(f[0]!.message).toContain(registry)
  })

  it('names the right registry in the fix', () => {
    const [f] = checkRegistryHost(
      'https://octo.ghe.com',
      'ghcr.io',
      place('https://octo.ghe.com', 'ghcr.io'),
    )
    expect(f!.fix[0]).toContain('containers.octo.ghe.com')
    expect(f!.message).toContain('GitHub Enterprise')
  })
})
