import { afterEach, describe, expect, it } from '@jest/globals'
import type { IncomingMessage } from 'node:http'
import { assessFallback, type FallbackFacts } from '../../src/fallback/assess.js'
import { askAboutFallback } from '../../src/fallback/check.js'
import type { GitHubApi } from '../../src/github/api.js'
import type { Place } from '../../src/findings/types.js'
import { createGitHubApi } from '../../src/github/api.js'
import {
  BAD_CREDENTIALS,
  barrier,
  FakeGitHub,
  ghError,
  json,
  rateLimitBody,
  testHttpClient,
  type Reply,
} from '../github/fake-github.js'

// Built at run time so no literal token sits in the source.
const RUN = 'ghs_' + 'r7'.repeat(18)
const PAT = 'ghp_' + 'p4'.repeat(18)
const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}
const SSO_URL = 'https://github.com/orgs/acme/sso?authorization_request=Z9Y8'

/** How the emulated GitHub treats the PAT. */
interface PatTruth {
  valid: boolean
  scopes: string
  expires?: string
  login: string
  sso?: boolean
  forbidClassic?: boolean
}

function emulate(gh: FakeGitHub, t: PatTruth): void {
  const authed = (req: IncomingMessage): boolean => req.headers.authorization === `Bearer ${PAT}`
  gh.route('GET', '/rate_limit', (req) => {
    if (!authed(req) || !t.valid) return BAD_CREDENTIALS()
    return json(200, rateLimitBody(), {
      'X-OAuth-Scopes': t.scopes,
      'X-Accepted-OAuth-Scopes': '',
      ...(t.expires ? { 'GitHub-Authentication-Token-Expiration': t.expires } : {}),
    })
  })
  gh.route('GET', '/user', (req) => {
    if (!authed(req) || !t.valid) return BAD_CREDENTIALS()
    return json(200, { login: t.login, id: 1, type: 'User' }, { 'X-OAuth-Scopes': t.scopes })
  })
  gh.route('GET', '/orgs/acme', (req): Reply => {
    if (!authed(req) || !t.valid) return BAD_CREDENTIALS()
    if (t.forbidClassic) {
      return ghError(
        403,
        '`acme` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.',
      )
    }
    if (t.sso) {
      return ghError(
        403,
        'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        { 'X-GitHub-SSO': `required; url=${SSO_URL}` },
      )
    }
    return json(
      200,
      { login: 'acme', id: 9 },
      { 'X-GitHub-SSO': 'partial-results; organizations=123' },
    )
  })
}

/** A valid classic PAT with write:packages, owned by octocat, member of acme. */
function healthyAnswers(): Record<string, Reply> {
  return {
    '/rate_limit': json(200, rateLimitBody(), { 'X-OAuth-Scopes': 'write:packages' }),
    '/user': json(200, { login: 'octocat', id: 1 }),
    '/orgs/acme': json(200, { login: 'acme', id: 9 }),
  }
}

let gh: FakeGitHub
afterEach(async () => {
  await gh?.stop()
})

type CheckFallbackOptions = Omit<FallbackFacts, 'kind' | 'rateLimit' | 'user' | 'org'> & {
  api: GitHubApi
  token: string
  runToken: string
}

/** The preflight's two halves for the fallback: ask GitHub (I/O), then read the answers (pure). */
async function checkFallback(o: CheckFallbackOptions): Promise<ReturnType<typeof assessFallback>> {
  const { api, token, runToken, ...facts } = o
  const answers = await askAboutFallback({
    api,
    token,
    runToken,
    ownerType: o.ownerType,
    owner: o.owner,
    askApi: true,
  })
  return assessFallback({ ...facts, ...answers })
}

async function run(
  over: Partial<CheckFallbackOptions> = {},
  apiTimeoutMs?: number,
): Promise<Awaited<ReturnType<typeof checkFallback>>> {
  const api = createGitHubApi({
    apiUrl: gh.url,
    http: testHttpClient(),
    ...(apiTimeoutMs ? { timeoutMs: apiTimeoutMs } : {}),
  })
  return checkFallback({
    api,
    token: PAT,
    runToken: RUN,
    configured: true,
    ownerType: 'org',
    owner: 'acme',
    place,
    actor: 'the-actor',
    now: new Date('2027-10-01T00:00:00Z'),
    ...over,
  })
}

function noTokenIn(value: unknown): void {
  const text = JSON.stringify(value)
  for (const secret of [
    PAT,
    RUN,
    Buffer.from(PAT).toString('base64'),
    Buffer.from(`x:${PAT}`).toString('base64'),
  ]) {
    expect(text).not.toContain(secret)
  }
}

