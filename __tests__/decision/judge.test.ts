import { describe, expect, it } from '@jest/globals'
import { judge } from '../../src/decision/judge.js'
import type { PushNameFacts } from '../../src/image/push-names.js'
import { FINDING_IDS, type FindingId, type Severity } from '../../src/findings/types.js'
import type { Result } from '../../src/report/types.js'
import {
  classicPat,
  denied,
  facts,
  PAT,
  RUN_TOKEN,
  workflowFinding,
  type FactsSpec,
} from './support/facts.js'

interface Row {
  name: string
  spec: FactsSpec
  result: Result
  credential?: 'github-token' | 'fallback-token' | 'none'
  /** Findings that must be present, with their severity once the verdict settled it. */
  expect: [FindingId, Severity][]
  absent?: FindingId[]
}

const withPat = { fallbackToken: PAT }
const forkEvent = {
  eventName: 'pull_request',
  event: { pull_request: { number: 7, head: { repo: { full_name: 'someone/app' } } } },
}
const missing = workflowFinding('packages-permission-missing')
/** What the running job's push steps show (facts.workflow.pushNames): nothing pushed here. */
const pushNames: PushNameFacts = {
  file: '.github/workflows/build.yml',
  pushes: [],
  unnamedPush: false,
  lowercasing: false,
}

