import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createGitHubApi, parseExpiration, parseScopes, parseSso } from '../../src/github/api.js'
import { createHttpClient } from '../../src/http/client.js'
import { Deadline } from '../../src/http/deadline.js'
import {
  BAD_CREDENTIALS,
  FakeGitHub,
  ghError,
  json,
  rateLimitBody,
  testHttpClient,
  unicorn502,
  type Reply,
} from './fake-github.js'

// Built at run time so no literal token sits in the source.
const PAT = 'ghp_' + 'k3'.repeat(18)

const gh = new FakeGitHub()
let api: ReturnType<typeof createGitHubApi>
const results: unknown[] = []

/** Each test sets the reply for a path prefix it owns. */
const replies = new Map<string, Reply | 'hang'>()
function reply(path: string, r: Reply | 'hang'): void {
  replies.set(path, r)
}

beforeAll(async () => {
  gh.route('GET', /.*/, (_req, url) => replies.get(url.pathname) ?? ghError(404, 'Not Found'))
  await gh.start()
  api = createGitHubApi({ apiUrl: `${gh.url}/`, http: testHttpClient({ timeoutMs: 400 }) })
})
afterAll(async () => {
  await gh.stop()
})

async function track<T>(p: Promise<T>): Promise<T> {
  const r = await p
  results.push(r)
  return r
}

describe('request headers', () => {
  it('sends the API version, media type, user agent and bearer token', async () => {
    reply('/user', json(200, { login: 'octocat', id: 1, type: 'User' }))
    await track(api.getUser(PAT))
    const seen = gh.requests.filter((r) => r.path === '/user').at(-1)!
    expect(seen.headers.accept).toBe('application/vnd.github+json')
    expect(seen.headers['x-github-api-version']).toBe('2022-11-28')
    // octokit appends its own name and version, as every octokit client does.
    expect(seen.headers['user-agent']).toMatch(/^ghcr-preflight octokit-core\.js\/\d/)
    expect(seen.headers.authorization).toBe(`Bearer ${PAT}`)
  })

  it('sends no Authorization header without a token', async () => {
    reply('/users/octocat', json(200, { login: 'octocat', type: 'User' }))
    await track(api.getOwner('octocat', ''))
    expect(gh.requests.at(-1)!.headers.authorization).toBeUndefined()
  })
})

describe('octokit over our HTTP client', () => {
  it("retries only by our client's policy: octokit adds none of its own", async () => {
    const flaky = new FakeGitHub()
    const answers = [ghError(503, 'Service Unavailable'), json(200, rateLimitBody())]
    flaky.route('GET', '/rate_limit', () => answers.shift() ?? ghError(503, 'Service Unavailable'))
    await flaky.start()
    try {
      // One retry allowed: the 503 is retried once and the second answer is the result.
      const once = createGitHubApi({ apiUrl: flaky.url, http: testHttpClient({ retries: 1 }) })
      expect(await track(once.rateLimit(PAT))).toMatchObject({ kind: 'ok', status: 200 })
      expect(flaky.requests).toHaveLength(2)
      // No retry allowed: exactly one request, and its 503 is the result.
      const never = createGitHubApi({ apiUrl: flaky.url, http: testHttpClient({ retries: 0 }) })
      expect(await track(never.rateLimit(PAT))).toMatchObject({ kind: 'http-error', status: 503 })
      expect(flaky.requests).toHaveLength(3)
    } finally {
      await flaky.stop()
    }
  })

  it('an error answer with a malformed Content-Type is still classified, not unreachable', async () => {
    reply('/user', {
      status: 401,
      headers: { 'Content-Type': 'text/html; x' },
      body: '<html></html>',
    })
    expect(await track(api.getUser(PAT))).toMatchObject({ kind: 'bad-response', status: 401 })
    reply('/user', {
      status: 403,
      headers: { 'Content-Type': 'application/json;;' },
      body: JSON.stringify({ message: 'Resource not accessible by integration' }),
    })
    expect(await track(api.getUser(PAT))).toEqual({
      kind: 'http-error',
      status: 403,
      message: 'Resource not accessible by integration',
    })
  })

  it('a 204 or a 3xx without Location is an answer to classify, not a crash', async () => {
    reply('/user', { status: 204 })
    expect(await track(api.getUser(PAT))).toMatchObject({ kind: 'http-error', status: 204 })
    reply('/user', { status: 304, headers: { 'Content-Type': 'application/json' } })
    expect(await track(api.getUser(PAT))).toMatchObject({ kind: 'http-error', status: 304 })
  })

  it('a redirect to another host is refused by our client, and nothing reaches that host', async () => {
    const other = new FakeGitHub()
    other.route('GET', /.*/, () => json(200, { login: 'x' }))
    await other.start()
    try {
      reply('/user', {
        status: 302,
        headers: { Location: `${other.url}/user` },
      })
      const got = await track(api.getUser(PAT))
      expect(got).toMatchObject({ kind: 'unreachable' })
      expect(got.kind === 'unreachable' && got.reason).toMatch(/^redirect-refused:/)
      expect(other.requests).toEqual([])
    } finally {
      await other.stop()
    }
  })

  it('a body over the size limit is a bad response', async () => {
    const small = createGitHubApi({
      apiUrl: gh.url,
      http: createHttpClient({ deadline: new Deadline(5000), retries: 0, maxBodyBytes: 64 }),
    })
    reply('/user', json(200, { login: 'octocat', padding: 'x'.repeat(200) }))
    const got = await track(small.getUser(PAT))
    expect(got).toMatchObject({ kind: 'bad-response', status: 200 })
    expect(got.kind === 'bad-response' && got.reason).toMatch(/cut off at the size limit/)
  })
})

