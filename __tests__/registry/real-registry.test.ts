// The probe against the real Debian docker-registry (distribution 2.8), not a fake: it must read
// distribution's 401 insufficient_scope as "cannot push" and leave no blob behind.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createHttpClient } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import { fetchChallenge } from '../../src/registry/challenge.js'
import { classifyProbe } from '../../src/registry/classify.js'
import { probeAll } from '../../src/registry/probe-all.js'
import { probePush } from '../../src/registry/probe.js'
import type { ProbeOutcome } from '../../src/registry/types.js'
import { startRealRegistry, type RealRegistry } from './support/real-registry.js'

function http() {
  return createHttpClient({ deadline: new Deadline(20_000), timeoutMs: 5000, retries: 0 })
}

async function probeAs(
  reg: RealRegistry,
  username: string,
  password: string,
): Promise<ProbeOutcome> {
  const client = http()
  return probePush({
    http: client,
    baseUrl: reg.url,
    registryHost: '127.0.0.1',
    repository: 'acme/app',
    username,
    password,
    challenge: fetchChallenge(client, reg.url),
  })
}

function blobsWritten(storage: string): boolean {
  return existsSync(join(storage, 'docker/registry/v2/blobs'))
}

describe.each([
  ['absolute', false],
  ['relative', true],
])('real docker-registry, token auth, %s Location', (_kind, relativeUrls) => {
  let reg: RealRegistry
  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'token', relativeUrls })
  })
  afterAll(async () => {
    await reg?.stop()
  })

  it('allows a pull,push credential (202) and cleans up only where allowed', async () => {
    const outcome = await probeAs(reg, 'pusher', 'pushpass')
    // distribution wants the delete action to cancel an upload: a pull,push token gets 401.
    expect(outcome).toEqual({
      verdict: 'allowed',
      step: 'upload',
      status: 202,
      cleanup: 401,
      roundTrips: 3,
    })
    expect(reg.tokenRequests.at(-1)).toEqual({
      scope: 'repository:acme/app:pull,push',
      user: 'pusher',
    })
    expect(blobsWritten(reg.storage)).toBe(false)
  })

  it('denies a pull-only credential (401 insufficient_scope)', async () => {
    const outcome = await probeAs(reg, 'reader', 'readpass')
    expect(outcome).toMatchObject({
      verdict: 'denied',
      step: 'upload',
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'authentication required',
      roundTrips: 3,
    })
    const findings = classifyProbe(outcome, {
      credential: 'fallback-token',
      image: '127.0.0.1/acme/app',
      owner: 'acme',
      packageName: 'app',
      place: { serverUrl: 'https://github.com', repository: 'acme/app', registry: '127.0.0.1' },
      runRepository: 'acme/app',
    })
    expect(findings.map((f) => f.id)).toEqual(['fallback-token-scopes'])
    expect(findings[0].message).toContain('401 UNAUTHORIZED "authentication required"')
  })

  it('reads a wrong password as unauthorized at the token service', async () => {
    const outcome = await probeAs(reg, 'pusher', 'wrong')
    expect(outcome).toMatchObject({
      verdict: 'unauthorized',
      step: 'token',
      status: 401,
      message: 'bad credentials',
      roundTrips: 2,
    })
  })
})

describe('real docker-registry, token auth, many probes at once', () => {
  let reg: RealRegistry
  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'token' })
  })
  afterAll(async () => {
    await reg?.stop()
  })

  it('runs images × credentials concurrently in three sequential round trips', async () => {
    const client = http()
    const result = await probeAll({
      http: client,
      baseUrl: reg.url,
      registryHost: '127.0.0.1',
      targets: [
        { image: '127.0.0.1/acme/app', repository: 'acme/app' },
        { image: '127.0.0.1/acme/worker', repository: 'acme/worker' },
      ],
      credentials: [
        { source: 'github-token', username: 'reader', password: 'readpass' },
        { source: 'fallback-token', username: 'pusher', password: 'pushpass' },
      ],
    })
    expect(result.roundTrips).toBe(3)
    expect(result.results.map((r) => [r.repository, r.credential, r.outcome.verdict])).toEqual([
      ['acme/app', 'github-token', 'denied'],
      ['acme/app', 'fallback-token', 'allowed'],
      ['acme/worker', 'github-token', 'denied'],
      ['acme/worker', 'fallback-token', 'allowed'],
    ])
    // 1 challenge + 4 tokens + 4 uploads + 2 cleanups
    expect(client.attempts).toBe(11)
  })
})

describe('real docker-registry, htpasswd (Basic) auth', () => {
  let reg: RealRegistry
  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'htpasswd' })
  })
  afterAll(async () => {
    await reg?.stop()
  })

  it('allows a valid user with Basic straight to the upload, and cancels it', async () => {
    const outcome = await probeAs(reg, 'pusher', 'pushpass')
    expect(outcome).toEqual({
      verdict: 'allowed',
      step: 'upload',
      status: 202,
      cleanup: 204,
      roundTrips: 2,
    })
    expect(blobsWritten(reg.storage)).toBe(false)
  })

  it('reads a wrong password as unauthorized', async () => {
    const outcome = await probeAs(reg, 'pusher', 'nope')
    expect(outcome).toMatchObject({ verdict: 'unauthorized', step: 'upload', status: 401 })
  })
})
