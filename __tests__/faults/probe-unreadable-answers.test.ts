// The push probe's reading of answers the fault matrix found misread (see the matrix cases
// "registry /v2/: malformed JSON", "registry /v2/: huge JSON" and "token service: malformed JSON
// refusal"): neither may be taken as a refusal of the credential, because neither says anything
// about it. Pinned here at the module level, beside the end-to-end runs.

import { afterEach, describe, expect, it } from '@jest/globals'
import { createHttpClient } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import { fetchChallenge } from '../../src/registry/challenge.js'
import { probePush } from '../../src/registry/probe.js'
import type { ProbeOutcome } from '../../src/registry/types.js'
import type { TestServer } from '../http/support/test-server.js'
import {
  registryError,
  startFakeRegistry,
  type FakeRegistryScript,
} from '../registry/support/fake-registry.js'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function probe(
  script: FakeRegistryScript,
): Promise<{ outcome: ProbeOutcome; reg: TestServer }> {
  const reg = await startFakeRegistry(script)
  servers.push(reg)
  const http = createHttpClient({ deadline: new Deadline(10_000), timeoutMs: 2000, retries: 0 })
  const outcome = await probePush({
    http,
    baseUrl: reg.url,
    registryHost: 'ghcr.io',
    repository: 'acme/app',
    username: 'octocat',
    password: 'ghp_examplesecretvalue123',
    challenge: fetchChallenge(http, reg.url),
  })
  return { outcome, reg }
}

describe('an upload refused after /v2/ asked for no login', () => {
  it.each([
    ['401 with a challenge', registryError(401, 'UNAUTHORIZED', 'authentication required')],
    ['403 DENIED', registryError(403, 'DENIED', 'requested access to the resource is denied')],
  ])('%s is inconclusive: no credential was sent', async (_name, answer) => {
    const { outcome, reg } = await probe({
      challenge: () => ({ status: 200, body: '{"garbage":' }),
      upload: () => answer,
    })
    expect(outcome).toMatchObject({
      verdict: 'inconclusive',
      step: 'upload',
      status: answer.status,
    })
    expect(outcome.reason).toMatch(/asked for no login.*no credentials were sent/)
    expect(reg.requests.every((r) => r.headers.authorization === undefined)).toBe(true)
  })

  it('is still allowed when the upload is accepted', async () => {
    const { outcome } = await probe({ challenge: () => ({ status: 200, body: '{}' }) })
    expect(outcome.verdict).toBe('allowed')
  })
})

describe('a token service refusal', () => {
  it.each([
    ['401 with a body that is not JSON', 401, '{"errors":[{"code":"DENIED"}],,'],
    ['403 plain text', 403, 'Forbidden by policy'],
  ])('%s is inconclusive', async (_name, status, body) => {
    const { outcome } = await probe({ token: () => ({ status, body }) })
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'token', status })
    expect(outcome.reason).toContain('not JSON')
  })

  it.each([
    ['a registry error', registryError(403, 'DENIED', 'denied')],
    [
      'JSON of another shape',
      { status: 401, body: '{"details":"incorrect username or password"}' },
    ],
    ['no body', { status: 403, body: '' }],
  ])('with %s is still a refusal of the credential', async (_name, answer) => {
    const { outcome } = await probe({ token: () => answer })
    expect(outcome).toMatchObject({ verdict: 'unauthorized', step: 'token' })
  })

  it('with an HTML page says so', async () => {
    const { outcome } = await probe({
      token: () => ({ status: 403, headers: { 'content-type': 'text/html' }, body: '<html>' }),
    })
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'token' })
    expect(outcome.reason).toContain('HTML page')
  })
})

describe('a /v2/ answer that is not a challenge', () => {
  it.each([
    ['429', { status: 429, headers: { 'retry-after': '0' } }, /429 \(rate limited\)/],
    ['503', { status: 503 }, /503 \(the registry is busy or failing\)/],
    [
      '403 HTML',
      { status: 403, headers: { 'content-type': 'text/html' }, body: '<h1>403</h1>' },
      /403 with an HTML page/,
    ],
  ])('%s says what it was', async (_name, answer, words) => {
    const { outcome } = await probe({ challenge: () => answer })
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'challenge' })
    expect(outcome.reason).toMatch(words)
  })
})