describe('rateLimit', () => {
  const cases: { name: string; reply: Reply | 'hang'; expected: Record<string, unknown> }[] = [
    {
      name: 'classic PAT: scopes and expiry',
      reply: json(200, rateLimitBody(), {
        'X-OAuth-Scopes': 'repo, write:packages, read:packages',
        'X-Accepted-OAuth-Scopes': '',
        'GitHub-Authentication-Token-Expiration': '2027-10-12 09:00:00 UTC',
      }),
      expected: {
        kind: 'ok',
        status: 200,
        scopes: ['repo', 'write:packages', 'read:packages'],
        expiration: new Date('2027-10-12T09:00:00Z'),
        expirationRaw: '2027-10-12 09:00:00 UTC',
      },
    },
    {
      name: 'classic PAT with no scopes: empty header',
      reply: json(200, rateLimitBody(), { 'X-OAuth-Scopes': '' }),
      expected: { kind: 'ok', status: 200, scopes: [] },
    },
    {
      name: 'GITHUB_TOKEN / fine-grained: no scopes header, no expiry',
      reply: json(200, rateLimitBody()),
      expected: { kind: 'ok', status: 200 },
    },
    {
      name: 'unparseable expiry keeps the raw value only',
      reply: json(200, rateLimitBody(), {
        'X-OAuth-Scopes': 'write:packages',
        'GitHub-Authentication-Token-Expiration': 'soon',
      }),
      expected: { kind: 'ok', status: 200, scopes: ['write:packages'], expirationRaw: 'soon' },
    },
    {
      name: '401 bad credentials',
      reply: BAD_CREDENTIALS(),
      expected: { kind: 'http-error', status: 401, message: 'Bad credentials' },
    },
    {
      name: '503 JSON',
      reply: ghError(503, 'Service Unavailable'),
      expected: { kind: 'http-error', status: 503, message: 'Service Unavailable' },
    },
  ]
  it.each(cases)('$name', async ({ reply: r, expected }) => {
    reply('/rate_limit', r)
    expect(await track(api.rateLimit(PAT))).toEqual(expected)
  })

  it('HTML 502 page is a bad response, not a denial', async () => {
    reply('/rate_limit', unicorn502())
    const r = await track(api.rateLimit(PAT))
    expect(r).toMatchObject({ kind: 'bad-response', status: 502 })
    expect(r.kind === 'bad-response' && r.reason).toContain('Unicorn!')
  })

  it('JSON that does not parse is a bad response', async () => {
    reply('/rate_limit', {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"resources": ',
    })
    expect(await track(api.rateLimit(PAT))).toMatchObject({ kind: 'bad-response', status: 200 })
  })

  it('a hanging endpoint becomes unreachable (timeout)', async () => {
    reply('/rate_limit', 'hang')
    const r = await track(api.rateLimit(PAT))
    expect(r.kind).toBe('unreachable')
    expect(r.kind === 'unreachable' && r.reason).toMatch(/^timeout:/)
  })

  it('a closed port becomes unreachable (network)', async () => {
    const dead = new FakeGitHub()
    await dead.start()
    const url = dead.url
    await dead.stop()
    const r = await track(createGitHubApi({ apiUrl: url, http: testHttpClient() }).rateLimit(PAT))
    expect(r).toMatchObject({ kind: 'unreachable' })
    expect(r.kind === 'unreachable' && r.reason).toMatch(/^network:/)
  })
})

