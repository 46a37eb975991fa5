import { describe, expect, it } from '@jest/globals'
import { assessFallback, type FallbackFacts } from '../../src/fallback/assess.js'
import type { Place } from '../../src/findings/types.js'
import type { OrgResult, RateLimitResult, UserResult } from '../../src/github/api.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}
const now = new Date('2027-10-01T12:00:00Z')
const day = 24 * 60 * 60 * 1000

const okRate = (scopes?: string[], expiration?: Date): RateLimitResult => ({
  kind: 'ok',
  status: 200,
  ...(scopes ? { scopes } : {}),
  ...(expiration ? { expiration } : {}),
})
const okUser: UserResult = { kind: 'ok', status: 200, login: 'octocat' }
const okOrg: OrgResult = { kind: 'ok', status: 200 }

function facts(over: Partial<FallbackFacts>): FallbackFacts {
  return {
    kind: 'classic',
    configured: true,
    ownerType: 'org',
    owner: 'acme',
    place,
    actor: 'the-actor',
    rateLimit: okRate(['repo', 'write:packages']),
    user: okUser,
    org: okOrg,
    now,
    ...over,
  }
}

interface Case {
  name: string
  facts: Partial<FallbackFacts>
  ids: string[]
  candidate: boolean
  /** Substrings the findings' text (message + fix) must contain, per id. */
  says?: Record<string, string[]>
  severity?: Record<string, string>
  /** How many fix steps the finding has, per id (when its own steps replace the catalogue's). */
  fixSteps?: Record<string, number>
  username?: string
  inconclusive?: boolean
}

