// Requests honour the runner's proxy settings (HTTPS_PROXY, NO_PROXY) the way the toolkit does,
// proven with a real CONNECT proxy on loopback: it records what reaches it and refuses the tunnel,
// so no request can leave the machine.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:net'
import { createHttpClient } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import { HttpFailure } from '../../src/http/types.js'
import { reply, startServer, type TestServer } from './support/test-server.js'

interface Seen {
  head: string
}

let proxy: Server
let proxyUrl: string
const seen: Seen[] = []
const saved = { ...process.env }

beforeAll(async () => {
  proxy = createServer((socket) => {
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
      if (!data.includes('\r\n\r\n')) return
      seen.push({ head: data.split('\r\n\r\n')[0]! })
      // Refuse the tunnel: the test proves routing, and nothing leaves the machine.
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  if (!address || typeof address === 'string') throw new Error('no proxy port')
  proxyUrl = `http://proxyuser:proxypass@127.0.0.1:${address.port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()))
})

afterEach(() => {
  seen.length = 0
  for (const k of [
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'NO_PROXY',
    'no_proxy',
  ]) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
})

const client = () => createHttpClient({ deadline: new Deadline(5000), timeoutMs: 2000, retries: 0 })

async function failure(url: string): Promise<HttpFailure> {
  const err = await client()
    .request({ method: 'GET', url, headers: { authorization: 'Bearer secret-registry-token' } })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  if (!(err instanceof HttpFailure)) throw new Error(`expected an HttpFailure, got ${String(err)}`)
  return err
}

describe('HTTPS_PROXY', () => {
  it('tunnels an https request through the proxy with CONNECT; the proxy never sees the credentials', async () => {
    process.env.HTTPS_PROXY = proxyUrl
    const err = await failure('https://registry.example.test/v2/')
    expect(err.kind).toBe('network')
    expect(seen).toHaveLength(1)
    const head = seen[0]!.head
    expect(head).toMatch(/^CONNECT registry\.example\.test:443 HTTP\/1\.1/)
    expect(head.toLowerCase()).toContain(
      `proxy-authorization: basic ${Buffer.from('proxyuser:proxypass').toString('base64')}`.toLowerCase(),
    )
    expect(head).not.toContain('secret-registry-token')
    expect(err.message).not.toContain('proxypass')
  })

  it.each([
    ['the host itself', 'registry.example.test'],
    ['a parent domain', 'example.test'],
    ['a leading-dot domain', '.example.test'],
    ['everything', '*'],
  ])('NO_PROXY with %s bypasses the proxy', async (_name, noProxy) => {
    process.env.HTTPS_PROXY = proxyUrl
    process.env.NO_PROXY = noProxy
    await failure('https://registry.example.test/v2/') // no such host: DNS fails directly
    expect(seen).toHaveLength(0)
  })

  it('never proxies loopback, so local registries and the test rig keep working', async () => {
    process.env.HTTPS_PROXY = proxyUrl
    process.env.HTTP_PROXY = proxyUrl
    const local: TestServer = await startServer((_req, res) => reply(res, 200, '{}'))
    try {
      const res = await client().request({ method: 'GET', url: `${local.url}/v2/` })
      expect(res.status).toBe(200)
      expect(seen).toHaveLength(0)
    } finally {
      await local.close()
    }
  })

  it('without proxy variables, nothing goes to the proxy', async () => {
    await failure('https://registry.example.test/v2/')
    expect(seen).toHaveLength(0)
  })
})