describe('header parsers', () => {
  it.each([
    ['2027-10-12 09:00:00 UTC', '2027-10-12T09:00:00.000Z'],
    ['2027-10-12 09:00:00 +0200', '2027-10-12T07:00:00.000Z'],
    ['2027-10-12 09:00:00 -07:00', '2027-10-12T16:00:00.000Z'],
    ['2027-10-12T09:00:00Z', '2027-10-12T09:00:00.000Z'],
    ['2027-10-12 09:00 UTC', '2027-10-12T09:00:00.000Z'],
  ])('expiry %s', (raw, iso) => {
    expect(parseExpiration(raw)?.toISOString()).toBe(iso)
  })
  it.each(['', 'never', '12/10/2027', '2027-13-45 99:99:99 UTC'])(
    'unparseable expiry %j',
    (raw) => {
      expect(parseExpiration(raw)).toBeUndefined()
    },
  )
  it.each([
    [undefined, undefined],
    ['', []],
    ['repo,write:packages', ['repo', 'write:packages']],
    [' read:packages , ', ['read:packages']],
  ])('scopes %j', (raw, expected) => {
    expect(parseScopes(raw)).toEqual(expected)
  })
  it.each([
    [
      'required; url=https://github.com/orgs/acme/sso?authorization_request=AB12',
      { required: true, url: 'https://github.com/orgs/acme/sso?authorization_request=AB12' },
    ],
    ['required', { required: true }],
    ['partial-results; organizations=21955855,20582480', { required: false }],
    [undefined, { required: false }],
  ])('sso %j', (raw, expected) => {
    expect(parseSso(raw)).toEqual(expected)
  })
})

describe('getUser and getOwner', () => {
  it.each([
    [
      'PAT',
      json(200, { login: 'octocat', id: 1, type: 'User' }),
      { kind: 'ok', status: 200, login: 'octocat' },
    ],
    [
      'GITHUB_TOKEN',
      ghError(403, 'Resource not accessible by integration'),
      { kind: 'http-error', status: 403, message: 'Resource not accessible by integration' },
    ],
    ['no login field', json(200, { id: 1 }), { kind: 'bad-response', status: 200 }],
  ])('GET /user with %s', async (_name, r, expected) => {
    reply('/user', r)
    expect(await track(api.getUser(PAT))).toMatchObject(expected)
  })

  it.each([
    [
      'octocat',
      json(200, { login: 'octocat', type: 'User' }),
      { kind: 'ok', type: 'User', login: 'octocat' },
    ],
    [
      'acme',
      json(200, { login: 'acme', type: 'Organization' }),
      { kind: 'ok', type: 'Organization' },
    ],
    ['ghost-owner', ghError(404, 'Not Found'), { kind: 'not-found', status: 404 }],
    ['some-bot', json(200, { login: 'some-bot', type: 'Bot' }), { kind: 'bad-response' }],
  ])('GET /users/%s', async (owner, r, expected) => {
    reply(`/users/${owner}`, r)
    expect(await track(api.getOwner(owner, PAT))).toMatchObject(expected)
  })
})

describe('getOrg', () => {
  const ssoUrl = 'https://github.com/orgs/acme/sso?authorization_request=A1B2C3'
  const cases: [string, Reply, Record<string, unknown>][] = [
    ['plain success', json(200, { login: 'acme', id: 9 }), { kind: 'ok', status: 200 }],
    [
      'success with partial-results SSO header',
      json(200, { login: 'acme' }, { 'X-GitHub-SSO': 'partial-results; organizations=21955855' }),
      { kind: 'ok', status: 200 },
    ],
    [
      'SSO required with URL',
      ghError(
        403,
        'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        {
          'X-GitHub-SSO': `required; url=${ssoUrl}`,
        },
      ),
      { kind: 'sso-required', status: 403, url: ssoUrl },
    ],
    [
      'SAML message without the header',
      ghError(
        403,
        'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
      ),
      { kind: 'sso-required', status: 403 },
    ],
    [
      'classic PAT banned',
      ghError(
        403,
        '`acme` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.',
      ),
      { kind: 'forbids-classic-pat', status: 403 },
    ],
    ['not an org', ghError(404, 'Not Found'), { kind: 'not-found', status: 404 }],
    ['bad credentials', BAD_CREDENTIALS(), { kind: 'http-error', status: 401 }],
  ]
  it.each(cases)('%s', async (_name, r, expected) => {
    reply('/orgs/acme', r)
    const got = await track(api.getOrg('acme', PAT))
    expect(got).toMatchObject(expected)
    // No URL is invented when GitHub gave none.
    expect('url' in got).toBe('url' in expected)
  })
})

