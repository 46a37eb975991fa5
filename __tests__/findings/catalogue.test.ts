import { describe, expect, it } from '@jest/globals'
import { CATALOGUE, makeFinding } from '../../src/findings/catalogue.js'
import { FINDING_IDS, type FindingId, type Place } from '../../src/findings/types.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/widget',
  registry: 'ghcr.io',
}
const ghes: Place = {
  serverUrl: 'https://ghe.example.com',
  repository: 'team/api',
  registry: 'containers.ghe.example.com',
}
const all = (id: FindingId, p: Place, details: Record<string, string | undefined> = {}) =>
  CATALOGUE[id].fix(p, details).join('\n')

describe('catalogue', () => {
  it('has an entry for every finding id and nothing else', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual([...FINDING_IDS].sort())
  })

  it.each([...FINDING_IDS])('%s is complete', (id) => {
    const e = CATALOGUE[id]
    expect(['error', 'warning', 'notice']).toContain(e.severity)
    expect(e.title.length).toBeGreaterThan(5)
    expect(e.title.length).toBeLessThanOrEqual(70)
    expect(e.title).not.toMatch(/\.$/)
    expect(e.when).toMatch(/\.$/)
    expect(e.why.length).toBeGreaterThan(30)
    const steps = e.fix(place, {})
    expect(steps.length).toBeGreaterThan(0)
    for (const s of steps) expect(s.trim()).not.toBe('')
    for (const d of e.docs)
      expect(d.url).toMatch(
        /^https:\/\/(docs\.github\.com|github\.blog|github\.com|www\.githubstatus\.com)\//,
      )
    // The default texts never contain unrendered placeholders.
    expect(steps.join('\n')).not.toMatch(/undefined|\[object/)
  })

  it.each([...FINDING_IDS])("%s builds links on the run's own server (GHES)", (id) => {
    const text = all(id, ghes, { owner: 'team', ownerType: 'org', package: 'api', org: 'team' })
    expect(text).not.toMatch(/https:\/\/github\.com\/(?!docker\/)/)
  })

  it('package-not-linked gives the exact Manage Actions access steps, Connect repository and the source label', () => {
    const text = all('package-not-linked', place, {
      owner: 'acme',
      ownerType: 'org',
      package: 'tools/widget',
      linkedRepository: 'acme/other',
    })
    expect(text).toContain(
      'https://github.com/orgs/acme/packages/container/tools%2Fwidget/settings',
    )
    expect(text).toContain(
      '"Manage Actions access" click "Add repository", pick `acme/widget`, then set its role to "Write"',
    )
    expect(text).toContain('"Connect repository"')
    expect(text).toContain('LABEL org.opencontainers.image.source=https://github.com/acme/widget')
    expect(text).toContain('connected to `acme/other`')
    expect(text).toContain(
      'https://github.com/settings/tokens/new?scopes=write:packages&description=GHCR_TOKEN',
    )
  })

  it('uses the user package URL for personal accounts and both when unknown', () => {
    expect(
      all('package-not-linked', place, { owner: 'bob', ownerType: 'user', package: 'x' }),
    ).toContain('https://github.com/users/bob/packages/container/x/settings')
    const both = all('package-not-linked', place, { owner: 'bob', package: 'x' })
    expect(both).toContain('https://github.com/users/bob/packages/container/x/settings')
    expect(both).toContain('https://github.com/orgs/bob/packages/container/x/settings')
  })

  it.each<[FindingId, Record<string, string>]>([
    ['packages-permission-missing', { job: 'build' }],
    ['packages-permission-undeclared', { job: 'build' }],
    ['org-package-write-denied', { job: 'build', jobGrantsWrite: 'no' }],
  ])('%s gives the YAML block under the job', (id, details) => {
    const text = all(id, place, details)
    expect(text).toContain('Under `jobs.build:`')
    expect(text).toContain(
      '    permissions:\n      contents: read\n      packages: write # push to ghcr.io',
    )
  })

  // A refusal by the registry is not always about the job's permissions: the decision code sets
  // jobGrantsWrite from the workflow file, and a job that grants packages: write is not told to.
  describe.each<FindingId>([
    'org-package-create-denied',
    'org-package-write-denied',
    'github-token-denied',
  ])("%s and the job's own packages permission", (id) => {
    it('tells a job without packages: write to add it, by name', () => {
      expect(all(id, place, { job: 'build', jobGrantsWrite: 'no' })).toContain(
        'Under `jobs.build:` add (or complete) its permissions block',
      )
    })
    it('never tells a job that grants packages: write to add it', () => {
      const text = all(id, place, { job: 'build', jobGrantsWrite: 'yes' })
      expect(text).not.toContain('permissions block')
      expect(text).not.toContain('packages: write # push to')
    })
    it('makes the step conditional when the workflow file was not read', () => {
      expect(all(id, place, { job: 'build' })).toContain(
        'If `jobs.build:` does not grant `packages: write` yet, add',
      )
      expect(all(id, place, {})).toContain('If `jobs.<job_id>:` does not grant')
    })
  })

  it('image-owner-mismatch: another namespace → push under the owner; the own namespace → the organisation policy', () => {
    const other = all('image-owner-mismatch', place, {
      owner: 'someone',
      package: 'app',
      jobGrantsWrite: 'yes',
    })
    expect(other).toContain("Push under this repository's owner instead: `ghcr.io/acme/app`")
    expect(other).not.toContain('permissions block')
    const own = all('image-owner-mismatch', place, {
      owner: 'acme',
      ownerType: 'org',
      package: 'app',
      jobGrantsWrite: 'yes',
    })
    expect(own).not.toContain('Push under this repository')
    expect(own).not.toContain('permissions block')
    expect(own).toContain('https://github.com/organizations/acme/settings/packages')
  })

  it('explain (no details) shows package URLs as placeholders, never a package named after the repository', () => {
    const explainPlace: Place = { ...place, repository: 'OWNER/REPO' }
    const text = all('package-not-linked', explainPlace)
    expect(text).not.toMatch(/packages\/container\/repo\b/)
    expect(text).toContain('`https://github.com/orgs/OWNER/packages/container/PACKAGE/settings`')
    expect(text).toContain('`https://github.com/users/OWNER/packages/container/PACKAGE`')
  })

  it.each<FindingId>([
    'fallback-token-fine-grained',
    'fallback-token-scopes',
    'fallback-token-invalid',
    'fallback-token-expiring',
  ])('%s states secret precedence as GitHub documents it', (id) => {
    const text = all(id, place)
    expect(text).toContain(
      'an environment secret overrides a repository secret, which overrides an organisation secret',
    )
    expect(text).not.toMatch(/organisation secret with the same name takes precedence/)
    expect(CATALOGUE[id].docs.map((d) => d.url)).toContain(
      'https://docs.github.com/en/actions/security-for-github-actions/security-guides/about-secrets',
    )
  })

  it('packages-permission-undeclared says why an explicit block beats the repository default', () => {
    const text = all('packages-permission-undeclared', place, { job: 'build' })
    expect(text).toContain(
      '"Read and write permissions" at https://github.com/acme/widget/settings/actions',
    )
    expect(CATALOGUE['packages-permission-undeclared'].why).toContain('February 2023')
  })

  it.each<[FindingId, Record<string, string>, string[]]>([
    [
      'fork-pull-request',
      {},
      [
        'if: ${{ !github.event.pull_request || github.event.pull_request.head.repo.full_name == github.repository }}',
        '`if: github.event.pull_request.head.repo.full_name == github.repository`',
      ],
    ],
    [
      'dependabot-run',
      { job: 'build' },
      ['https://github.com/acme/widget/settings/secrets/dependabot', 'packages: write'],
    ],
    ['fallback-token-missing', {}, ['https://github.com/acme/widget/settings/secrets/actions']],
    [
      'fallback-token-sso',
      { org: 'acme' },
      ['https://github.com/settings/tokens', 'Configure SSO', '`acme`'],
    ],
    [
      'fallback-token-sso',
      { org: 'acme', ssoUrl: 'https://github.com/orgs/acme/sso?authorization_request=X' },
      ['https://github.com/orgs/acme/sso?authorization_request=X'],
    ],
    ['fallback-token-expiring', { expires: '2030-01-01' }, ['before 2030-01-01']],
    [
      'org-package-create-denied',
      { org: 'acme' },
      [
        'https://github.com/organizations/acme/settings/packages',
        'https://github.com/organizations/acme/settings/actions',
      ],
    ],
    ['fallback-token-scopes', {}, ['gh auth refresh -h github.com --scopes write:packages']],
    [
      'fallback-token-owner-mismatch',
      { owner: 'bob', login: 'alice', package: 'x' },
      ['belongs to `bob`', 'https://github.com/users/bob/packages/container/x/settings'],
    ],
    ['image-name-uppercase', {}, ['${GITHUB_REPOSITORY,,}', 'docker/metadata-action']],
    [
      'reusable-workflow-permission-ceiling',
      { job: 'image', callee: 'acme/ci/.github/workflows/push.yml@v1' },
      ['Under `jobs.image:`', 'uses: acme/ci/.github/workflows/push.yml@v1'],
    ],
  ])('%s fix text contains the specifics', (id, details, wants) => {
    const text = all(id, place, details)
    for (const w of wants) expect(text).toContain(w)
  })

  it.each<[FindingId, string]>([
    ['fallback-token-fine-grained', 'accepts only personal access tokens (classic)'],
    ['fallback-token-app-token', 'cannot write organisation packages'],
    ['org-forbids-classic-pat', "only the run's own GITHUB_TOKEN"],
    ['dependabot-run', 'Dependabot secrets'],
  ])('%s explains the rule', (id, says) => {
    expect(CATALOGUE[id].why).toContain(says)
  })
})

describe('makeFinding', () => {
  it('uses the catalogue defaults', () => {
    const f = makeFinding('probe-disabled', place)
    expect(f).toEqual({
      id: 'probe-disabled',
      severity: 'notice',
      title: CATALOGUE['probe-disabled'].title,
      message: CATALOGUE['probe-disabled'].why,
      fix: CATALOGUE['probe-disabled'].fix(place, {}),
    })
  })

  it('puts detector facts first and keeps the location', () => {
    const f = makeFinding('packages-permission-missing', place, {
      message: 'job "build" has packages: read',
      fix: ['first'],
      severity: 'warning',
      file: '.github/workflows/b.yml',
      line: 9,
      column: 7,
      image: 'ghcr.io/acme/widget',
      details: { job: 'build' },
    })
    expect(f).toMatchObject({
      severity: 'warning',
      message: 'job "build" has packages: read',
      file: '.github/workflows/b.yml',
      line: 9,
      column: 7,
      image: 'ghcr.io/acme/widget',
    })
    expect(f.fix[0]).toBe('first')
    expect(f.fix[1]).toContain('Under `jobs.build:` in .github/workflows/b.yml')
  })
})