// One row per cause in the catalogue (plus the combinations the verdict hinges on). Registry
// messages are ghcr.io's (research ghcr-failure-modes.md §1).
const rows: Row[] = [
  {
    name: 'packages-permission-missing: the file says read and the registry refuses',
    spec: {
      workflow: { packages: 'not-write', findings: [missing] },
      run: denied('installation not allowed to Create organization package'),
    },
    result: 'fail',
    expect: [['packages-permission-missing', 'error']],
    absent: ['org-package-create-denied'],
  },
  {
    name: 'packages-permission-missing: the registry cannot be reached (the file decides)',
    spec: { workflow: { packages: 'not-write', findings: [missing] }, run: 'inconclusive' },
    result: 'fail',
    credential: 'none',
    expect: [
      ['packages-permission-missing', 'error'],
      ['probe-inconclusive', 'warning'],
    ],
  },
  {
    name: 'packages-permission-missing, registry unreachable, a fallback PAT unproven',
    spec: {
      inputs: withPat,
      workflow: { packages: 'not-write', findings: [missing] },
      run: 'inconclusive',
      fallbackProbe: 'inconclusive',
      fallback: classicPat(),
    },
    result: 'unverified',
    credential: 'fallback-token',
    expect: [['packages-permission-missing', 'error']],
  },
  {
    name: 'packages-permission-missing, yet the registry accepts the upload (notice)',
    spec: { workflow: { packages: 'not-write', findings: [missing] }, run: 'allowed' },
    result: 'ready',
    credential: 'github-token',
    expect: [['packages-permission-missing', 'notice']],
  },
  {
    name: 'packages-permission-undeclared: no block, read-only default refused',
    spec: {
      workflow: {
        packages: 'unknown',
        findings: [workflowFinding('packages-permission-undeclared', { severity: 'warning' })],
      },
      run: denied('installation not allowed to Write organization package'),
    },
    result: 'fail',
    expect: [['packages-permission-undeclared', 'error']],
  },
  {
    name: 'reusable-workflow-permission-ceiling in another workflow: reported, run is ready',
    spec: {
      workflow: {
        findings: [
          workflowFinding('reusable-workflow-permission-ceiling', { severity: 'warning' }),
        ],
      },
    },
    result: 'ready',
    expect: [['reusable-workflow-permission-ceiling', 'warning']],
  },
  {
    name: 'reusable-workflow-not-checked stays a notice',
    spec: { workflow: { findings: [workflowFinding('reusable-workflow-not-checked')] } },
    result: 'ready',
    expect: [['reusable-workflow-not-checked', 'notice']],
  },
  {
    name: 'workflow-unreadable does not block a proven push',
    spec: { workflow: { packages: 'unknown', findings: [workflowFinding('workflow-unreadable')] } },
    result: 'ready',
    expect: [['workflow-unreadable', 'warning']],
  },
  {
    name: 'permissions-invalid in another workflow file: reported, this run is ready',
    spec: { workflow: { findings: [workflowFinding('permissions-invalid')] } },
    result: 'ready',
    expect: [['permissions-invalid', 'warning']],
  },
  {
    name: 'workflow-invalid in another workflow file: reported, this run is ready',
    spec: { workflow: { findings: [workflowFinding('workflow-invalid')] } },
    result: 'ready',
    expect: [['workflow-invalid', 'warning']],
  },
  {
    name: 'push-without-run-token (a PAT login elsewhere in the job) stays a notice',
    spec: { workflow: { findings: [workflowFinding('push-without-run-token')] } },
    result: 'ready',
    expect: [['push-without-run-token', 'notice']],
  },
  {
    name: 'workflow-job-not-found (inside a reusable workflow): the probe decides',
    spec: {
      workflow: {
        packages: 'unknown',
        findings: [workflowFinding('workflow-job-not-found', { severity: 'notice' })],
      },
      run: denied('permission_denied: write_package'),
    },
    result: 'fail',
    expect: [
      ['workflow-job-not-found', 'notice'],
      ['package-not-linked', 'error'],
    ],
  },
  {
    name: 'fork-pull-request: read-only token refused → skip with a notice-level reason',
    spec: { ctx: forkEvent, run: denied('installation not allowed to Write organization package') },
    result: 'skip',
    credential: 'none',
    expect: [['fork-pull-request', 'notice']],
    absent: ['org-package-write-denied', 'package-not-linked'],
  },
  {
    name: 'fork-pull-request with on-untrusted: fail',
    spec: {
      ctx: forkEvent,
      inputs: { onUntrusted: 'fail' },
      run: denied('installation not allowed to Write organization package'),
    },
    result: 'fail',
    expect: [['fork-pull-request', 'error']],
  },
  {
    name: 'dependabot-run refused → skip',
    spec: {
      ctx: { actor: 'dependabot[bot]', triggeringActor: 'dependabot[bot]' },
      run: denied('installation not allowed to Write organization package'),
    },
    result: 'skip',
    expect: [['dependabot-run', 'warning']],
  },
  {
    name: 'image-name-uppercase: the workflow lower-cases its names, the lower-cased probe counts',
    spec: {
      inputs: { images: ['ghcr.io/Acme/App'] },
      workflow: { pushNames: { ...pushNames, lowercasing: true } },
    },
    result: 'ready',
    expect: [['image-name-uppercase', 'warning']],
  },
  {
    name: 'image-name-uppercase: capitals in the input, the push not shown → Docker refuses, fail',
    spec: { inputs: { images: ['ghcr.io/Acme/App'] }, workflow: { pushNames } },
    result: 'fail',
    credential: 'none',
    expect: [['image-name-uppercase', 'error']],
  },
  {
    name: 'image-name-uppercase: the push tags ${{ github.repository }}, which has capitals in this run',
    spec: {
      ctx: { repository: 'Acme/App', owner: 'Acme' },
      inputs: { images: [] },
      workflow: {
        pushNames: {
          ...pushNames,
          pushes: [
            {
              raw: 'ghcr.io/${{ github.repository }}:latest',
              written: 'ghcr.io/${{ github.repository }}:latest',
              line: 20,
              column: 17,
              via: 'docker/build-push-action tags',
              lowercased: false,
            },
          ],
        },
      },
    },
    result: 'fail',
    expect: [['image-name-uppercase', 'error']],
  },
  {
    name: 'registry-login-missing: the job pushes and nothing logs in',
    spec: {
      workflow: {
        pushNames: {
          ...pushNames,
          unauthenticatedPush: { line: 20, column: 9, description: 'docker push at line 20' },
        },
      },
    },
    result: 'fail',
    credential: 'none',
    expect: [['registry-login-missing', 'error']],
  },
  {
    name: "github-token-app-token: another App's token given as github-token",
    spec: {
      run: denied('permission_denied: installation not allowed to Create organization package'),
    },
    result: 'fail',
    expect: [['github-token-app-token', 'error']],
  },
  {
    name: 'image-registry-mismatch: no registry prefix goes to Docker Hub',
    spec: { inputs: { images: ['acme/app'] } },
    result: 'fail',
    credential: 'none',
    expect: [['image-registry-mismatch', 'error']],
  },
  {
    name: 'image-owner-mismatch: another namespace, the run token may not create there',
    spec: {
      inputs: { images: ['ghcr.io/other/app'] },
      ownerKinds: { other: 'user' },
      run: denied('permission_denied: create_package'),
    },
    result: 'fail',
    expect: [['image-owner-mismatch', 'error']],
  },
  {
    name: 'image-name-invalid: empty namespace',
    spec: { inputs: { images: ['ghcr.io//app'] } },
    result: 'fail',
    expect: [['image-name-invalid', 'error']],
  },
  {
    name: 'registry-host-mismatch: a GHES run configured for ghcr.io',
    spec: {
      ctx: {
        serverUrl: 'https://ghe.example.com',
        apiUrl: 'https://ghe.example.com/api/v3',
        defaultRegistry: 'containers.ghe.example.com',
      },
      inputs: { registry: 'ghcr.io' },
    },
    result: 'fail',
    credential: 'none',
    expect: [['registry-host-mismatch', 'error']],
  },
  {
    name: 'package-not-linked: write granted, the package refuses this repository',
    spec: { run: denied('permission_denied: write_package') },
    result: 'fail',
    expect: [['package-not-linked', 'error']],
  },
  {
    name: 'package-not-linked, the REST API names the linked repository; the PAT pushes',
    spec: {
      inputs: withPat,
      run: denied('permission_denied: write_package'),
      fallback: classicPat(),
      packages: [
        {
          image: 'ghcr.io/acme/app',
          owner: 'acme',
          ownerType: 'org',
          name: 'app',
          askedWithRunToken: false,
          answer: { kind: 'ok', status: 200, name: 'app', repository: 'acme/other' },
        },
      ],
    },
    result: 'fallback',
    credential: 'fallback-token',
    expect: [['package-not-linked', 'warning']],
  },
  {
    name: 'org-package-create-denied: write granted, the organisation refuses a new package',
    spec: { run: denied('installation not allowed to Create organization package') },
    result: 'fail',
    expect: [['org-package-create-denied', 'error']],
  },
  {
    name: 'org-package-write-denied: the file cannot tell, the org package refuses',
    spec: {
      workflow: { packages: 'unknown' },
      run: denied('installation not allowed to Write organization package'),
    },
    result: 'fail',
    expect: [['org-package-write-denied', 'error']],
  },
  {
    name: 'github-token-denied: the registry does not accept the run token',
    spec: {
      run: {
        status: 401,
        message: 'unauthenticated: User cannot be authenticated with the token provided.',
      },
    },
    result: 'fail',
    expect: [['github-token-denied', 'error']],
  },
  {
    name: 'fallback-token-missing: configured in the file, empty in this run',
    spec: {
      workflow: { fallbackConfigured: true },
      run: denied('permission_denied: write_package'),
      fallback: { kind: 'empty' },
    },
    result: 'fail',
    expect: [
      ['fallback-token-missing', 'error'],
      ['package-not-linked', 'error'],
    ],
  },
  {
    // The fallback was never needed: its absence is worth fixing, not a red annotation.
    name: 'fallback-token-missing with a proven run token: a warning',
    spec: {
      workflow: { fallbackConfigured: true },
      run: 'allowed',
      fallback: { kind: 'empty' },
    },
    result: 'ready',
    expect: [['fallback-token-missing', 'warning']],
  },
  {
    name: 'fallback-token-fine-grained is never probed as a candidate',
    spec: {
      inputs: { fallbackToken: 'github_pat_' + 'F'.repeat(82) },
      run: denied('permission_denied: write_package'),
      fallbackProbe: 'allowed',
      fallback: { kind: 'fine-grained' },
    },
    result: 'fail',
    expect: [['fallback-token-fine-grained', 'error']],
  },
  {
    name: 'fallback-token-app-token on an organisation package',
    spec: {
      inputs: { fallbackToken: 'ghs_' + 'A'.repeat(36) },
      run: denied('permission_denied: write_package'),
      fallbackProbe: denied('installation not allowed to Write organization package'),
      fallback: { kind: 'app' },
    },
    result: 'fail',
    expect: [['fallback-token-app-token', 'error']],
  },
  {
    name: 'fallback-token-scopes: classic PAT without write:packages',
    spec: {
      inputs: withPat,
      run: denied('permission_denied: write_package'),
      fallbackProbe: denied(
        'permission_denied: The token provided does not match expected scopes.',
      ),
      fallback: classicPat({ rateLimit: { kind: 'ok', status: 200, scopes: ['repo'] } }),
    },
    result: 'fail',
    expect: [['fallback-token-scopes', 'error']],
  },
  {
    name: 'fallback-token-invalid: GET /rate_limit answers 401',
    spec: {
      inputs: withPat,
      run: denied('permission_denied: write_package'),
      fallbackProbe: { status: 403, step: 'token', message: 'denied' },
      fallback: classicPat({
        rateLimit: { kind: 'http-error', status: 401, message: 'Bad credentials' },
        user: { kind: 'http-error', status: 401, message: 'Bad credentials' },
      }),
    },
    result: 'fail',
    expect: [['fallback-token-invalid', 'error']],
  },
  {
    name: 'fallback-token-sso: not authorised for the organisation SAML SSO',
    spec: {
      inputs: withPat,
      run: denied('permission_denied: write_package'),
      fallbackProbe: { status: 401, message: 'unauthorized' },
      fallback: classicPat({
        org: {
          kind: 'sso-required',
          status: 403,
          url: 'https://github.com/orgs/acme/sso?authorization_request=x',
          message: 'Resource protected by organization SAML enforcement.',
        },
      }),
    },
    result: 'fail',
    expect: [['fallback-token-sso', 'error']],
  },
  {
    name: 'fallback-token-expiring: the PAT pushes now and expires in 3 days',
    spec: {
      inputs: withPat,
      run: denied('permission_denied: write_package'),
      fallback: classicPat({
        rateLimit: {
          kind: 'ok',
          status: 200,
          scopes: ['write:packages'],
          expiration: new Date('2027-10-04T00:00:00Z'),
        },
      }),
    },
    result: 'fallback',
    credential: 'fallback-token',
    expect: [['fallback-token-expiring', 'warning']],
  },
  {
    name: "fallback-token-owner-mismatch: a PAT into another user's namespace",
    spec: {
      inputs: { ...withPat, images: ['ghcr.io/acme/app'] },
      ownerKinds: { acme: 'user' },
      run: denied('permission_denied: write_package'),
      fallbackProbe: denied('permission_denied: create_package'),
      fallback: classicPat({ user: { kind: 'ok', status: 200, login: 'someone' } }),
    },
    result: 'fail',
    expect: [['fallback-token-owner-mismatch', 'error']],
  },
  {
    name: 'org-forbids-classic-pat',
    spec: {
      inputs: withPat,
      run: denied('permission_denied: write_package'),
      fallback: classicPat({
        org: {
          kind: 'forbids-classic-pat',
          status: 403,
          message: '`acme` forbids access via a personal access token (classic).',
        },
      }),
    },
    result: 'fail',
    expect: [['org-forbids-classic-pat', 'error']],
  },
  {
    name: 'probe-inconclusive: write granted, the registry times out → unverified',
    spec: { run: 'inconclusive' },
    result: 'unverified',
    credential: 'github-token',
    expect: [['probe-inconclusive', 'warning']],
  },
  {
    name: 'probe-disabled: a static verdict is unverified at best',
    spec: { inputs: { probe: false } },
    result: 'unverified',
    credential: 'github-token',
    expect: [['probe-disabled', 'notice']],
  },
  {
    name: 'probe-disabled with a file that refuses the token: fail',
    spec: { inputs: { probe: false }, workflow: { packages: 'not-write', findings: [missing] } },
    result: 'fail',
    credential: 'none',
    expect: [['packages-permission-missing', 'error']],
  },
  {
    name: 'input-invalid: empty github-token and no fallback',
    spec: { inputs: { githubToken: '' } },
    result: 'fail',
    expect: [['input-invalid', 'error']],
  },
  {
    // The prefix settles it (GitHub Packages accepts no fine-grained PAT): not probed, a fail.
    name: 'github-token-fine-grained: a fine-grained PAT given as github-token',
    spec: { inputs: { githubToken: 'github_pat_' + 'F'.repeat(82) } },
    result: 'fail',
    credential: 'none',
    expect: [['github-token-fine-grained', 'error']],
  },
  {
    name: 'github-token-fine-grained beside a working classic PAT fallback: a warning',
    spec: {
      inputs: { ...withPat, githubToken: 'github_pat_' + 'F'.repeat(82) },
      fallbackProbe: 'allowed',
      fallback: classicPat(),
    },
    result: 'fallback',
    credential: 'fallback-token',
    expect: [['github-token-fine-grained', 'warning']],
  },
  {
    name: 'input-invalid: fallback-token is the run token itself',
    spec: {
      inputs: { fallbackToken: RUN_TOKEN },
      run: denied('permission_denied: write_package'),
      fallback: { kind: 'actions' },
    },
    result: 'fail',
    expect: [
      ['input-invalid', 'warning'],
      ['package-not-linked', 'error'],
    ],
  },
]

