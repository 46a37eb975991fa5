import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Place } from '../../src/findings/types.js'
import { createGitHubApi } from '../../src/github/api.js'
import { readPackageLink, type PackageLinkOptions } from '../../src/package/linkage.js'
import {
  FakeGitHub,
  ghError,
  json,
  testHttpClient,
  unicorn502,
  type Reply,
} from '../github/fake-github.js'

const RUN = 'ghs_' + 'r7'.repeat(18)
const PAT = 'ghp_' + 'p4'.repeat(18)
const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}

function pkg(
  name: string,
  owner: string,
  repository: string | undefined,
  visibility: string,
): Reply {
  return json(200, {
    id: 1,
    name,
    package_type: 'container',
    owner: { login: owner },
    visibility,
    ...(repository
      ? { repository: { full_name: repository, name: repository.split('/')[1] } }
      : {}),
  })
}

/** Package table of the emulated GitHub: path → reply; PAT sees all, run token only packages of acme/app. */
const table: Record<string, { reply: Reply | 'hang'; runTokenSees: boolean }> = {
  '/orgs/acme/packages/container/app': {
    reply: pkg('app', 'acme', 'acme/app', 'private'),
    runTokenSees: true,
  },
  '/orgs/acme/packages/container/other': {
    reply: pkg('other', 'acme', 'acme/elsewhere', 'internal'),
    runTokenSees: false,
  },
  '/orgs/acme/packages/container/mixed': {
    reply: pkg('mixed', 'acme', 'ACME/App', 'public'),
    runTokenSees: true,
  },
  '/users/octocat/packages/container/tools%2Fcli': {
    reply: pkg('tools/cli', 'octocat', undefined, 'private'),
    runTokenSees: false,
  },
  '/orgs/acme/packages/container/flaky': { reply: unicorn502(), runTokenSees: true },
  '/orgs/acme/packages/container/slow': { reply: 'hang', runTokenSees: true },
}

const gh = new FakeGitHub()
let api: ReturnType<typeof createGitHubApi>
beforeAll(async () => {
  gh.route('GET', /\/packages\/container\//, (req, url) => {
    // The raw path keeps %2F, as GitHub expects it.
    const path = (req.url ?? '').split('?')[0]!
    const entry = table[path] ?? table[url.pathname]
    const run = req.headers.authorization === `Bearer ${RUN}`
    if (!entry || (run && !entry.runTokenSees)) return ghError(404, 'Package not found.')
    return entry.reply
  })
  await gh.start()
  api = createGitHubApi({ apiUrl: gh.url, http: testHttpClient(), timeoutMs: 300 })
})
afterAll(async () => {
  await gh.stop()
})

interface Case {
  name: string
  token: 'pat' | 'run'
  ownerType: 'user' | 'org'
  owner: string
  pkg: string
  exists: boolean | 'unknown'
  linked?: string
  visibility?: string
  ids: string[]
  says?: string[]
  detail?: RegExp
}

const cases: Case[] = [
  {
    name: 'linked to this repository (PAT)',
    token: 'pat',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'app',
    exists: true,
    linked: 'acme/app',
    visibility: 'private',
    ids: [],
    detail: /connected to acme\/app/,
  },
  {
    name: 'linked to this repository (run token)',
    token: 'run',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'app',
    exists: true,
    linked: 'acme/app',
    ids: [],
  },
  {
    name: 'linked, repository name differs only in case',
    token: 'pat',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'mixed',
    exists: true,
    linked: 'ACME/App',
    visibility: 'public',
    ids: [],
  },
  {
    name: 'linked to another repository',
    token: 'pat',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'other',
    exists: true,
    linked: 'acme/elsewhere',
    visibility: 'internal',
    ids: ['package-not-linked'],
    says: [
      'acme/elsewhere',
      'https://github.com/orgs/acme/packages/container/other/settings',
      '"Manage Actions access"',
      '"Add repository"',
      'set its role to "Write"',
      'acme/app',
    ],
  },
  {
    name: 'not connected to any repository (user namespace, name with a slash)',
    token: 'pat',
    ownerType: 'user',
    owner: 'octocat',
    pkg: 'tools/cli',
    exists: true,
    visibility: 'private',
    ids: ['package-not-linked'],
    says: [
      '"Connect repository"',
      'https://github.com/users/octocat/packages/container/tools%2Fcli/settings',
      'set its role to "Write"',
      'org.opencontainers.image.source=https://github.com/acme/app',
    ],
  },
  {
    name: 'PAT gets 404: the package does not exist yet',
    token: 'pat',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'brand-new',
    exists: false,
    ids: [],
    detail: /first push will create it/,
  },
  {
    name: 'run token gets 404: inconclusive',
    token: 'run',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'other',
    exists: 'unknown',
    ids: [],
    detail: /not a refusal.*Admin role/,
  },
  {
    name: 'HTML 502: unknown',
    token: 'pat',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'flaky',
    exists: 'unknown',
    ids: [],
    detail: /HTML page/,
  },
  {
    name: 'hanging API: unknown',
    token: 'pat',
    ownerType: 'org',
    owner: 'acme',
    pkg: 'slow',
    exists: 'unknown',
    ids: [],
    detail: /timeout/,
  },
]

/** The preflight asks (gather.ts) and then reads the answer (pure): both halves, against the fake API. */
async function checkPackageLink(o: PackageLinkOptions & { token: string }) {
  const { token, ...rest } = o
  return readPackageLink(rest, await api.getPackage(o.ownerType, o.owner, o.name, token))
}

describe('GET package + readPackageLink', () => {
  it.each(cases)('$name', async (c) => {
    const got = await checkPackageLink({
      token: c.token === 'pat' ? PAT : RUN,
      tokenIsRunToken: c.token === 'run',
      ownerType: c.ownerType,
      owner: c.owner,
      name: c.pkg,
      runRepository: 'acme/app',
      place,
      image: `ghcr.io/${c.owner}/${c.pkg}`,
    })
    expect(got.exists).toBe(c.exists)
    expect(got.linkedRepository).toBe(c.linked)
    expect(got).toMatchObject(c.visibility ? { visibility: c.visibility } : {})
    expect(got.findings.map((f) => f.id)).toEqual(c.ids)
    expect(got.check?.status).toBe(
      c.ids.length > 0 ? 'warn' : c.exists === 'unknown' ? 'info' : 'pass',
    )
    // Linkage is a hint (Manage Actions access is not readable): never an error-level denial.
    expect(got.findings.filter((f) => f.severity === 'error')).toEqual([])
    for (const f of got.findings) {
      expect(f.image).toBe(`ghcr.io/${c.owner}/${c.pkg}`)
      const text = [f.message, ...f.fix].join('\n')
      for (const needle of c.says ?? []) expect(text).toContain(needle)
    }
    expect(got.detail ?? '').toMatch(c.detail ?? /.*/)
    const all = JSON.stringify(got)
    expect(all).not.toContain(PAT)
    expect(all).not.toContain(RUN)
  })

  it('settings URLs follow the server (GHES)', async () => {
    const ghes: Place = {
      serverUrl: 'https://ghe.example.com',
      repository: 'acme/app',
      registry: 'containers.ghe.example.com',
    }
    const got = await checkPackageLink({
      token: PAT,
      tokenIsRunToken: false,
      ownerType: 'org',
      owner: 'acme',
      name: 'other',
      runRepository: 'acme/app',
      place: ghes,
    })
    const text = got.findings.flatMap((f) => f.fix).join('\n')
    expect(text).toContain('https://ghe.example.com/orgs/acme/packages/container/other/settings')
    expect(text).not.toContain('https://github.com/')
  })
})
