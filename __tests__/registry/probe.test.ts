import { afterEach, describe, expect, it } from '@jest/globals'
import { createHttpClient } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import type { HttpClient } from '../../src/http/types.js'
import { fetchChallenge } from '../../src/registry/challenge.js'
import { probeAll } from '../../src/registry/probe-all.js'
import { probePush, type ProbePushOptions } from '../../src/registry/probe.js'
import type { ProbeOutcome } from '../../src/registry/types.js'
import { closedPort, type TestServer } from '../http/support/test-server.js'
import {
  registryError,
  startFakeRegistry,
  type Answer,
  type FakeRegistryScript,
} from './support/fake-registry.js'

const servers: TestServer[] = []
async function registry(script: FakeRegistryScript = {}, host?: string): Promise<TestServer> {
  const s = await startFakeRegistry(script, host)
  servers.push(s)
  return s
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const USER = 'octocat'
const PASS = 'ghp_examplesecretvalue123'
const BASIC = Buffer.from(`${USER}:${PASS}`).toString('base64')

function httpClient(retries = 0): HttpClient {
  return createHttpClient({ deadline: new Deadline(20_000), timeoutMs: 2000, retries })
}

async function probe(
  base: string,
  extra: Partial<ProbePushOptions> = {},
): Promise<{ outcome: ProbeOutcome; secrets: string[] }> {
  const http = extra.http ?? httpClient()
  const secrets: string[] = []
  const outcome = await probePush({
    http,
    baseUrl: base,
    registryHost: 'ghcr.io',
    repository: 'acme/app',
    username: USER,
    password: PASS,
    challenge: fetchChallenge(http, base),
    onSecret: (s) => secrets.push(s),
    ...extra,
  })
  return { outcome, secrets }
}

describe('Bearer flow (ghcr-shaped)', () => {
  it('sends no DELETE to ghcr.io, which answers 405 and expires sessions itself', async () => {
    const reg = await registry()
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({
      verdict: 'allowed',
      status: 202,
      cleanup: 'skipped',
      roundTrips: 3,
    })
    expect(reg.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST'])
  })

  it('allows on 202, using its own scope and the token, then cancels the session', async () => {
    const reg = await registry()
    const { outcome, secrets } = await probe(reg.url, { registryHost: 'registry.example' })
    expect(outcome).toEqual({
      verdict: 'allowed',
      step: 'upload',
      status: 202,
      cleanup: 405,
      roundTrips: 3,
    })
    const [challenge, token, upload, cancel] = reg.requests
    expect(challenge).toMatchObject({ method: 'GET', url: '/v2/' })
    expect(challenge.headers.authorization).toBeUndefined()
    const tokenUrl = new URL(token.url, reg.url)
    expect(tokenUrl.pathname).toBe('/token')
    expect(tokenUrl.searchParams.get('service')).toBe('ghcr.io')
    // Not ghcr's placeholder "repository:user/image:pull".
    expect(tokenUrl.searchParams.get('scope')).toBe('repository:acme/app:pull,push')
    expect(token.headers.authorization).toBe(`Basic ${BASIC}`)
    expect(upload).toMatchObject({ method: 'POST', url: '/v2/acme/app/blobs/uploads/', body: '' })
    expect(upload.headers['content-length']).toBe('0')
    expect(upload.headers.authorization).toBe(`Bearer ${BASIC}`)
    expect(cancel).toMatchObject({
      method: 'DELETE',
      url: '/v2/acme/app/blobs/uploads/u-123?_state=signed',
    })
    expect(cancel.headers.authorization).toBe(`Bearer ${BASIC}`)
    expect(secrets).toContain(BASIC)
  })

  it('accepts access_token and registers it as a secret before using it', async () => {
    const reg = await registry({
      token: () => ({ status: 200, body: '{"access_token":"opaque-token-xyz"}' }),
      upload: (_s, auth) =>
        auth === 'Bearer opaque-token-xyz'
          ? { status: 202 }
          : registryError(401, 'UNAUTHORIZED', 'no'),
    })
    const { outcome, secrets } = await probe(reg.url)
    expect(outcome.verdict).toBe('allowed')
    expect(outcome.cleanup).toBe('skipped') // 202 without Location: nothing to cancel
    expect(secrets).toContain('opaque-token-xyz')
  })

  it.each([
    ['relative', (_self: string) => '/v2/acme/app/blobs/uploads/rel-1?_state=s', 204],
    ['absolute', (self: string) => `${self}/v2/acme/app/blobs/uploads/abs-1?_state=s`, 204],
  ])('cancels a %s Location on the registry', async (_kind, location, cancelStatus) => {
    const reg = await registry({
      upload: (self) => ({ status: 202, headers: { location: location(self) } }),
      cancel: { status: cancelStatus },
    })
    const { outcome } = await probe(reg.url, { registryHost: 'registry.example' })
    expect(outcome).toMatchObject({ verdict: 'allowed', cleanup: 204 })
    const cancel = reg.requests.find((r) => r.method === 'DELETE')
    expect(cancel?.url).toMatch(/^\/v2\/acme\/app\/blobs\/uploads\/(rel|abs)-1\?_state=s$/)
  })

  it('sends no DELETE (and no credential) to a Location on another host', async () => {
    const other = await registry({}, '127.0.0.2')
    const reg = await registry({
      upload: () => ({
        status: 202,
        headers: { location: `${other.url}/v2/acme/app/blobs/uploads/x` },
      }),
    })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({ verdict: 'allowed', cleanup: 'skipped' })
    expect(other.requests).toHaveLength(0)
  })

  it.each([401, 404, 405])('tolerates a %i on the cleanup DELETE', async (status) => {
    const reg = await registry({ cancel: registryError(status, 'X', 'cannot cancel') })
    const { outcome } = await probe(reg.url, { registryHost: 'registry.example' })
    expect(outcome).toMatchObject({ verdict: 'allowed', cleanup: status })
  })

  it('sends no credentials to a token service on another host', async () => {
    const other = await registry({}, '127.0.0.2')
    const reg = await registry({
      challenge: () => ({
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="${other.url}/token",service="ghcr.io"` },
      }),
    })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'token', roundTrips: 1 })
    expect(outcome.reason).toBe(
      `the registry's token service is on another host (127.0.0.2:${other.port}); credentials were not sent`,
    )
    expect(other.requests).toHaveLength(0)
    expect(reg.requests.map((r) => r.headers.authorization)).toEqual([undefined])
  })

  it('accepts a token service on the same host but another port (distribution + token server)', async () => {
    const tokens = await registry({ token: () => ({ status: 200, body: '{"token":"t"}' }) })
    const reg = await registry({
      challenge: () => ({
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="${tokens.url}/token",service="test-registry"`,
        },
      }),
      upload: (_s, auth) => (auth === 'Bearer t' ? { status: 202 } : { status: 500 }),
    })
    const { outcome } = await probe(reg.url)
    expect(outcome.verdict).toBe('allowed')
    expect(tokens.requests).toHaveLength(1)
  })

  it('lets a ghcr.io registry use its known token host even behind the URL seam', async () => {
    const seen: string[] = []
    const http = createHttpClient({
      deadline: new Deadline(5000),
      retries: 0,
      fetch: async (input) => {
        const url = new URL(String(input))
        seen.push(url.host + url.pathname)
        if (url.pathname === '/v2/') {
          return new Response('', {
            status: 401,
            headers: {
              'www-authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io"',
            },
          })
        }
        if (url.pathname === '/token') return new Response('{"token":"t"}')
        return new Response('', { status: 202 })
      },
    })
    const { outcome } = await probe('http://127.0.0.1:5002', { http })
    expect(outcome.verdict).toBe('allowed')
    expect(seen).toEqual([
      '127.0.0.1:5002/v2/',
      'ghcr.io/token',
      '127.0.0.1:5002/v2/acme/app/blobs/uploads/',
    ])
  })
})

describe('upload refusals', () => {
  const html = (status: number): Answer => ({
    status,
    headers: { 'content-type': 'text/html' },
    body: '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.</body></html>',
  })
  const ghcr403 = (message: string) => registryError(403, 'DENIED', message)

  it.each<[string, Answer, Partial<ProbeOutcome>]>([
    [
      'org create',
      ghcr403('installation not allowed to Create organization package'),
      {
        verdict: 'denied',
        status: 403,
        code: 'DENIED',
        message: 'installation not allowed to Create organization package',
      },
    ],
    [
      'org write',
      ghcr403('installation not allowed to Write organization package'),
      { verdict: 'denied', message: 'installation not allowed to Write organization package' },
    ],
    ['write_package', ghcr403('permission_denied: write_package'), { verdict: 'denied' }],
    ['create_package', ghcr403('permission_denied: create_package'), { verdict: 'denied' }],
    [
      'scopes',
      ghcr403('permission_denied: The token provided does not match expected scopes.'),
      {
        verdict: 'denied',
        message: 'permission_denied: The token provided does not match expected scopes.',
      },
    ],
    [
      'classic PAT forbidden',
      ghcr403(
        'permission_denied: acme forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.',
      ),
      { verdict: 'denied' },
    ],
    [
      'ghcr 401 unauthenticated',
      registryError(
        401,
        'UNAUTHORIZED',
        'unauthenticated: User cannot be authenticated with the token provided.',
      ),
      { verdict: 'unauthorized', status: 401, code: 'UNAUTHORIZED' },
    ],
    [
      '403 with an unauthenticated message',
      ghcr403('unauthenticated: User cannot be authenticated with the token provided.'),
      { verdict: 'unauthorized', status: 403 },
    ],
    ['403 invalid token', ghcr403('invalid token'), { verdict: 'unauthorized' }],
    [
      'distribution 401 insufficient_scope',
      {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer realm="http://127.0.0.1:5003/token",service="test-registry",scope="repository:acme/app:pull,push",error="insufficient_scope"',
        },
        body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[]}]}',
      },
      { verdict: 'denied', status: 401, code: 'UNAUTHORIZED', message: 'authentication required' },
    ],
    [
      'distribution 401 invalid_token',
      { status: 401, headers: { 'www-authenticate': 'Bearer realm="x",error="invalid_token"' } },
      { verdict: 'unauthorized', status: 401 },
    ],
    ['HTML 403 page', html(403), { verdict: 'inconclusive', status: 403 }],
    ['HTML 401 page', html(401), { verdict: 'inconclusive', status: 401 }],
    ['403 without a body', { status: 403 }, { verdict: 'inconclusive', status: 403 }],
    ['500', registryError(500, 'UNKNOWN', 'boom'), { verdict: 'inconclusive', status: 500 }],
    [
      '429',
      { status: 429, headers: { 'retry-after': '120' } },
      { verdict: 'inconclusive', status: 429 },
    ],
    ['200 instead of 202', { status: 200, body: 'ok' }, { verdict: 'inconclusive', status: 200 }],
    ['404', registryError(404, 'NAME_UNKNOWN', 'x'), { verdict: 'inconclusive', status: 404 }],
  ])('%s', async (_name, answer, expected) => {
    const reg = await registry({ upload: () => answer })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({ step: 'upload', roundTrips: 3, ...expected })
    // Only an inconclusive outcome carries a reason, and then always one.
    expect(Boolean(outcome.reason)).toBe(outcome.verdict === 'inconclusive')
    expect(outcome.cleanup).toBeUndefined()
  })

  it('treats a truncated 403 body as inconclusive', async () => {
    const reg = await registry({
      upload: () =>
        registryError(403, 'DENIED', `permission_denied: write_package ${'x'.repeat(5000)}`),
    })
    const http = createHttpClient({ deadline: new Deadline(5000), retries: 0, maxBodyBytes: 200 })
    const { outcome } = await probe(reg.url, { http })
    expect(outcome).toMatchObject({ verdict: 'inconclusive', status: 403 })
  })

  it('never lets a secret reach the outcome, even when the registry echoes it', async () => {
    const reg = await registry({
      upload: (_s, auth) => registryError(403, 'DENIED', `bad ${auth} for ${PASS} (${BASIC})`),
    })
    const { outcome } = await probe(reg.url)
    const text = JSON.stringify(outcome)
    expect(text).not.toContain(PASS)
    expect(text).not.toContain(BASIC)
    expect(outcome.message).toBe('bad Bearer *** for *** (***)')
  })

  it('is inconclusive when the upload redirects to another host, which gets nothing', async () => {
    const other = await registry({}, '127.0.0.2')
    const reg = await registry({
      upload: () => ({
        status: 307,
        headers: { location: `${other.url}/v2/acme/app/blobs/uploads/` },
      }),
    })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'upload' })
    expect(outcome.reason).toContain(`127.0.0.2:${other.port}`)
    expect(other.requests).toHaveLength(0)
  })

  it('retries a 503 on the upload and then allows', async () => {
    let calls = 0
    const reg = await registry({
      upload: () =>
        ++calls === 1 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 202 },
    })
    const { outcome } = await probe(reg.url, { http: httpClient(2) })
    expect(outcome.verdict).toBe('allowed')
    expect(calls).toBe(2)
  })
})

describe('token service answers', () => {
  it.each<[string, Answer, Partial<ProbeOutcome>]>([
    [
      '401 bad credentials',
      registryError(401, 'UNAUTHORIZED', 'bad credentials'),
      { verdict: 'unauthorized', status: 401, message: 'bad credentials' },
    ],
    ['403 expired', { status: 403, body: '' }, { verdict: 'unauthorized', status: 403 }],
    [
      '403 HTML',
      { status: 403, headers: { 'content-type': 'text/html' }, body: '<html>no</html>' },
      { verdict: 'inconclusive' },
    ],
    ['500', { status: 500 }, { verdict: 'inconclusive', status: 500 }],
    [
      '200 without a token',
      { status: 200, body: '{"expires_in":300}' },
      { verdict: 'inconclusive', status: 200 },
    ],
    ['200 not JSON', { status: 200, body: '<html>' }, { verdict: 'inconclusive' }],
  ])('%s', async (_name, answer, expected) => {
    const reg = await registry({ token: () => answer })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({ step: 'token', roundTrips: 2, ...expected })
    expect(reg.requests.some((r) => r.method === 'POST')).toBe(false)
  })

  it('does not probe with an empty credential', async () => {
    const reg = await registry()
    const { outcome } = await probe(reg.url, { password: '' })
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'token' })
    expect(reg.requests.filter((r) => r.url !== '/v2/')).toHaveLength(0)
  })
})

describe('repository names', () => {
  it.each(['Acme/App', 'acme/../admin', 'acme/app?x=1', '', 'acme//app', 'acme/app/'])(
    'does not probe the invalid name %p',
    async (repository) => {
      const reg = await registry()
      const { outcome } = await probe(reg.url, { repository })
      expect(outcome).toMatchObject({ verdict: 'inconclusive', roundTrips: 0 })
      expect(reg.requests.filter((r) => r.url !== '/v2/')).toHaveLength(0)
    },
  )

  it.each(['acme/app', 'my-org/sub.group/img_1', 'a/b__c/d--e'])(
    'probes %p',
    async (repository) => {
      const reg = await registry()
      const { outcome } = await probe(reg.url, { repository })
      expect(outcome.verdict).toBe('allowed')
      expect(reg.requests.find((r) => r.method === 'POST')?.url).toBe(
        `/v2/${repository}/blobs/uploads/`,
      )
    },
  )
})

describe('Basic and no-auth registries', () => {
  it('sends Basic straight to the upload when the challenge is Basic', async () => {
    const reg = await registry({
      challenge: () => ({
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="basic-realm"' },
      }),
      upload: (_s, auth) =>
        auth === `Basic ${BASIC}` ? { status: 202 } : registryError(401, 'UNAUTHORIZED', 'x'),
    })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({ verdict: 'allowed', roundTrips: 2 })
    expect(reg.requests.some((r) => r.url.startsWith('/token'))).toBe(false)
  })

  it('reads a wrong Basic password as unauthorized', async () => {
    const reg = await registry({
      challenge: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
      upload: () => ({
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="r"' },
        body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      }),
    })
    expect((await probe(reg.url)).outcome).toMatchObject({ verdict: 'unauthorized', status: 401 })
  })

  it('sends no credentials to a registry that needs none', async () => {
    const reg = await registry({ challenge: () => ({ status: 200, body: '{}' }) })
    const { outcome } = await probe(reg.url)
    expect(outcome.verdict).toBe('allowed')
    expect(reg.requests.every((r) => r.headers.authorization === undefined)).toBe(true)
  })
})

describe('challenge failures', () => {
  it.each<[string, Answer, number | undefined]>([
    ['500', { status: 500 }, 500],
    ['404 (not a registry)', { status: 404, body: 'nope' }, 404],
    ['401 without a challenge', { status: 401 }, 401],
  ])('%s is inconclusive at the challenge', async (_name, answer, status) => {
    const reg = await registry({ challenge: () => answer })
    const { outcome } = await probe(reg.url)
    expect(outcome).toMatchObject({
      verdict: 'inconclusive',
      step: 'challenge',
      status,
      roundTrips: 1,
    })
    expect(reg.requests).toHaveLength(1)
  })

  it('is inconclusive when nothing listens', async () => {
    const { outcome } = await probe(`http://127.0.0.1:${await closedPort()}`)
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'challenge' })
    expect(outcome.reason).toContain('connection refused')
  })

  it('is inconclusive when the registry is plain http on a public host', async () => {
    const { outcome } = await probe('http://registry.example.com')
    expect(outcome).toMatchObject({ verdict: 'inconclusive', step: 'challenge' })
    expect(outcome.reason).toContain('loopback')
  })
})

describe('probeAll and the shared challenge', () => {
  it('asks /v2/ once for every image and credential, in three sequential round trips', async () => {
    const reg = await registry({
      upload: (_s, auth) =>
        auth === `Bearer ${BASIC}`
          ? { status: 202 }
          : registryError(403, 'DENIED', 'permission_denied: write_package'),
    })
    const http = httpClient()
    const result = await probeAll({
      http,
      baseUrl: reg.url,
      registryHost: 'ghcr.io',
      targets: [
        { image: 'ghcr.io/acme/app', repository: 'acme/app' },
        { image: 'ghcr.io/acme/worker', repository: 'acme/worker' },
      ],
      credentials: [
        { source: 'github-token', username: USER, password: PASS },
        { source: 'fallback-token', username: USER, password: 'ghp_other' },
      ],
    })
    expect(reg.requests.filter((r) => r.url === '/v2/')).toHaveLength(1)
    expect(reg.requests.filter((r) => r.url.startsWith('/token'))).toHaveLength(4)
    expect(reg.requests.filter((r) => r.method === 'POST')).toHaveLength(4)
    expect(result.roundTrips).toBe(3)
    expect(result.results.map((r) => [r.image, r.credential, r.outcome.verdict])).toEqual([
      ['ghcr.io/acme/app', 'github-token', 'allowed'],
      ['ghcr.io/acme/app', 'fallback-token', 'denied'],
      ['ghcr.io/acme/worker', 'github-token', 'allowed'],
      ['ghcr.io/acme/worker', 'fallback-token', 'denied'],
    ])
  })
})
