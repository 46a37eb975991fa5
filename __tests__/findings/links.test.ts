// Every link a fix text or a docs entry gives has a known form, and every action a fix text
// names is pinned by commit SHA. Fix texts are rendered for every finding id across places
// (github.com, GHE.com, GitHub Enterprise Server) and the details detectors pass, so a link
// built from a wrong template, or a `uses:` left on a tag, cannot hide in an untested branch.

import { describe, expect, it } from '@jest/globals'
import { CATALOGUE } from '../../src/findings/catalogue.js'
import { FINDING_IDS, type Place } from '../../src/findings/types.js'

const PLACES: Place[] = [
  { serverUrl: 'https://github.com', repository: 'acme/widget', registry: 'ghcr.io' },
  {
    serverUrl: 'https://octo.ghe.com',
    repository: 'acme/widget',
    registry: 'containers.octo.ghe.com',
  },
  {
    serverUrl: 'https://ghe.example.com',
    repository: 'team/api',
    registry: 'containers.ghe.example.com',
  },
  // What `explain` passes: placeholders, nothing known.
  { serverUrl: 'https://github.com', repository: 'OWNER/REPO', registry: 'ghcr.io' },
]

const DETAILS: Record<string, string | undefined>[] = [
  {},
  { job: 'build', jobGrantsWrite: 'no', file: '.github/workflows/build.yml' },
  { job: 'build', jobGrantsWrite: 'yes' },
  {
    owner: 'acme',
    ownerType: 'org',
    org: 'acme',
    package: 'tools/widget',
    image: 'ghcr.io/acme/tools/widget',
  },
  { owner: 'bob', ownerType: 'user', package: 'x', login: 'alice', linkedRepository: 'acme/other' },
  { owner: 'bob', package: 'x' },
  // The SSO URL is the one GitHub returned, on the run's own server (SERVER is replaced below).
  { org: 'acme', ssoUrl: 'SERVER/orgs/acme/sso?authorization_request=Z9Y8' },
  {
    callee: 'acme/ci/.github/workflows/push.yml@v1',
    expectedRegistry: 'ghcr.io',
    expires: '2030-01-01',
  },
  { input: 'image', expected: 'a list of image references' },
  { environment: 'yes' },
]

const NAME = '[A-Za-z0-9][A-Za-z0-9._-]*'
const ENC = '[A-Za-z0-9._%-]+'

/** The link forms a fix may use, on the run's own server `s`. */
function knownForms(s: string): RegExp[] {
  const S = s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return [
    // personal settings: the token list, a new classic PAT with write:packages ticked
    new RegExp(`^${S}/settings/tokens(/new\\?scopes=write:packages&description=GHCR_TOKEN)?$`),
    // a repository, and its Actions, secrets and environments settings
    new RegExp(
      `^${S}/${NAME}/${NAME}(/settings/(actions|secrets/actions|secrets/dependabot|environments))?$`,
    ),
    // organisation settings: general, packages, actions
    new RegExp(`^${S}/organizations/${NAME}/settings(/packages|/actions)?$`),
    // a container package's page or settings, for an organisation or a user
    new RegExp(`^${S}/(orgs|users)/${NAME}/packages/container/${ENC}(/settings)?$`),
    // the SAML SSO authorisation URL GitHub itself returned (X-GitHub-SSO)
    new RegExp(`^${S}/orgs/${NAME}/sso\\?authorization_request=[A-Za-z0-9]+$`),
    // documentation and status pages
    /^https:\/\/docs\.github\.com\/en\/[a-z0-9@.#/_-]+$/,
    /^https:\/\/github\.blog\/changelog\/[a-z0-9_-]+\/?$/,
    /^https:\/\/www\.githubstatus\.com\/$/,
    /^https:\/\/github\.com\/docker\/metadata-action#[a-z0-9-]+$/,
  ]
}

/** Every http(s) URL in a text, without trailing punctuation. */
function urls(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s`'"<>)]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ''))
}

/** `owner/repo[/path]@ref` references: actions in a `uses:` or named in prose. */
function actionRefs(text: string): { ref: string; at: string }[] {
  return [
    ...text.matchAll(
      /\b([A-Za-z0-9-]+\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._/-]+)?)@([A-Za-z0-9._-]+)/g,
    ),
  ]
    .filter((m) => !m[0].startsWith('git@'))
    .map((m) => ({ ref: m[2]!, at: m[0] }))
}

const rendered = FINDING_IDS.flatMap((id) =>
  PLACES.flatMap((place) =>
    DETAILS.map((details) => ({
      id,
      place,
      text: CATALOGUE[id]
        .fix(
          place,
          Object.fromEntries(
            Object.entries(details).map(([k, v]) => [k, v?.replace('SERVER', place.serverUrl)]),
          ),
        )
        .join('\n'),
    })),
  ),
)

describe('catalogue links', () => {
  it.each([...FINDING_IDS])('%s: every link in every fix text has a known form', (id) => {
    const unknown: string[] = []
    for (const r of rendered.filter((x) => x.id === id)) {
      const forms = knownForms(r.place.serverUrl)
      for (const url of urls(r.text)) {
        if (!forms.some((f) => f.test(url))) unknown.push(`${r.place.serverUrl}: ${url}`)
      }
    }
    expect(unknown).toEqual([])
  })

  it.each([...FINDING_IDS])('%s: every docs link is a documentation page', (id) => {
    const forms = knownForms('https://github.com').slice(-4)
    for (const d of CATALOGUE[id].docs) {
      expect({ url: d.url, known: forms.some((f) => f.test(d.url)) }).toEqual({
        url: d.url,
        known: true,
      })
    }
  })

  it('recognises the forms it allows, and rejects others', () => {
    const forms = knownForms('https://github.com')
    const ok = (u: string) => forms.some((f) => f.test(u))
    expect(ok('https://github.com/orgs/acme/packages/container/tools%2Fwidget/settings')).toBe(true)
    expect(ok('https://github.com/organizations/acme/settings/packages')).toBe(true)
    expect(ok('https://github.com/acme/widget/settings/secrets/actions')).toBe(true)
    expect(ok('https://github.com/orgs/acme/packages/container/tools/widget/settings')).toBe(false)
    expect(ok('https://github.com/acme/widget/settings/secrets')).toBe(false)
    expect(ok('https://example.com/settings/tokens')).toBe(false)
  })
})

describe('actions named in fix texts', () => {
  it('finds the references it must check', () => {
    const all = rendered.map((r) => r.text).join('\n')
    expect(actionRefs(all).map((a) => a.at)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^docker\/metadata-action@/)]),
    )
    expect(actionRefs('uses: docker/login-action@v3').map((a) => a.ref)).toEqual(['v3'])
  })

  it.each([...FINDING_IDS])('%s: every action reference is pinned to a commit SHA', (id) => {
    const unpinned = rendered
      .filter((r) => r.id === id)
      .flatMap((r) => actionRefs(r.text))
      // A reusable workflow the user's own detector quoted (details.callee) is theirs to pin.
      .filter((a) => !a.at.startsWith('acme/ci/'))
      .filter((a) => !/^[0-9a-f]{40}$/.test(a.ref))
      .map((a) => a.at)
    expect(unpinned).toEqual([])
  })
})
