import { describe, expect, it } from '@jest/globals'
import type { FindingId, Place } from '../../src/findings/types.js'
import { classifyProbe, type ClassifyContext } from '../../src/registry/classify.js'
import type { CredentialSource, ProbeOutcome } from '../../src/registry/types.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}

function ctx(credential: CredentialSource): ClassifyContext {
  return {
    credential,
    image: 'ghcr.io/acme/app',
    owner: 'acme',
    ownerType: 'org',
    packageName: 'app',
    place,
    runRepository: 'acme/app',
  }
}

const denied = (status: number, code: string, message: string): ProbeOutcome => ({
  verdict: 'denied',
  step: 'upload',
  status,
  code,
  message,
  roundTrips: 3,
})

const CREATE = 'installation not allowed to Create organization package'
const WRITE = 'installation not allowed to Write organization package'
const SCOPES = 'permission_denied: The token provided does not match expected scopes.'
const CLASSIC =
  'permission_denied: acme forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.'
const UNAUTH = 'unauthenticated: User cannot be authenticated with the token provided.'

describe('classifyProbe', () => {
  it.each<[string, ProbeOutcome, FindingId, FindingId]>([
    // name, outcome, id for the run token, id for the fallback token
    [
      'org create',
      denied(403, 'DENIED', CREATE),
      'org-package-create-denied',
      'org-package-create-denied',
    ],
    [
      'org write',
      denied(403, 'DENIED', WRITE),
      'org-package-write-denied',
      'org-package-write-denied',
    ],
    [
      'write_package',
      denied(403, 'DENIED', 'permission_denied: write_package'),
      'package-not-linked',
      'package-not-linked',
    ],
    [
      'create_package',
      denied(403, 'DENIED', 'permission_denied: create_package'),
      'image-owner-mismatch',
      'fallback-token-owner-mismatch',
    ],
    ['scopes', denied(403, 'DENIED', SCOPES), 'github-token-denied', 'fallback-token-scopes'],
    [
      'classic PAT forbidden',
      denied(403, 'DENIED', CLASSIC),
      'org-forbids-classic-pat',
      'org-forbids-classic-pat',
    ],
    [
      'unauthenticated at upload',
      { ...denied(401, 'UNAUTHORIZED', UNAUTH), verdict: 'unauthorized' },
      'github-token-denied',
      'fallback-token-invalid',
    ],
    [
      'token service refused',
      { verdict: 'unauthorized', step: 'token', status: 403, roundTrips: 2 },
      'github-token-denied',
      'fallback-token-invalid',
    ],
    [
      'distribution insufficient_scope',
      denied(401, 'UNAUTHORIZED', 'authentication required'),
      'github-token-denied',
      'fallback-token-scopes',
    ],
  ])('%s', (_name, outcome, runTokenId, fallbackId) => {
    for (const [credential, id] of [
      ['github-token', runTokenId],
      ['fallback-token', fallbackId],
    ] as const) {
      const findings = classifyProbe(outcome, ctx(credential))
      expect(findings.map((f) => f.id)).toEqual([id])
      const [finding] = findings
      expect(finding.image).toBe('ghcr.io/acme/app')
      expect(finding.message).toContain('ghcr.io/acme/app')
      expect(finding.message).toContain(String(outcome.status))
      expect(finding.message).toContain(outcome.message ? `"${outcome.message}"` : 'answered')
      expect(finding.message).toContain(
        credential === 'github-token' ? "the run's GITHUB_TOKEN" : 'the fallback token',
      )
    }
  })

  it("a PAT refused write_package is sent to the package's access list, not Actions access", () => {
    const outcome = denied(403, 'DENIED', 'permission_denied: write_package')
    const [pat] = classifyProbe(outcome, ctx('fallback-token'))
    expect(pat!.fix[0]).toContain('https://github.com/orgs/acme/packages/container/app/settings')
    expect(pat!.fix[0]).toContain('"Manage access"')
    expect(pat!.fix[0]).not.toContain('Manage Actions access')
    expect(pat!.fix).toHaveLength(2)
    // The run's token keeps the catalogue's steps: its access is the repository's.
    const [run] = classifyProbe(outcome, ctx('github-token'))
    expect(run!.fix[0]).toContain('Manage Actions access')
  })

  it("a PAT refused create_package in an organisation is sent to the organisation's package creation setting", () => {
    const outcome = denied(403, 'DENIED', 'permission_denied: create_package')
    const [org] = classifyProbe(outcome, ctx('fallback-token'))
    expect(org).toMatchObject({ id: 'fallback-token-owner-mismatch' })
    expect(org!.fix[0]).toContain('https://github.com/organizations/acme/settings/packages')
    expect(org!.fix.join(' ')).not.toContain('signed in as that account')
    // In a personal namespace the catalogue's steps stand: a PAT of the namespace's owner.
    const [user] = classifyProbe(outcome, { ...ctx('fallback-token'), ownerType: 'user' })
    expect(user!.fix[0]).toContain('signed in as that account')
  })

  it("tells the organisation's classic-PAT lifetime policy from a ban", () => {
    const lifetime =
      'permission_denied: `acme` forbids access via a personal access token (classic) whose lifetime is greater than 90 days.'
    const [limited] = classifyProbe(denied(403, 'DENIED', lifetime), ctx('fallback-token'))
    expect(limited).toMatchObject({ id: 'org-forbids-classic-pat' })
    expect(limited!.message).toContain("within the organisation's maximum lifetime")
    const [banned] = classifyProbe(denied(403, 'DENIED', CLASSIC), ctx('fallback-token'))
    expect(banned!.message).not.toContain('lifetime')
  })

  it('says which step answered', () => {
    const [finding] = classifyProbe(
      {
        verdict: 'unauthorized',
        step: 'token',
        status: 401,
        message: 'bad credentials',
        roundTrips: 2,
      },
      ctx('fallback-token'),
    )
    expect(finding.message).toContain('the token service answered 401 "bad credentials"')
  })

  it('gives no finding for an allowed push', () => {
    expect(
      classifyProbe(
        { verdict: 'allowed', step: 'upload', status: 202, roundTrips: 3 },
        ctx('github-token'),
      ),
    ).toEqual([])
  })

  it('reports an inconclusive probe as a warning carrying the reason', () => {
    const reason =
      'the registry answered 503 (the registry is failing or overloaded) when asked to start an upload; nothing was proven'
    const findings = classifyProbe(
      { verdict: 'inconclusive', step: 'upload', status: 503, reason, roundTrips: 3 },
      ctx('fallback-token'),
    )
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      id: 'probe-inconclusive',
      severity: 'warning',
      image: 'ghcr.io/acme/app',
    })
    expect(findings[0].message).toContain(reason)
    expect(findings[0].message).toContain('the fallback token')
  })

  it('names the run repository when the package is not linked', () => {
    const [finding] = classifyProbe(denied(403, 'DENIED', 'permission_denied: write_package'), {
      ...ctx('github-token'),
      runRepository: 'acme/other',
    })
    expect(finding.message).toContain('acme/other')
    expect(finding.message).toContain('Manage Actions access')
  })
})