const cases: Case[] = [
  {
    name: 'empty value on a push: secret not defined',
    facts: { kind: 'empty' },
    ids: ['fallback-token-missing'],
    candidate: false,
    says: {
      'fallback-token-missing': [
        'not defined for acme/app',
        'https://github.com/acme/app/settings/secrets/actions',
        'https://github.com/acme/app/settings/secrets/dependabot',
      ],
    },
  },
  {
    name: 'empty value in a fork pull request',
    facts: { kind: 'empty', untrusted: 'fork-pull-request' },
    ids: ['fallback-token-missing'],
    candidate: false,
    severity: { 'fallback-token-missing': 'warning' },
    says: {
      'fallback-token-missing': [
        'from a fork',
        'no secrets',
        'head.repo.full_name == github.repository',
        'https://github.com/acme/app/settings/secrets/actions',
        'https://github.com/acme/app/settings/secrets/dependabot',
      ],
    },
  },
  {
    name: 'empty value in a Dependabot run',
    facts: { kind: 'empty', untrusted: 'dependabot-run' },
    ids: ['fallback-token-missing'],
    candidate: false,
    severity: { 'fallback-token-missing': 'warning' },
    says: {
      'fallback-token-missing': [
        'only Dependabot secrets',
        'https://github.com/acme/app/settings/secrets/dependabot',
        'https://github.com/acme/app/settings/secrets/actions',
      ],
    },
  },
  {
    name: 'empty and not configured: nothing to say',
    facts: { kind: 'empty', configured: false },
    ids: [],
    candidate: false,
  },
  {
    name: "the run's own token passed as fallback",
    facts: { kind: 'actions' },
    ids: ['input-invalid'],
    candidate: false,
    says: { 'input-invalid': ["run's own token", 'secrets.GHCR_TOKEN'] },
  },
  {
    name: 'fine-grained PAT',
    facts: { kind: 'fine-grained' },
    ids: ['fallback-token-fine-grained'],
    candidate: false,
    says: {
      'fallback-token-fine-grained': [
        'classic',
        'https://github.com/settings/tokens/new?scopes=write:packages',
      ],
    },
  },
  {
    name: 'another App installation token, org namespace: ruled out',
    facts: { kind: 'app' },
    ids: ['fallback-token-app-token'],
    candidate: false,
    severity: { 'fallback-token-app-token': 'error' },
    says: { 'fallback-token-app-token': ['installation not allowed', 'packages: write'] },
  },
  {
    name: 'another App installation token, user namespace: the probe decides',
    facts: { kind: 'app', ownerType: 'user', owner: 'octocat' },
    ids: ['fallback-token-app-token'],
    candidate: true,
    severity: { 'fallback-token-app-token': 'warning' },
    username: 'the-actor',
  },
  {
    name: 'user-to-server token, user namespace',
    facts: {
      kind: 'user-to-server',
      ownerType: 'user',
      owner: 'octocat',
      usernameInput: 'octocat',
    },
    ids: ['fallback-token-app-token'],
    candidate: true,
    says: { 'fallback-token-app-token': ['ghu_'] },
    username: 'octocat',
  },
  {
    name: 'healthy classic PAT in an org',
    facts: {},
    ids: [],
    candidate: true,
    username: 'octocat',
  },
  {
    name: 'classic PAT without write:packages',
    facts: { rateLimit: okRate(['repo', 'read:packages']) },
    ids: ['fallback-token-scopes'],
    candidate: false,
    says: {
      'fallback-token-scopes': [
        'repo, read:packages',
        'write:packages',
        'https://github.com/settings/tokens',
      ],
    },
  },
  {
    name: 'classic PAT with no scopes at all',
    facts: { rateLimit: okRate([]) },
    ids: ['fallback-token-scopes'],
    candidate: false,
    says: { 'fallback-token-scopes': ['no scopes at all'] },
  },
  {
    name: 'gh OAuth token without write:packages',
    facts: { kind: 'oauth', rateLimit: okRate(['gist', 'read:org', 'repo']) },
    ids: ['fallback-token-scopes'],
    candidate: false,
    says: {
      'fallback-token-scopes': ['gh auth refresh -h github.com --scopes write:packages'],
    },
  },
  {
    name: 'no scopes header (unknown kind): no claim either way',
    facts: { kind: 'unknown', rateLimit: okRate() },
    ids: [],
    candidate: true,
  },
  {
    name: 'expires in 3 days',
    facts: { rateLimit: okRate(['write:packages'], new Date(now.getTime() + 3 * day + 3600_000)) },
    ids: ['fallback-token-expiring'],
    candidate: true,
    severity: { 'fallback-token-expiring': 'warning' },
    says: { 'fallback-token-expiring': ['2027-10-04 13:00 UTC', 'in 3 days'] },
  },
  {
    name: 'expires in just under 7 days',
    facts: { rateLimit: okRate(['write:packages'], new Date(now.getTime() + 7 * day - 60_000)) },
    ids: ['fallback-token-expiring'],
    candidate: true,
    says: { 'fallback-token-expiring': ['in 7 days'] },
  },
  {
    name: 'expires in 60 hours: rounded to whole days',
    facts: { rateLimit: okRate(['write:packages'], new Date(now.getTime() + 2.5 * day + 60_000)) },
    ids: ['fallback-token-expiring'],
    candidate: true,
    says: { 'fallback-token-expiring': ['in 3 days'] },
  },
  {
    name: 'expires in 20 hours',
    facts: { rateLimit: okRate(['write:packages'], new Date(now.getTime() + 20 * 3_600_000)) },
    ids: ['fallback-token-expiring'],
    candidate: true,
    says: { 'fallback-token-expiring': ['within a day'] },
  },
  {
    name: 'expires in 8 days: no warning yet',
    facts: { rateLimit: okRate(['write:packages'], new Date(now.getTime() + 8 * day)) },
    ids: [],
    candidate: true,
  },
  {
    name: 'rate_limit 401: expired, revoked or wrong',
    facts: {
      rateLimit: { kind: 'http-error', status: 401, message: 'Bad credentials' },
      user: { kind: 'http-error', status: 401, message: 'Bad credentials' },
      org: { kind: 'http-error', status: 401, message: 'Bad credentials' },
    },
    ids: ['fallback-token-invalid'],
    candidate: false,
    says: { 'fallback-token-invalid': ['401', 'Bad credentials', 'expired', 'revoked'] },
    username: 'the-actor',
  },
  {
    name: 'SSO required with an authorisation URL',
    facts: {
      org: {
        kind: 'sso-required',
        status: 403,
        url: 'https://github.com/orgs/acme/sso?authorization_request=A1',
        message: '',
      },
    },
    ids: ['fallback-token-sso'],
    candidate: false,
    says: {
      'fallback-token-sso': ['https://github.com/orgs/acme/sso?authorization_request=A1', 'acme'],
    },
  },
  {
    name: 'SSO required without a URL',
    facts: {
      org: {
        kind: 'sso-required',
        status: 403,
        message: 'Resource protected by organization SAML enforcement.',
      },
    },
    ids: ['fallback-token-sso'],
    candidate: false,
    says: { 'fallback-token-sso': ['Configure SSO', 'https://github.com/settings/tokens'] },
  },
  {
    name: 'org forbids classic PATs',
    facts: {
      org: {
        kind: 'forbids-classic-pat',
        status: 403,
        message: '`acme` forbids access via a personal access token (classic).',
      },
    },
    ids: ['org-forbids-classic-pat'],
    candidate: false,
    says: {
      'org-forbids-classic-pat': [
        'packages: write',
        'https://github.com/organizations/acme/settings',
      ],
    },
  },
  {
    // GitHub's docs: an organisation can set a maximum lifetime for classic PATs, and a token
    // living longer is blocked; its exact message is not on record, only "lifetime" tells it apart.
    name: "org's classic-PAT lifetime policy: a shorter-lived PAT, not a ban",
    facts: {
      org: {
        kind: 'forbids-classic-pat',
        status: 403,
        message:
          '`acme` forbids access via a personal access token (classic) whose lifetime is greater than 90 days.',
      },
    },
    ids: ['org-forbids-classic-pat'],
    candidate: false,
    says: {
      'org-forbids-classic-pat': [
        'limits how long',
        "within the organisation's maximum lifetime",
        'https://github.com/settings/tokens/new?scopes=write:packages',
      ],
    },
    // The ban's steps (drop the PAT, ask an owner to allow classic tokens) do not apply.
    fixSteps: { 'org-forbids-classic-pat': 2 },
  },
  {
    name: 'API unreachable: inconclusive, not denied',
    facts: {
      rateLimit: {
        kind: 'unreachable',
        reason: 'timeout: GET http://127.0.0.1/rate_limit: no complete answer within 400 ms',
      },
    },
    ids: ['probe-inconclusive'],
    candidate: true,
    severity: { 'probe-inconclusive': 'warning' },
    says: { 'probe-inconclusive': ['GET /rate_limit', 'timeout', 'registry probe decides'] },
    inconclusive: true,
  },
  {
    name: 'API 502 HTML page: inconclusive',
    facts: {
      rateLimit: {
        kind: 'bad-response',
        status: 502,
        reason: 'HTTP 502 with an HTML page ("Unicorn! &middot; GitHub")',
      },
    },
    ids: ['probe-inconclusive'],
    candidate: true,
    inconclusive: true,
  },
  {
    name: 'API 503: inconclusive',
    facts: {
      rateLimit: { kind: 'http-error', status: 503, message: 'Service Unavailable' },
      org: { kind: 'unreachable', reason: 'network: refused' },
    },
    ids: ['probe-inconclusive'],
    candidate: true,
    says: { 'probe-inconclusive': ['HTTP 503', 'GET /orgs/acme'] },
    inconclusive: true,
  },
  {
    name: 'GET /user unreachable: inconclusive, actor as username',
    facts: { user: { kind: 'unreachable', reason: 'network: connection reset' } },
    ids: ['probe-inconclusive'],
    candidate: true,
    username: 'the-actor',
    inconclusive: true,
  },
  {
    name: 'GET /user refused (403): actor as username, nothing else',
    facts: {
      user: { kind: 'http-error', status: 403, message: 'Resource not accessible by integration' },
    },
    ids: [],
    candidate: true,
    username: 'the-actor',
  },
  {
    name: 'fallback-username input wins over the token owner',
    facts: { usernameInput: 'ci-bot' },
    ids: [],
    candidate: true,
    username: 'ci-bot',
  },
  {
    name: 'user namespace, token of another user',
    facts: { ownerType: 'user', owner: 'someone-else', org: undefined },
    ids: ['fallback-token-owner-mismatch'],
    candidate: true,
    severity: { 'fallback-token-owner-mismatch': 'warning' },
    says: { 'fallback-token-owner-mismatch': ['octocat', 'someone-else', 'create_package'] },
  },
  {
    name: 'user namespace, owner matches case-insensitively; org answer ignored',
    facts: {
      ownerType: 'user',
      owner: 'OctoCat',
      org: { kind: 'forbids-classic-pat', status: 403, message: 'x' },
    },
    ids: [],
    candidate: true,
  },
  {
    name: 'several problems at once',
    facts: {
      rateLimit: okRate(['repo'], new Date(now.getTime() + day)),
      org: { kind: 'sso-required', status: 403, message: '' },
    },
    ids: ['fallback-token-scopes', 'fallback-token-expiring', 'fallback-token-sso'],
    candidate: false,
  },
]

