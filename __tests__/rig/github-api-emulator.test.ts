// The GitHub REST emulator: behaviour per token kind (ghcr-failure-modes §3.4, §4, §5) and every
// response body validated against GitHub's published OpenAPI description.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRig, type Rig } from '../../rig/index.mjs'
import { GithubOpenApi } from './openapi.js'
import { baseGithub, REPO } from './support.js'

let rig: Rig
let tokens: Record<string, string>
let openapi: GithubOpenApi
const WORKFLOW = 'name: build\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n'

beforeAll(async () => {
  rig = await startRig()
  openapi = new GithubOpenApi()
})
afterAll(async () => {
  await rig?.stop()
})

function world(patch?: (g: Record<string, unknown>) => void, repository = REPO): void {
  const github = baseGithub()
  const t = github.tokens as Record<string, Record<string, unknown>>
  t.pat.expires_at = '2027-10-12T09:00:00Z'
  t.pat_plain = { kind: 'classic', owner: 'craigedmunds', scopes: ['repo'] }
  // The run's repository has admin on a package it published (§4.2).
  ;(github.packages as unknown[]).push({
    owner: 'craigedmunds',
    name: 'published-here',
    repository: REPO,
    visibility: 'public',
    actions_access: { [REPO]: 'admin' },
  })
  patch?.(github)
  ;({ tokens } = rig.setWorld({
    repository,
    github,
    files: { '.github/workflows/build.yml': WORKFLOW },
  }))
}

/** A header expectation: exact text, a pattern, or null for "absent". */
const headerMatcher = (want: string | RegExp | null): unknown =>
  want instanceof RegExp ? expect.stringMatching(want) : want

interface ApiCase {
  name: string
  token?: string
  path: string
  template: string
  status: number
  headers?: Record<string, string | RegExp | null>
  body?: Record<string, unknown>
  patch?: (g: Record<string, unknown>) => void
}

const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401',
}
const RL = '/rate_limit'
const ORG_PKG = '/orgs/{org}/packages/{package_type}/{package_name}'
const USER_PKG = '/users/{username}/packages/{package_type}/{package_name}'
const CONTENTS = '/repos/{owner}/{repo}/contents/{path}'