describe('askAboutFallback + assessFallback against an emulated GitHub API', () => {
  const cases: {
    name: string
    truth: PatTruth
    ids: string[]
    candidate: boolean
    username?: string
    says?: string
  }[] = [
    {
      name: 'healthy classic PAT',
      truth: {
        valid: true,
        scopes: 'repo, write:packages',
        expires: '2028-01-01 00:00:00 UTC',
        login: 'octocat',
      },
      ids: [],
      candidate: true,
      username: 'octocat',
    },
    {
      name: 'expired or revoked',
      truth: { valid: false, scopes: '', login: 'octocat' },
      ids: ['fallback-token-invalid'],
      candidate: false,
      username: 'the-actor',
      says: 'Bad credentials',
    },
    {
      name: 'missing write:packages',
      truth: { valid: true, scopes: 'repo, read:packages', login: 'octocat' },
      ids: ['fallback-token-scopes'],
      candidate: false,
      says: 'repo, read:packages',
    },
    {
      name: 'expiring in two days',
      truth: {
        valid: true,
        scopes: 'write:packages',
        expires: '2027-10-03 09:00:00 UTC',
        login: 'octocat',
      },
      ids: ['fallback-token-expiring'],
      candidate: true,
      says: '2027-10-03 09:00 UTC',
    },
    {
      name: 'not authorised for SAML SSO',
      truth: { valid: true, scopes: 'write:packages', login: 'octocat', sso: true },
      ids: ['fallback-token-sso'],
      candidate: false,
      says: SSO_URL,
    },
    {
      name: 'org forbids classic PATs',
      truth: { valid: true, scopes: 'write:packages', login: 'octocat', forbidClassic: true },
      ids: ['org-forbids-classic-pat'],
      candidate: false,
    },
  ]

  it.each(cases)('$name', async (c) => {
    gh = await new FakeGitHub().start()
    emulate(gh, c.truth)
    const got = await run()
    expect(got.findings.map((f) => f.id)).toEqual(c.ids)
    expect(got.candidate).toBe(c.candidate)
    expect(got).toMatchObject(c.username ? { username: c.username } : {})
    expect(got.findings.map((f) => [f.message, ...f.fix].join(' ')).join(' ')).toContain(
      c.says ?? '',
    )
    noTokenIn(got)
  })

  it('sends the three questions together', async () => {
    gh = await new FakeGitHub().start()
    emulate(gh, { valid: true, scopes: 'write:packages', login: 'octocat' })
    // Each answer waits until all three requests have arrived (or 1.5 s, when they come one by one).
    const wait = barrier(3, 1500)
    for (const [path, answer] of Object.entries(healthyAnswers())) {
      gh.route('GET', path, async () => {
        await wait()
        return answer
      })
    }
    const got = await run()
    // All three were in flight at once (asked one by one, at most one would be).
    expect(gh.maxInFlight).toBe(3)
    expect(got.findings).toEqual([])
    expect(gh.requests.map((r) => r.path).sort()).toEqual(['/orgs/acme', '/rate_limit', '/user'])
  })

  it('does not ask about an org for a user namespace', async () => {
    gh = await new FakeGitHub().start()
    emulate(gh, { valid: true, scopes: 'write:packages', login: 'octocat' })
    const got = await run({ ownerType: 'user', owner: 'octocat' })
    expect(got.findings).toEqual([])
    expect(gh.requests.map((r) => r.path).sort()).toEqual(['/rate_limit', '/user'])
  })

  it.each([
    [
      'fine-grained PAT',
      'github_pat_' + 'f'.repeat(22) + '_' + 'g'.repeat(59),
      'fallback-token-fine-grained',
    ],
    ['another App token', 'ghs_' + 'o'.repeat(36), 'fallback-token-app-token'],
    ['empty secret', '', 'fallback-token-missing'],
  ])('%s: decided from the value alone, no API call', async (_name, token, id) => {
    gh = await new FakeGitHub().start()
    const got = await run({ token })
    expect(got.findings.map((f) => f.id)).toEqual([id])
    expect(got.candidate).toBe(false)
    expect(gh.requests).toEqual([])
    noTokenIn(got)
    expect(JSON.stringify(got)).not.toContain(token || RUN)
  })

  it("the run's own token as fallback adds nothing, asks nothing, and says so", async () => {
    gh = await new FakeGitHub().start()
    const got = await run({ token: RUN })
    expect(got).toMatchObject({ kind: 'actions', candidate: false })
    expect(got.findings.map((f) => [f.id, f.severity])).toEqual([['input-invalid', 'warning']])
    expect(gh.requests).toEqual([])
  })

  it('a hanging API is inconclusive, not a denial, and ends within the timeout', async () => {
    // Baseline in the same test: how long answers 240 ms late take on this machine now (with the
    // client's 5 s default timeout, so load cannot turn the baseline into a timeout).
    gh = await new FakeGitHub().start()
    for (const [path, answer] of Object.entries(healthyAnswers())) {
      gh.route('GET', path, async () => {
        await new Promise((resolve) => setTimeout(resolve, 240))
        return answer
      })
    }
    let started = performance.now()
    expect((await run()).findings).toEqual([])
    const baselineMs = performance.now() - started
    await gh.stop()

    gh = await new FakeGitHub().start()
    gh.route('GET', /.*/, () => 'hang')
    started = performance.now()
    const got = await run({}, 300)
    // Given up at the 300 ms timeout, about as long as the 240 ms answers took (load stretches
    // both alike), not after the client's 5 s default or never.
    expect(performance.now() - started).toBeLessThanOrEqual(3 * baselineMs)
    expect(got.candidate).toBe(true)
    expect(got.inconclusive).toBe(true)
    expect(got.findings.map((f) => f.id)).toEqual(['probe-inconclusive'])
    expect(got.username).toBe('the-actor')
    noTokenIn(got)
  })
})
