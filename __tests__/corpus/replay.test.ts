// The real-failure corpus (corpus/failures/, issue 9), replayed through the built bundle against
// the rig: the registry gives each case's credential the real status and message at the real
// step, the workflow, event and inputs are written from the case's facts. Every case must get
// the cause its thread established (>= 95% of the cases that can be built), and no case whose
// real push failed may end `ready`/`fallback` with the credential or name that failed.
// Build first: `npm run build`. `npm run corpus` prints the same report.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRig, type Rig } from '../../rig/index.mjs'
import * as world from '../../rig/world.mjs'
import {
  buildRun,
  emulatorAnswer,
  formatReport,
  loadCorpus,
  registryAnswerOf,
  replayCorpus,
  type CorpusCase,
} from '../../scripts/lib/corpus-replay.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const cases = loadCorpus(join(root, 'corpus', 'failures'))

describe('the replay reads each quoted line as the registry answer behind it', () => {
  it.each<[string, number | undefined, ReturnType<typeof registryAnswerOf>]>([
    [
      'denied: installation not allowed to Write organization package',
      403,
      {
        status: 403,
        code: 'DENIED',
        message: 'installation not allowed to Write organization package',
      },
    ],
    [
      'Error: buildx failed with: ERROR: denied: permission_denied: write_package',
      undefined,
      { status: 403, code: 'DENIED', message: 'permission_denied: write_package' },
    ],
    [
      'DENIED: permission_denied: installation not allowed to Create organization package',
      403,
      {
        status: 403,
        code: 'DENIED',
        message: 'permission_denied: installation not allowed to Create organization package',
      },
    ],
    [
      '403: permission_denied: installation not allowed to Write organization package',
      403,
      {
        status: 403,
        code: 'DENIED',
        message: 'permission_denied: installation not allowed to Write organization package',
      },
    ],
    ['denied: denied', 403, { status: 403, code: 'DENIED', message: 'denied' }],
    [
      'unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
      401,
      {
        status: 401,
        code: 'UNAUTHORIZED',
        message: 'unauthenticated: User cannot be authenticated with the token provided.',
      },
    ],
    // Bare statuses (podman, older buildx): the code alone, no reason.
    [
      'Error: writing blob: Requesting bearer token: invalid status code from registry 403 (Forbidden)',
      403,
      { status: 403, code: 'DENIED' },
    ],
    ['unexpected status: 403 Forbidden', undefined, { status: 403, code: 'DENIED' }],
  ])('%s', (quote, status, answer) => {
    expect(registryAnswerOf({ quote, ...(status ? { status } : {}) })).toEqual(answer)
  })
})

describe('the replay writes a run from the facts', () => {
  const base: CorpusCase = {
    file: '999-x.yml',
    url: 'https://github.com/acme/app/issues/1',
    quote: 'denied: permission_denied: write_package',
    status: 403,
    step: 'upload',
    client: 'build-push-action',
    cause: 'package-not-linked',
    facts: {
      repository: 'acme/app',
      namespace: 'org',
      package: 'exists',
      credential: 'github-token',
      permissions: 'write',
    },
  }

  it('scripts the real answer for the failing credential at the real step', () => {
    const built = buildRun(base)
    if (built.thin !== undefined) throw new Error(built.thin)
    expect(built.run.github.answers).toEqual([
      {
        token: 'github',
        step: 'upload',
        status: 403,
        code: 'DENIED',
        message: 'permission_denied: write_package',
      },
    ])
    expect(built.run.files['.github/workflows/publish.yml']).toContain('packages: write')
  })

  it('a PAT goes in as fallback-token, an App token as github-token', () => {
    const pat = buildRun({
      ...base,
      facts: { ...base.facts, credential: 'classic', credential_state: 'expired' },
    })
    const app = buildRun({ ...base, facts: { ...base.facts, credential: 'app' } })
    if (pat.thin !== undefined || app.thin !== undefined) throw new Error('thin')
    expect(pat.run.inputs['fallback-token']).toBe('$pat')
    expect(pat.run.role).toBe('fallback-token')
    expect(app.run.inputs['github-token']).toBe('$app')
    expect(app.run.role).toBe('github-token')
  })

  it('a job that never logged in has no login step; a fork run gets a fork payload', () => {
    const none = buildRun({
      ...base,
      facts: { ...base.facts, credential: 'none' },
      cause: 'registry-login-missing',
    })
    const fork = buildRun({
      ...base,
      facts: { ...base.facts, event: 'pull_request', fork: true },
      cause: 'fork-pull-request',
    })
    if (none.thin !== undefined || fork.thin !== undefined) throw new Error('thin')
    expect(none.run.files['.github/workflows/publish.yml']).not.toContain('docker/login-action')
    expect(fork.run.event).toMatchObject({ pull_request: { head: { repo: { fork: true } } } })
  })

  it('a case whose facts lack what its cause is about is too thin, with the reason', () => {
    expect(
      buildRun({ ...base, cause: 'image-name-invalid', facts: { repository: 'a/b' } }),
    ).toEqual({
      thin: expect.stringContaining('no image'),
    })
  })
})

describe("the rig's rules against the corpus", () => {
  it('answer as ghcr.io did wherever the facts determine the answer', () => {
    const compared = cases.map((c) => ({ file: c.file, ...emulatorAnswer(c, world) }))
    const comparable = compared.filter((r) => r.comparable)
    const differ = comparable
      .filter((r) => r.comparable && !r.same)
      .map((r) => r.comparable && `${r.file}: ghcr.io said ${r.real}, the rig says ${r.rig}`)
    console.log(
      `the rig's rules against the corpus: ${comparable.length - differ.length}/${comparable.length} cases agree (${cases.length - comparable.length} not determined by their facts)`,
    )
    expect(comparable.length).toBeGreaterThanOrEqual(20)
    expect(differ).toEqual([])
  })
})

describe('the real-failure corpus, replayed through the built bundle', () => {
  let rig: Rig
  beforeAll(async () => {
    rig = await startRig()
  })
  afterAll(async () => {
    await rig?.stop()
  })

  it('names the established cause in >= 95% of the cases it can build (>= 85% of all), with no false pass', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(50)
    const report = await replayCorpus({ rig, cases })
    const text = formatReport(report)
    console.log(text)
    // Every case is accounted for: built and judged, or too thin with its reason.
    expect(report.rows).toHaveLength(cases.length)
    expect(report.rows.every((r) => r.thin !== undefined || typeof r.found === 'boolean')).toBe(
      true,
    )
    expect({ falsePasses: report.falsePasses, report: text }).toEqual({
      falsePasses: 0,
      report: text,
    })
    expect({
      accuracyAtLeast95: report.accuracy >= 0.95,
      builtAtLeast85: report.builtShare >= 0.85,
      report: text,
    }).toEqual({ accuracyAtLeast95: true, builtAtLeast85: true, report: text })
  }, 600_000)
})