describe('getPackage', () => {
  const pkg = (repository?: string, visibility = 'private'): Reply =>
    json(200, {
      id: 42,
      name: 'tools/app',
      package_type: 'container',
      owner: { login: 'acme', type: 'Organization' },
      version_count: 3,
      visibility,
      url: 'https://api.github.com/orgs/acme/packages/container/tools%2Fapp',
      html_url: 'https://github.com/orgs/acme/packages/container/package/tools%2Fapp',
      ...(repository
        ? { repository: { id: 7, name: repository.split('/')[1], full_name: repository } }
        : {}),
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-02T00:00:00Z',
    })

  it.each([
    [
      'org',
      'linked',
      pkg('acme/app', 'public'),
      { kind: 'ok', name: 'tools/app', repository: 'acme/app', visibility: 'public' },
    ],
    [
      'user',
      'not linked',
      pkg(undefined),
      { kind: 'ok', name: 'tools/app', visibility: 'private' },
    ],
    [
      'org',
      'missing',
      ghError(404, 'Package not found.'),
      { kind: 'not-found', status: 404, message: 'Package not found.' },
    ],
  ] as const)('%s package, %s', async (ownerType, _what, r, expected) => {
    const scope = ownerType === 'org' ? 'orgs' : 'users'
    reply(`/${scope}/acme/packages/container/tools%2Fapp`, r)
    const got = await track(api.getPackage(ownerType, 'acme', 'tools/app', PAT))
    expect(got).toEqual({ status: 200, ...expected })
    expect(gh.requests.at(-1)!.path).toBe(`/${scope}/acme/packages/container/tools%2Fapp`)
  })
})

describe('getWorkflowFile', () => {
  const text =
    'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      packages: write\n'
  // GitHub wraps base64 content at 60 characters with \n.
  const b64 = Buffer.from(text)
    .toString('base64')
    .replace(/(.{60})/g, '$1\n')
  const file = (over: Record<string, unknown> = {}): Reply =>
    json(200, {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(text),
      name: 'build.yml',
      path: '.github/workflows/build.yml',
      content: b64,
      ...over,
    })

  it('decodes base64 content and asks for the ref', async () => {
    reply('/repos/acme/app/contents/.github/workflows/build.yml', file())
    const got = await track(
      api.getWorkflowFile('acme/app', '.github/workflows/build.yml', 'a'.repeat(40), PAT),
    )
    expect(got).toEqual({ kind: 'ok', status: 200, text })
    expect(gh.requests.at(-1)!.path).toBe(
      `/repos/acme/app/contents/.github/workflows/build.yml?ref=${'a'.repeat(40)}`,
    )
  })

  it.each([
    ['missing', ghError(404, 'Not Found'), { kind: 'not-found' }],
    ['a directory', json(200, [{ type: 'file', name: 'x.yml' }]), { kind: 'bad-response' }],
    [
      'too large',
      file({ size: 2 * 1024 * 1024, encoding: 'none', content: '' }),
      { kind: 'bad-response' },
    ],
    [
      'forbidden',
      ghError(403, 'Resource not accessible by integration'),
      { kind: 'http-error', status: 403 },
    ],
  ])('%s', async (_name, r, expected) => {
    reply('/repos/acme/app/contents/.github/workflows/build.yml', r)
    expect(
      await track(
        api.getWorkflowFile('acme/app', '.github/workflows/build.yml', 'refs/heads/main', PAT),
      ),
    ).toMatchObject(expected)
  })

  it('refuses a path that climbs out, without asking', async () => {
    const before = gh.requests.length
    const got = await track(
      api.getWorkflowFile('acme/app', '.github/../../etc/passwd', undefined, PAT),
    )
    expect(got).toMatchObject({ kind: 'bad-response', status: 0 })
    expect(gh.requests.length).toBe(before)
  })
})

describe('secrets', () => {
  it('no result carries the token', () => {
    expect(results.length).toBeGreaterThan(30)
    const all = JSON.stringify(results)
    expect(all).not.toContain(PAT)
    expect(all).not.toContain(Buffer.from(PAT).toString('base64'))
  })
})
