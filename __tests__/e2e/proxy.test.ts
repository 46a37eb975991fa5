// The built bundle behind a proxy, under Node 20 and Node 24: with HTTPS_PROXY set, the
// registry and the REST API are reached through it (CONNECT), as on a self-hosted runner. The
// proxy refuses every tunnel, so the run must end `unverified`, quickly, naming the failure.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:net'
import { node24, runAction } from '../../scripts/lib/action-process.mjs'
import {
  RUNTIMES,
  RUN_TOKEN,
  expectNoSecrets,
  expectNoStackTrace,
  expectWithinDeadline,
  runnerEnv,
} from './support.js'

let proxy: Server
let port = 0
const connects: string[] = []

beforeAll(async () => {
  node24()
  proxy = createServer((socket) => {
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
      if (!data.includes('\r\n\r\n')) return
      connects.push(data.split('\r\n')[0]!)
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  if (!address || typeof address === 'string') throw new Error('no proxy port')
  port = address.port
}, 300_000)

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()))
})

describe.each(RUNTIMES)('built bundle behind HTTPS_PROXY, %s', (runtime) => {
  it('reaches the registry and the API only through the proxy', async () => {
    connects.length = 0
    const run = await runAction({
      runtime,
      inputs: { 'github-token': RUN_TOKEN, 'timeout-seconds': '5' },
      env: {
        ...runnerEnv({
          repository: 'acme/app',
          apiUrl: 'https://api.example.test',
          registryUrl: 'https://registry.example.test',
        }),
        HTTPS_PROXY: `http://127.0.0.1:${port}`,
      },
      event: {},
      files: {
        '.github/workflows/build.yml':
          'on: push\njobs:\n  build:\n    runs-on: x\n    permissions:\n      packages: write\n    steps: []\n',
      },
    })
    expect(run.outputs.result).toBe('unverified')
    expect(run.outputs['can-push']).toBe('false')
    expect(run.exitCode).toBe(0)
    // Within its 5 s deadline by its own clock (wall time would count the load on the machine).
    expectWithinDeadline(run, 5)
    expect(connects).toContain('CONNECT registry.example.test:443 HTTP/1.1')
    expect(connects).toContain('CONNECT api.example.test:443 HTTP/1.1')
    const findings = JSON.parse(run.outputs.findings!) as Array<{ id: string; message: string }>
    expect(findings.find((f) => f.id === 'probe-inconclusive')?.message).toMatch(
      /registry could not be reached/,
    )
    expectNoStackTrace(run)
    expectNoSecrets(run, [RUN_TOKEN], ['acme'])
  })
})