describe('classifyProbe: "Write organization package" when the job grants write', () => {
  // Not package-not-linked alone: with write granted, real reports traced it to App tokens, an
  // organisation policy (airbus/sen#173) or forks; missing package access answers write_package.
  it.each<[boolean | undefined, CredentialSource, FindingId]>([
    [true, 'github-token', 'org-package-write-denied'],
    [false, 'github-token', 'org-package-write-denied'],
    [undefined, 'github-token', 'org-package-write-denied'],
    [true, 'fallback-token', 'org-package-write-denied'],
  ])('runTokenHasWrite=%s, %s → %s', (hasWrite, credential, id) => {
    const c: ClassifyContext = {
      ...ctx(credential),
      ...(hasWrite === undefined ? {} : { runTokenHasWrite: hasWrite }),
    }
    const [finding] = classifyProbe(denied(403, 'DENIED', WRITE), c)
    expect(finding!.id).toBe(id)
    expect(finding!.message).toContain(WRITE)
  })

  it('names the candidates in the order real reports show, with how to tell them apart', () => {
    const [finding] = classifyProbe(denied(403, 'DENIED', WRITE), {
      ...ctx('github-token'),
      runTokenHasWrite: true,
    })
    const m = finding!.message
    expect(m).toMatch(/\(1\) [^;]*App installation token/)
    expect(m).toMatch(/\(2\) an organisation policy/)
    expect(m).toMatch(/\(3\) [^;]*fork/)
    expect(m).toMatch(/\(4\) [^;]*Manage Actions access/)
    expect(m).toContain('${{ github.token }}')
    expect(m).toContain('stays the same after')
  })

  it('in a personal namespace it is the run token refused (no organisation policy to blame)', () => {
    const [finding] = classifyProbe(denied(403, 'DENIED', WRITE), {
      ...ctx('github-token'),
      ownerType: 'user',
      runTokenHasWrite: true,
    })
    expect(finding!.id).toBe('github-token-denied')
    expect(finding!.message).not.toContain('organisation policy')
  })

  it('without write granted it says what the answer means: a token without packages: write', () => {
    const [finding] = classifyProbe(denied(403, 'DENIED', CREATE), {
      ...ctx('github-token'),
      ownerType: 'user',
    })
    expect(finding!.id).toBe('github-token-denied')
    expect(finding!.message).toContain('without packages: write')
  })
})