describe('assessFallback', () => {
  it.each(cases)('$name', (c) => {
    const got = assessFallback(facts(c.facts))
    expect(got.findings.map((f) => f.id)).toEqual(c.ids)
    expect(got.candidate).toBe(c.candidate)
    expect(got.inconclusive).toBe(c.inconclusive ?? false)
    expect(got).toMatchObject(c.username !== undefined ? { username: c.username } : {})
    for (const [id, needles] of Object.entries(c.says ?? {})) {
      const f = got.findings.find((x) => x.id === id)!
      const text = [f.message, ...f.fix].join('\n')
      for (const needle of needles) expect(text).toContain(needle)
    }
    for (const [id, severity] of Object.entries(c.severity ?? {})) {
      expect(got.findings.find((x) => x.id === id)!.severity).toBe(severity)
    }
    for (const [id, steps] of Object.entries(c.fixSteps ?? {})) {
      expect(got.findings.find((x) => x.id === id)!.fix).toHaveLength(steps)
    }
  })

  it('places findings on the fallback-token input when told where it is', () => {
    const got = assessFallback(
      facts({
        kind: 'fine-grained',
        at: { file: '.github/workflows/build.yml', line: 12, column: 11 },
      }),
    )
    expect(got.findings[0]).toMatchObject({
      file: '.github/workflows/build.yml',
      line: 12,
      column: 11,
    })
  })

  it('reports what GitHub said about the token', () => {
    const expires = new Date('2028-01-01T00:00:00Z')
    const got = assessFallback(facts({ rateLimit: okRate(['write:packages'], expires) }))
    expect(got).toMatchObject({
      scopes: ['write:packages'],
      expiresAt: expires.toISOString(),
      login: 'octocat',
      usernameSource: 'token-owner',
    })
  })

  it('builds links from the server URL (GHES)', () => {
    const ghes: Place = {
      serverUrl: 'https://ghe.example.com',
      repository: 'acme/app',
      registry: 'containers.ghe.example.com',
    }
    const got = assessFallback(facts({ kind: 'empty', place: ghes }))
    const text = got.findings.flatMap((f) => f.fix).join('\n')
    expect(text).toContain('https://ghe.example.com/acme/app/settings/secrets/actions')
    expect(text).not.toContain('https://github.com')
  })
})