const cases: ApiCase[] = [
  // /rate_limit: the cheap credential check (§5.1, §5.5)
  {
    name: 'rate_limit, classic PAT: scopes and expiry headers',
    token: 'pat',
    path: RL,
    template: RL,
    status: 200,
    headers: {
      'x-oauth-scopes': 'write:packages, read:packages',
      'github-authentication-token-expiration': '2027-10-12 09:00:00 UTC',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
    },
  },
  {
    name: 'rate_limit, OAuth token: scopes header',
    token: 'oauth',
    path: RL,
    template: RL,
    status: 200,
    headers: {
      'x-oauth-scopes': 'write:packages, read:packages',
      'github-authentication-token-expiration': null,
    },
  },
  {
    name: 'rate_limit, run token: no scopes header',
    token: 'github',
    path: RL,
    template: RL,
    status: 200,
    headers: { 'x-oauth-scopes': null, 'x-ratelimit-limit': '1000' },
  },
  {
    name: 'rate_limit, fine-grained PAT: no scopes header',
    token: 'fine',
    path: RL,
    template: RL,
    status: 200,
    headers: { 'x-oauth-scopes': null },
  },
  {
    name: 'rate_limit, expired PAT',
    token: 'expired',
    path: RL,
    template: RL,
    status: 401,
    body: BAD_CREDENTIALS,
    headers: { 'x-oauth-scopes': null },
  },
  {
    name: 'rate_limit, unknown token',
    token: '!ghp_unknownunknownunknownunknownunknown',
    path: RL,
    template: RL,
    status: 401,
    body: BAD_CREDENTIALS,
  },
  {
    name: 'rate_limit, anonymous',
    path: RL,
    template: RL,
    status: 200,
    headers: { 'x-ratelimit-limit': '60' },
  },
  // /user (§3.4)
  {
    name: 'user, classic PAT → login',
    token: 'pat',
    path: '/user',
    template: '/user',
    status: 200,
    body: { login: 'craigedmunds', type: 'User' },
  },
  {
    // GitHub keeps a login's case; it is the username a login should send (Tr3kkR/Yuzu#1180).
    name: 'user, classic PAT of a login with capitals → login as written',
    token: 'mixed',
    patch: (g) => {
      ;(g.tokens as Record<string, unknown>).mixed = {
        kind: 'classic',
        owner: 'Tr3kkR',
        scopes: ['write:packages'],
      }
    },
    path: '/user',
    template: '/user',
    status: 200,
    body: { login: 'Tr3kkR', type: 'User' },
  },
  {
    name: 'user, run token → not accessible by integration',
    token: 'github',
    path: '/user',
    template: '/user',
    status: 403,
    body: { message: 'Resource not accessible by integration' },
  },
  {
    name: 'user, app token → not accessible by integration',
    token: 'app',
    path: '/user',
    template: '/user',
    status: 403,
    body: { message: 'Resource not accessible by integration' },
  },
  // /users/{u}
  {
    name: 'users, a user',
    token: 'pat',
    path: '/users/craigedmunds',
    template: '/users/{username}',
    status: 200,
    body: { login: 'craigedmunds', type: 'User' },
  },
  {
    name: 'users, an organisation',
    token: 'pat',
    path: '/users/acme',
    template: '/users/{username}',
    status: 200,
    body: { login: 'acme', type: 'Organization' },
  },
  {
    name: 'users, unknown',
    token: 'pat',
    path: '/users/nobody-here',
    template: '/users/{username}',
    status: 404,
    body: { message: 'Not Found' },
  },
  // /orgs/{org} (§5.4, §1.11)
  {
    name: 'orgs, ordinary org',
    token: 'pat',
    path: '/orgs/acme',
    template: '/orgs/{org}',
    status: 200,
    body: { login: 'acme', type: 'Organization' },
    headers: { 'x-github-sso': null },
  },
  {
    name: 'orgs, SAML SSO with an unauthorised PAT',
    token: 'pat_nosso',
    path: '/orgs/ssoorg',
    template: '/orgs/{org}',
    status: 403,
    headers: {
      'x-github-sso':
        /^required; url=https:\/\/github\.com\/orgs\/ssoorg\/sso\?authorization_request=\w+$/,
    },
    body: {
      message:
        'Resource protected by organization SAML enforcement. You must grant your personal token access to this organization.',
    },
  },
  {
    name: 'orgs, classic PAT banned',
    token: 'pat',
    path: '/orgs/banned',
    template: '/orgs/{org}',
    status: 403,
    body: {
      message:
        '`banned` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.',
    },
  },
  {
    name: 'orgs, a user is not an org',
    token: 'pat',
    path: '/orgs/craigedmunds',
    template: '/orgs/{org}',
    status: 404,
  },
  // packages (§4.1, §4.2)
  {
    name: 'org package, PAT with read:packages, linked',
    token: 'pat',
    path: '/orgs/acme/packages/container/linked-elsewhere',
    template: ORG_PKG,
    status: 200,
    body: {
      name: 'linked-elsewhere',
      visibility: 'private',
      package_type: 'container',
      repository: expect.objectContaining({ full_name: 'acme/other' }),
    },
  },
  {
    name: 'user package, PAT, linked',
    token: 'pat',
    path: '/users/craigedmunds/packages/container/backstage',
    template: USER_PKG,
    status: 200,
    body: {
      name: 'backstage',
      repository: expect.objectContaining({ full_name: 'craigedmunds/other-repo' }),
    },
  },
  {
    name: 'org package, PAT, unknown package',
    token: 'pat',
    path: '/orgs/acme/packages/container/nothing',
    template: ORG_PKG,
    status: 404,
    body: { message: 'Package not found.' },
  },
  {
    name: 'org package, PAT without packages scopes',
    token: 'pat_plain',
    path: '/orgs/acme/packages/container/linked-elsewhere',
    template: ORG_PKG,
    status: 403,
  },
  {
    name: 'user package, run token with admin on it',
    token: 'github',
    path: '/users/craigedmunds/packages/container/published-here',
    template: USER_PKG,
    status: 200,
    body: {
      name: 'published-here',
      visibility: 'public',
      repository: expect.objectContaining({ full_name: REPO }),
    },
  },
  {
    name: 'user package, run token without admin → 404',
    token: 'github',
    path: '/users/craigedmunds/packages/container/backstage',
    template: USER_PKG,
    status: 404,
    body: { message: 'Package not found.' },
  },
  {
    name: 'org package, app token → 404',
    token: 'app',
    path: '/orgs/acme/packages/container/linked-elsewhere',
    template: ORG_PKG,
    status: 404,
  },
  {
    name: 'org package, classic PAT banned by org',
    token: 'pat',
    path: '/orgs/banned/packages/container/x',
    template: ORG_PKG,
    status: 403,
  },
  // contents
  {
    name: 'contents, workflow file',
    token: 'github',
    path: '/repos/craigedmunds/argocd-eda/contents/.github/workflows/build.yml?ref=abc123',
    template: CONTENTS,
    status: 200,
    body: {
      type: 'file',
      encoding: 'base64',
      path: '.github/workflows/build.yml',
      name: 'build.yml',
    },
  },
  {
    name: 'contents, missing file',
    token: 'github',
    path: '/repos/craigedmunds/argocd-eda/contents/nope.yml',
    template: CONTENTS,
    status: 404,
  },
]