describe('classifyProbe: answers from real reports', () => {
  it.each<[string, string, FindingId, FindingId]>([
    // product-os/flowzone#516: another App's installation token.
    [
      'App token, new org package',
      'permission_denied: installation not allowed to Create organization package',
      'github-token-app-token',
      'fallback-token-app-token',
    ],
    [
      'App token, existing package',
      'permission_denied: installation not allowed to Write organization package',
      'github-token-app-token',
      'fallback-token-app-token',
    ],
    // PwnKit-Labs/pwnkit#184: another account's personal namespace.
    [
      'no installation for the namespace',
      'permission_denied: The requested installation does not exist.',
      'image-owner-mismatch',
      'fallback-token-app-token',
    ],
  ])('%s', (_name, message, runId, fallbackId) => {
    for (const [credential, id] of [
      ['github-token', runId],
      ['fallback-token', fallbackId],
    ] as const) {
      const [finding] = classifyProbe(denied(403, 'DENIED', message), {
        ...ctx(credential),
        ownerType: 'user',
      })
      expect(finding!.id).toBe(id)
      expect(finding!.message).toContain(`"${message}"`)
    }
  })

  it('a renamed or deleted account is the namespace (alex-on-ai/WebReaper#254)', () => {
    const [finding] = classifyProbe(
      denied(403, 'DENIED', 'not_found: owner not found'),
      ctx('github-token'),
    )
    expect(finding!.id).toBe('image-owner-mismatch')
    expect(finding!.message).toContain('renamed')
  })

  it('a github-token the workflow sets itself is the first suspect of a bare refusal', () => {
    const bare: ProbeOutcome = {
      verdict: 'denied',
      step: 'upload',
      status: 403,
      code: 'DENIED',
      roundTrips: 3,
    }
    const [finding] = classifyProbe(bare, {
      ...ctx('github-token'),
      runTokenHasWrite: true,
      githubTokenInput: '${{ steps.app.outputs.token }}',
    })
    expect(/\(1\) ([^;]*)/.exec(finding!.message)![1]).toContain('${{ steps.app.outputs.token }}')
  })

  it('keeps the exact words of an answer it does not know', () => {
    const text = 'permission_denied: something ghcr.io says one day'
    const [finding] = classifyProbe(denied(403, 'DENIED', text), ctx('github-token'))
    expect(finding!.id).toBe('github-token-denied')
    expect(finding!.message).toContain(`403 DENIED "${text}"`)
  })

  it.each<[boolean | undefined, string]>([
    [true, 'Manage Actions access'],
    [false, 'packages: write'],
    [undefined, 'packages: write'],
  ])(
    'a bare 403 lists the likely causes, the most frequent first (write granted: %s)',
    (hasWrite, first) => {
      const bare: ProbeOutcome = {
        verdict: 'denied',
        step: 'upload',
        status: 403,
        code: 'DENIED',
        roundTrips: 3,
      }
      const [finding] = classifyProbe(bare, {
        ...ctx('github-token'),
        ...(hasWrite === undefined ? {} : { runTokenHasWrite: hasWrite }),
      })
      expect(finding!.id).toBe('github-token-denied')
      const m = finding!.message
      expect(m).toContain('gave no reason')
      expect(m).toMatch(/\(1\) [^;]*/)
      expect(/\(1\) ([^;]*)/.exec(m)![1]).toContain(first)
      expect(m).toContain('(3)')
    },
  )

  it('the token service refusing the run token says the token itself is not valid', () => {
    const [finding] = classifyProbe(
      {
        verdict: 'unauthorized',
        step: 'token',
        status: 403,
        code: 'DENIED',
        message: 'denied',
        roundTrips: 2,
      },
      ctx('github-token'),
    )
    expect(finding!.id).toBe('github-token-denied')
    expect(finding!.message).toContain('did not accept the token passed as `github-token`')
  })
})