describe('judge(facts): one row per cause', () => {
  it.each(rows)('$name', (row) => {
    const got = judge(facts(row.spec))
    expect(got.result).toBe(row.result)
    expect(got.credential).toBe(row.credential ?? got.credential)
    const seen = got.findings.map((f) => [f.id, f.severity])
    for (const pair of row.expect) expect(seen).toContainEqual(pair)
    for (const id of row.absent ?? []) expect(got.findings.map((f) => f.id)).not.toContain(id)
  })

  it('covers every finding id the catalogue has that a run can produce', () => {
    const covered = new Set(rows.flatMap((r) => r.expect.map(([id]) => id)))
    const cliOnly: FindingId[] = []
    expect(FINDING_IDS.filter((id) => !covered.has(id) && !cliOnly.includes(id))).toEqual([])
  })
})

describe('judge(facts): invariants over every row', () => {
  it.each(rows)('$name', (row) => {
    const f = facts(row.spec)
    const got = judge(f)
    const errors = got.findings.filter((x) => x.severity === 'error')
    // A red step always says why, in an error finding.
    expect(got.result !== 'fail' || errors.length > 0).toBe(true)
    // Never a false pass: ready/fallback only with a 202 for every image with that credential.
    const source = got.result === 'ready' ? 'github-token' : 'fallback-token'
    const proofs = f.probe?.results.filter((r) => r.credential === source) ?? []
    const proven = proofs.length > 0 && proofs.every((r) => r.outcome.verdict === 'allowed')
    expect(got.canPush).toBe(got.result === 'ready' || got.result === 'fallback')
    expect(!got.canPush || proven).toBe(true)
    // A green step shows its problems as warnings, except the chosen fallback's own.
    const green = got.result === 'ready' || got.result === 'fallback' || got.result === 'skip'
    const loud = errors.filter(
      (e) => !(got.credential === 'fallback-token' && e.id.startsWith('fallback-token')),
    )
    expect(green ? loud : []).toEqual([])
    // Pure: no token value anywhere in what it returns.
    const text = JSON.stringify(got)
    expect(text).not.toContain(RUN_TOKEN)
    expect(text).not.toContain(PAT)
  })
})