describe('GitHub REST emulator', () => {
  it.each(cases)('$name → $status, body valid against GitHub’s OpenAPI', async (c) => {
    world(c.patch)
    const secret = c.token?.startsWith('!')
      ? c.token.slice(1)
      : c.token
        ? tokens[c.token]
        : undefined
    const res = await fetch(`${rig.apiUrl}${c.path}`, {
      headers: {
        accept: 'application/vnd.github+json',
        ...(secret ? { authorization: `Bearer ${secret}` } : {}),
      },
    })
    expect(res.status).toBe(c.status)
    const body = (await res.json()) as Record<string, unknown>
    const wanted = c.headers ?? {}
    const got = Object.fromEntries(Object.keys(wanted).map((name) => [name, res.headers.get(name)]))
    expect(got).toEqual(
      Object.fromEntries(Object.entries(wanted).map(([name, want]) => [name, headerMatcher(want)])),
    )
    expect(body).toMatchObject(c.body ?? {})
    const { validate, where } = openapi.validator(c.template, c.status)
    const valid = validate(body)
    expect({ where, valid, errors: validate.errors?.slice(0, 5) ?? null }).toEqual({
      where,
      valid: true,
      errors: null,
    })
  })

  it('the OpenAPI check is real: it rejects bodies GitHub would not send', () => {
    const pkg = openapi.validator(ORG_PKG, 200).validate
    expect(pkg({ name: 'x', package_type: 'container', visibility: 'private' })).toBe(false)
    expect(
      pkg({
        id: 1,
        name: 'x',
        package_type: 'container',
        visibility: 'secret',
        url: 'u',
        html_url: 'h',
        version_count: 1,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
      }),
    ).toBe(false)
    const rate = openapi.validator(RL, 200).validate
    expect(rate({ resources: { core: { limit: 1 } } })).toBe(false)
  })

  it('serves the file content base64-encoded, byte for byte', async () => {
    world()
    const res = await fetch(`${rig.apiUrl}/repos/${REPO}/contents/.github/workflows/build.yml`, {
      headers: { authorization: `token ${tokens.github}` },
    })
    const body = (await res.json()) as { content: string; size: number }
    expect(Buffer.from(body.content, 'base64').toString('utf8')).toBe(WORKFLOW)
    expect(body.size).toBe(Buffer.byteLength(WORKFLOW))
  })

  it('shows a package the run token pushed through the GHCR emulator (world shared)', async () => {
    world()
    const pushed = await rig.skopeoPush({
      image: 'craigedmunds/via-registry',
      username: 'u',
      password: tokens.github,
    })
    expect(pushed.ok).toBe(true)
    const res = await fetch(`${rig.apiUrl}/users/craigedmunds/packages/container/via-registry`, {
      headers: { authorization: `Bearer ${tokens.pat}` },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { repository?: { full_name: string }; visibility: string }
    expect(body).toMatchObject({ visibility: 'private', repository: { full_name: REPO } })
    const { validate } = openapi.validator(USER_PKG, 200)
    expect(validate(body)).toBe(true)
  })

  it('never echoes a token in a body or header', async () => {
    world()
    for (const name of ['pat', 'github', 'expired', 'fine']) {
      const res = await fetch(`${rig.apiUrl}/rate_limit`, {
        headers: { authorization: `token ${tokens[name]}` },
      })
      const text = JSON.stringify([...res.headers]) + (await res.text())
      expect(text).not.toContain(tokens[name])
    }
  })
})
