// The built bundle (dist/index.js) run as the runner runs it, under Node 20 and Node 24, for
// every case that needs no network (probe: false, owner type in the event payload): outputs,
// findings, annotations, job summary, masking, exit code — and not a single request made.
// Build first: `bash scripts/build.sh`.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { node24, runAction, type ActionRun } from '../../scripts/lib/action-process.mjs'
import type { Finding, FindingId } from '../../src/findings/types.js'
import { benignWorkflow, yardstickChars } from '../properties/support/benign-workflow.js'
import {
  RUN_TOKEN,
  RUNTIMES,
  expectAnnotations,
  expectContractOutputs,
  expectMasked,
  expectNoSecrets,
  expectNoStackTrace,
  expectSummary,
  expectWithinDeadline,
  expectedExit,
  failureMessage,
  findingsOf,
  lineOf,
  runnerEnv,
  startRecorder,
  summaryChecks,
} from './support.js'

const WORKFLOW = '.github/workflows/build.yml'

/** A workflow with job `build`; `top` goes before `jobs:`, `perms` into the job. */
function workflow(o: { top?: string; perms?: string; jobs?: string } = {}): string {
  return [
    'name: build',
    'on: [push, pull_request]',
    ...(o.top ? [o.top] : []),
    'jobs:',
    ...(o.jobs ? [o.jobs] : []),
    '  build:',
    '    runs-on: ubuntu-latest',
    ...(o.perms ? [o.perms] : []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: craigedmunds/ghcr-preflight@v1',
    '',
  ].join('\n')
}

const WRITE = workflow({ perms: '    permissions:\n      contents: read\n      packages: write' })
const READ = workflow({ perms: '    permissions:\n      contents: read\n      packages: read' })
const WORKFLOW_LEVEL = workflow({ top: 'permissions:\n  contents: read' })
const UNDECLARED = workflow()
const MALFORMED = WRITE.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest: extra')
const OVER_LIMIT = `${READ}# ${'x'.repeat(1024 * 1024 + 10)}\n`
// Just under 1 MiB: thousands of jobs before the running one, which has packages: read.
const MANY_JOBS = workflow({
  perms: '    permissions:\n      packages: read',
  jobs: Array.from(
    { length: 4000 },
    (_, i) =>
      `  job${i}:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - run: echo ${i}`,
  ).join('\n'),
})

const FORK_EVENT = {
  number: 7,
  pull_request: { number: 7, head: { repo: { full_name: 'evil/app', fork: true } } },
  repository: { owner: { login: 'octo', type: 'User' } },
}

interface ExpectedFinding {
  id: FindingId
  severity?: Finding['severity']
  /** The workflow line it must be placed on: the first line containing this text. */
  at?: string
  /** Fragments the message must contain. */
  says?: string[]
}

interface Case {
  name: string
  repository?: string
  actor?: string
  eventName?: string
  job?: string
  serverUrl?: string
  event?: unknown
  workflow?: string
  inputs?: Record<string, string>
  expect: {
    result: string
    registry?: string
    images?: string[]
    findings?: ExpectedFinding[]
    absent?: FindingId[]
    checks?: Record<string, string>
    /** The step's own failure line (setFailed), when it fails. */
    failure?: RegExp
    notice?: RegExp
    /** The annotation that says the skip: its cause's id (default: a notice of its own). */
    skipOn?: string
    log?: RegExp
    /**
     * Resource limit: the run's wall time at most this multiple of a run on a benign workflow
     * of the same size (capped at the 1 MiB limit), made right after it in the same test. An
     * absolute limit in ms would fail a correct bundle on a loaded machine.
     */
    costVsBenign?: number
  }
}

const cases: Case[] = [
  {
    name: 'packages: write but probe: false → unverified, nothing wrong in the file',
    workflow: WRITE,
    expect: {
      result: 'unverified',
      findings: [{ id: 'probe-disabled', severity: 'notice' }],
      absent: ['packages-permission-missing', 'packages-permission-undeclared'],
      checks: { 'workflow permissions': 'pass' },
    },
  },
  {
    name: 'job block with packages: read → packages-permission-missing on the packages line',
    workflow: READ,
    expect: {
      result: 'fail',
      findings: [
        {
          id: 'packages-permission-missing',
          severity: 'error',
          at: 'packages: read',
          says: ['build'],
        },
      ],
      checks: { 'workflow permissions': 'fail' },
      failure: /cannot push to ghcr\.io.*packages-permission-missing/,
    },
  },
  {
    name: 'workflow-level block without packages → missing, on the workflow permissions key',
    workflow: WORKFLOW_LEVEL,
    expect: {
      result: 'fail',
      findings: [{ id: 'packages-permission-missing', severity: 'error', at: 'permissions:' }],
      failure: /packages-permission-missing/,
    },
  },
  {
    name: 'no permissions block at all → undeclared, on the job key line',
    workflow: UNDECLARED,
    expect: {
      result: 'unverified',
      findings: [{ id: 'packages-permission-undeclared', at: '  build:', says: ['build'] }],
      absent: ['packages-permission-missing'],
    },
  },
  {
    name: 'malformed YAML → workflow-unreadable on the offending line',
    workflow: MALFORMED,
    expect: {
      result: 'unverified',
      findings: [{ id: 'workflow-unreadable', at: 'ubuntu-latest: extra', says: [WORKFLOW] }],
      checks: { 'workflow permissions': 'fail' },
    },
  },
  {
    name: 'the running job is not in the file → reported, not guessed',
    workflow: WRITE,
    job: 'deploy',
    expect: {
      result: 'unverified',
      findings: [{ id: 'workflow-job-not-found', at: 'jobs:', says: ['"deploy"', '"build"'] }],
      absent: ['packages-permission-missing', 'packages-permission-undeclared'],
    },
  },
  {
    name: 'pull request from a fork → skip with a notice, step succeeds',
    workflow: WRITE,
    eventName: 'pull_request',
    event: FORK_EVENT,
    expect: {
      result: 'skip',
      findings: [{ id: 'fork-pull-request', says: ['evil/app', '#7'] }],
      notice: /^ghcr-preflight skipped the push: this pull_request run is for pull request #7/,
      skipOn: 'fork-pull-request',
    },
  },
  {
    name: 'pull request from a fork with on-untrusted: fail → fail, exit 1',
    workflow: WRITE,
    eventName: 'pull_request',
    event: FORK_EVENT,
    inputs: { 'on-untrusted': 'fail' },
    expect: {
      result: 'fail',
      findings: [{ id: 'fork-pull-request', severity: 'error' }],
      failure: /fork/,
    },
  },
  {
    name: 'Dependabot run → skip with a notice',
    workflow: WRITE,
    actor: 'dependabot[bot]',
    expect: {
      result: 'skip',
      findings: [{ id: 'dependabot-run', says: ['Dependabot'] }],
      notice: /^ghcr-preflight skipped the push: /,
      skipOn: 'dependabot-run',
    },
  },
  {
    // The run's token from a GHES instance is never valid on ghcr.io, and there is no fallback:
    // that is certain, so the verdict must be fail (as for packages: read), not unverified.
    name: 'GHES run pushing to ghcr.io → registry-host-mismatch, fail',
    workflow: WRITE,
    serverUrl: 'https://ghe.example.com',
    inputs: { registry: 'ghcr.io' },
    expect: {
      result: 'fail',
      registry: 'ghcr.io',
      findings: [
        {
          id: 'registry-host-mismatch',
          severity: 'error',
          says: ['ghe.example.com', 'containers.ghe.example.com'],
        },
      ],
    },
  },
  {
    name: 'GHE.com run → containers.<sub>.ghe.com, no mismatch',
    workflow: WRITE,
    serverUrl: 'https://octocorp.ghe.com',
    expect: {
      result: 'unverified',
      registry: 'containers.octocorp.ghe.com',
      images: ['containers.octocorp.ghe.com/octo/app'],
      absent: ['registry-host-mismatch', 'image-registry-mismatch'],
    },
  },
  {
    name: 'empty image → ghcr.io/<repository lower-cased>',
    workflow: WRITE,
    repository: 'Octo-Org/Web.App',
    event: { repository: { owner: { login: 'Octo-Org', type: 'Organization' } } },
    inputs: { image: '' },
    expect: {
      result: 'unverified',
      images: ['ghcr.io/octo-org/web.app'],
      absent: ['image-name-uppercase', 'image-owner-mismatch'],
    },
  },
  {
    // No push in this job shows a lower-cased name, so Docker would refuse the name as written
    // (issue 9 item 4): an error, never a pass; the probed name is still the lower-cased one.
    name: 'uppercase image, no lower-casing push in the job → error, lower-cased in the images output',
    workflow: WRITE,
    inputs: { image: 'ghcr.io/Octo/App:v1' },
    expect: {
      result: 'fail',
      images: ['ghcr.io/octo/app'],
      findings: [
        { id: 'image-name-uppercase', severity: 'error', says: ['Octo', 'ghcr.io/octo/app'] },
      ],
    },
  },
  {
    name: 'invalid image name → image-name-invalid, fail',
    workflow: WRITE,
    inputs: { image: 'ghcr.io/octo/bad..name' },
    expect: {
      result: 'fail',
      images: [],
      findings: [{ id: 'image-name-invalid', severity: 'error', says: ['bad..name'] }],
      failure: /image-name-invalid/,
    },
  },
  {
    name: 'image without a registry (Docker Hub) → image-registry-mismatch, fail',
    workflow: WRITE,
    inputs: { image: 'octo/app' },
    expect: {
      result: 'fail',
      images: [],
      findings: [{ id: 'image-registry-mismatch', severity: 'error', says: ['docker.io'] }],
    },
  },
  {
    name: 'twelve uppercase images → 12 errors, only 10 annotated, the rest in the log',
    workflow: WRITE,
    inputs: { image: Array.from({ length: 12 }, (_, i) => `ghcr.io/octo/App${i}`).join('\n') },
    expect: {
      result: 'fail',
      images: Array.from({ length: 12 }, (_, i) => `ghcr.io/octo/app${i}`),
      findings: [{ id: 'image-name-uppercase', severity: 'error' }],
      log: /2 findings were not annotated/,
    },
  },
  {
    // Nothing can push, so the step fails — and it must say why: an empty token is a finding.
    name: 'empty github-token → fail with a finding that names the input',
    workflow: WRITE,
    inputs: { 'github-token': '' },
    expect: {
      result: 'fail',
      findings: [{ id: 'input-invalid', severity: 'error', says: ['github-token'] }],
      failure: /github-token/,
    },
  },
  {
    name: 'workflow file over 1 MiB → workflow-unreadable, quickly',
    workflow: OVER_LIMIT,
    expect: {
      result: 'unverified',
      findings: [{ id: 'workflow-unreadable', says: ['1 MiB'] }],
      // Refusing costs no more than reading a file of that size.
      costVsBenign: 1,
    },
  },
  {
    name: '4000-job workflow just under 1 MiB → analysed, the exact line found',
    workflow: MANY_JOBS,
    expect: {
      result: 'fail',
      findings: [{ id: 'packages-permission-missing', severity: 'error', at: 'packages: read' }],
      // 4000 jobs against ~1100 realistic ones: 1.1-1.5× when measured; quadratic would be far more.
      costVsBenign: 5,
    },
  },
]

interface EarlyCase {
  name: string
  inputs?: Record<string, string>
  env?: Record<string, string | undefined>
  message: RegExp
  /** The bad input, which the finding's fix must name; absent when no input is at fault. */
  input?: string
}

const early: EarlyCase[] = [
  {
    name: 'timeout-seconds: abc',
    input: 'timeout-seconds',
    inputs: { 'timeout-seconds': 'abc' },
    message: /^ghcr-preflight: input "timeout-seconds" must be .*, got "abc"$/,
  },
  {
    name: 'on-untrusted: maybe',
    input: 'on-untrusted',
    inputs: { 'on-untrusted': 'maybe' },
    message: /^ghcr-preflight: input "on-untrusted" must be one of skip, fail, got "maybe"$/,
  },
  {
    name: 'probe: perhaps',
    input: 'probe',
    inputs: { probe: 'perhaps' },
    message: /^ghcr-preflight: input "probe" must be true or false, got "perhaps"$/,
  },
  {
    name: 'run outside GitHub Actions (no GITHUB_REPOSITORY)',
    env: { GITHUB_REPOSITORY: undefined },
    message: /^ghcr-preflight: GITHUB_REPOSITORY is not set.*`npx ghcr-preflight lint`/,
  },
]

/** The parts of the finding with `want.id` that `want` asks about ({} when it is missing). */
function observed(
  findings: Finding[],
  want: ExpectedFinding,
  text: string,
): Record<string, unknown> {
  const hit = findings.find((f) => f.id === want.id)
  if (!hit) return { id: `${want.id} is missing; got ${findings.map((f) => f.id).join(', ')}` }
  const got: Record<string, unknown> = { id: hit.id }
  if (want.severity) got.severity = hit.severity
  if (want.at) {
    const { column } = lineOf(text, want.at)
    got.file = hit.file
    got.line = hit.line
    // A syntax error points inside the line; everything else at the key itself.
    got.column =
      want.id === 'workflow-unreadable' && hit.column !== undefined && hit.column >= column
        ? column
        : hit.column
  }
  for (const fragment of want.says ?? []) {
    got[`says ${fragment}`] = hit.message.includes(fragment) ? true : hit.message
  }
  return got
}

function wanted(want: ExpectedFinding, text: string): Record<string, unknown> {
  const w: Record<string, unknown> = { id: want.id }
  if (want.severity) w.severity = want.severity
  if (want.at) Object.assign(w, { file: WORKFLOW, ...lineOf(text, want.at) })
  for (const fragment of want.says ?? []) w[`says ${fragment}`] = true
  return w
}

describe.each(RUNTIMES)('built bundle, static cases, %s', (runtime) => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>

  beforeAll(async () => {
    // The first node24() may download Node 24 through npx.
    if (runtime === 'node24') node24()
    recorder = await startRecorder()
  }, 300_000)
  afterAll(async () => {
    await recorder.stop()
  })

  async function run(c: {
    repository?: string
    actor?: string
    eventName?: string
    job?: string
    serverUrl?: string
    event?: unknown
    workflow?: string
    inputs?: Record<string, string>
    env?: Record<string, string | undefined>
  }): Promise<ActionRun> {
    recorder.requests.length = 0
    const repository = c.repository ?? 'octo/app'
    const owner = repository.split('/')[0]!
    return runAction({
      runtime,
      inputs: { probe: 'false', 'github-token': RUN_TOKEN, ...c.inputs },
      env: {
        ...runnerEnv({
          repository,
          ...(c.actor ? { actor: c.actor } : {}),
          ...(c.eventName ? { eventName: c.eventName } : {}),
          ...(c.job ? { job: c.job } : {}),
          ...(c.serverUrl ? { serverUrl: c.serverUrl } : {}),
          apiUrl: recorder.url,
          registryUrl: recorder.url,
        }),
        ...c.env,
      },
      event: c.event ?? { repository: { owner: { login: owner, type: 'User' } } },
      files: { [WORKFLOW]: c.workflow ?? WRITE },
    })
  }

  it.each(cases)('$name', async (c) => {
    const r = await run(c)
    const e = c.expect
    expect(r.timedOut).toBe(false)
    expect(r.stderr).toBe('')
    expectNoStackTrace(r)
    expect(recorder.requests).toEqual([]) // static: no network at all

    const findings = expectContractOutputs(r)
    expect(r.outputs.result).toBe(e.result)
    expect(r.exitCode).toBe(expectedExit(e.result))
    expect(r.outputs.registry).toBe(e.registry ?? 'ghcr.io')
    expect(r.outputs.images!.split('\n').filter(Boolean)).toEqual(e.images ?? ['ghcr.io/octo/app'])

    const text = c.workflow ?? WRITE
    for (const want of e.findings ?? []) {
      expect(observed(findings, want, text)).toEqual(wanted(want, text))
    }
    for (const id of e.absent ?? []) expect(findings.map((f) => f.id)).not.toContain(id)

    expectAnnotations(r, findings)
    expectSummary(r, findings)
    expect(summaryChecks(r.summary)).toMatchObject(e.checks ?? {})
    expectMasked(r, [c.inputs?.['github-token'] ?? RUN_TOKEN])
    expectNoSecrets(r, [RUN_TOKEN], ['octo', 'x-access-token', 'dependabot[bot]'])

    // The step's own failure line: present exactly when it fails, and it names a cause.
    const failure = failureMessage(r)
    expect(failure !== undefined).toBe(r.exitCode === 1)
    expect(failure ?? '').not.toMatch(/\b0 problems\b/)
    expect(failure ?? '').toMatch(e.failure ?? /(?:)/)
    // A skip is said exactly once: on its cause's annotation when that is annotated (one notice
    // for the fork, not two), else on a notice of its own.
    const skipNotices = r.commands.filter(
      (x) => ['notice', 'warning'].includes(x.command) && /skipped the push/.test(x.message),
    )
    expect(skipNotices.length).toBe(e.notice ? 1 : 0)
    for (const n of skipNotices) {
      expect(n.message).toMatch(e.notice ?? /(?:)/)
      expect(n.props.title).toBe(e.skipOn ?? 'ghcr-preflight: skip')
    }
    expect(r.stdout).toMatch(e.log ?? /(?:)/)
    // The default 30 s deadline, by the action's own clock.
    expectWithinDeadline(r, 30)
  })

  // Resource limits, by comparison: the case run again beside a benign workflow of the same
  // size (capped at the 1 MiB limit), interleaved, the faster of two runs each.
  it.each(cases.filter((c) => c.expect.costVsBenign !== undefined))(
    '$name: costs at most its multiple of a benign workflow of the same size',
    async (c) => {
      const benignText = benignWorkflow(yardstickChars(c.workflow ?? WRITE))
      let ms = Infinity
      let benignMs = Infinity
      for (let i = 0; i < 2; i++) {
        const benign = await run({ workflow: benignText })
        expect(benign.outputs.result).toBe('unverified') // read and analysed, not refused
        benignMs = Math.min(benignMs, benign.wallMs)
        ms = Math.min(ms, (await run(c)).wallMs)
      }
      expect(ms).toBeLessThanOrEqual(c.expect.costVsBenign! * benignMs)
    },
  )

  it.each(early)('bad start: $name → one clear line, exit 1, no stack trace', async (c) => {
    const r = await run({ inputs: c.inputs ?? {}, env: c.env ?? {} })
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toBe('')
    expectNoStackTrace(r)
    expect(recorder.requests).toEqual([])
    const failure = failureMessage(r)
    expect(failure).toMatch(c.message)
    expect(failure).not.toContain('\n')
    // Nothing else is annotated, and the outputs still say "cannot push" to later steps.
    expect(r.commands.filter((x) => x.command !== 'add-mask')).toHaveLength(1)
    expect(r.outputs).toMatchObject({
      result: 'fail',
      'can-push': 'false',
      'credential-source': 'none',
    })
    // One error finding that says the same thing, and whose fix points at the right place:
    // the bad input by name, or — when no input is at fault — not at the step's `with:`.
    const findings = findingsOf(r)
    expect(findings.map((f) => [f.id, f.severity, f.message])).toEqual([
      ['input-invalid', 'error', failure!.replace(/^ghcr-preflight: /, '')],
    ])
    const fix = findings[0]!.fix.join('\n')
    expect(fix).toMatch(c.input ? `\`${c.input}\`` : /^(?![\s\S]*with:)/)
    expectNoSecrets(r, [RUN_TOKEN], ['octo'])
  })
})
