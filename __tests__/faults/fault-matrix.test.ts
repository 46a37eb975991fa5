// The fault matrix: the built bundle (dist/index.js, run as the runner runs it) against the rig
// with one fault at a time in each thing it talks to — the registry (/v2/ and the upload), its
// token service, and the GitHub REST API. Every case must keep its deadline, never claim a push
// the registry did not prove, name what went wrong in plain words, print no stack trace, leak no
// token in any form, exit per contracts §3, and send no credential to another host.
//
// The deadline is checked without trusting absolute wall time, which a loaded machine stretches
// (the suite must pass at a load of 4× the cores): by the action's own clock (the duration it
// reports), and by comparing each run's wall time with a healthy run of the same bundle on the
// same rig right after it. A fault may add at most timeout-seconds + 2 s to that baseline (or,
// when a healthy run itself takes longer than 2 s, that run's duration). Only the cases that
// test the deadline (a hanging or trickling server) get a short one; the others get the default,
// so that load cannot end them before they meet their fault.
//
// Cases run concurrently, one rig per worker (a fault is per rig); the assertions below read
// the stored runs. Rebuild the bundle (bash scripts/build.sh) after changing src/.

import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { BUNDLE } from '../../scripts/lib/action-process.mjs'
import { startRig, type LogEntry, type Rig } from '../../rig/index.mjs'
import { expectWithinDeadline } from '../e2e/support.js'
import {
  findingsOf,
  pool,
  runWithFault,
  STACK_TRACE,
  DEADLINE_SECONDS,
  DEFAULT_SECONDS,
  type CaseRun,
  type Setup,
  type Target,
} from './support/fault-run.js'
import { loadLeakAudit } from './support/leak-audit-module.js'

const { auditLeaks } = await loadLeakAudit()

/** Where a fault is injected: the registry's /v2/ challenge, its upload start, the token service, the API. */
type Where = 'registry /v2/' | 'registry upload' | 'token service' | 'REST API'

interface FaultKind {
  name: string
  spec: string
  /** Status the emulator logs for an answer from this fault (0: no response sent). */
  logged: number
  /** What the finding must say; per place where the right words differ. */
  words: RegExp | Partial<Record<Where, RegExp>>
}

const TIMED_OUT = /deadline ran out|timed out|no time left/
const FAULTS: FaultKind[] = [
  { name: 'no response (hang)', spec: 'hang', logged: 0, words: TIMED_OUT },
  // One byte every 200 ms: headers at once, the body far slower than the deadline.
  { name: 'slow body', spec: 'slow-body:200', logged: 200, words: TIMED_OUT },
  { name: '500', spec: 'status:500', logged: 500, words: /\b500\b/ },
  { name: '502', spec: 'status:502', logged: 502, words: /\b502\b/ },
  { name: '503', spec: 'status:503', logged: 503, words: /\b503\b/ },
  {
    name: '429 with Retry-After',
    spec: 'retry-after:1',
    logged: 429,
    words: {
      'registry /v2/': /429 \(rate limited\)/,
      'registry upload': /429 \(rate limited\)/,
      'token service': /429 \(rate limited\)/,
      'REST API': /HTTP 429/,
    },
  },
  { name: 'HTML error page', spec: 'html', logged: 403, words: /HTML page/ },
  {
    name: 'malformed JSON',
    spec: 'malformed-json',
    logged: 200,
    words: {
      // A 200 from /v2/ means "no login needed"; the upload then goes without credentials.
      'registry /v2/': /asked for no login.*no credentials were sent/,
      'token service': /answered 200 without a token/,
      'REST API': /not JSON/,
    },
  },
  {
    // A refusal must be readable to count as one: 403 with a body that does not parse.
    name: 'malformed JSON refusal',
    spec: 'malformed-json:403',
    logged: 403,
    words: {
      'registry upload': /403 without a registry error body/,
      'token service': /403 with a body that is not JSON/,
      'REST API': /HTTP 403: the answer is not JSON/,
    },
  },
  {
    name: 'huge JSON',
    spec: 'huge-json:4',
    logged: 200,
    words: {
      'registry /v2/': /asked for no login.*no credentials were sent/,
      'registry upload': /answered 200 when asked to start an upload/,
      'token service': /body too large to read/,
      'REST API': /cut off at the size limit/,
    },
  },
  { name: 'truncated response', spec: 'truncated', logged: 200, words: /connection closed/ },
  { name: 'connection reset', spec: 'reset', logged: 0, words: /connection closed|reset/ },
  {
    name: 'redirect to another host',
    spec: 'redirect-other-host',
    logged: 307,
    words: /redirected to another host .*no credentials were sent there/,
  },
]

interface Case {
  name: string
  where: Where
  setup: Setup
  words: RegExp
  /** The emulator that must have served the fault, and the status it logged; none for closed ports. */
  fired?: { server: LogEntry['server']; status: number; path?: RegExp }
  onUnverified?: 'warn' | 'fail'
  runtime?: 'node20' | 'node24'
}

const V2 = /^\/v2\/?$/
const UPLOAD = /\/blobs\/uploads\/$/
const PLACES: {
  where: Where
  target: Target
  server: LogEntry['server']
  path?: RegExp
  method?: string
}[] = [
  { where: 'registry /v2/', target: 'registry', server: 'registry', path: V2 },
  {
    where: 'registry upload',
    target: 'registry',
    server: 'registry',
    path: UPLOAD,
    method: 'POST',
  },
  { where: 'token service', target: 'token', server: 'token' },
  { where: 'REST API', target: 'api', server: 'api' },
]

function matrix(): Case[] {
  const cases: Case[] = [
    {
      name: 'registry: connection refused',
      where: 'registry /v2/',
      setup: { kind: 'closed-port', env: 'GHCR_PREFLIGHT_REGISTRY_URL' },
      words: /registry could not be reached.*connection refused/,
    },
    {
      name: 'token service: connection refused',
      where: 'token service',
      setup: { kind: 'closed-realm' },
      words: /asking the token service.*connection refused/,
    },
    {
      name: 'REST API: connection refused',
      where: 'REST API',
      setup: { kind: 'closed-port', env: 'GITHUB_API_URL' },
      words: /GitHub API.*connection refused/,
    },
    {
      name: 'registry /v2/: challenge names a realm on another host',
      where: 'registry /v2/',
      setup: { kind: 'fault', on: 'registry', spec: 'realm-other-host' },
      words: /token service is on another host .*credentials were not sent/,
      fired: { server: 'registry', status: 401, path: V2 },
    },
  ]
  for (const place of PLACES) {
    for (const fault of FAULTS) {
      const words = fault.words instanceof RegExp ? fault.words : fault.words[place.where]
      if (!words) continue
      const spec = place.path
        ? { fault: fault.spec, path: place.path, ...(place.method ? { method: place.method } : {}) }
        : fault.spec
      cases.push({
        name: `${place.where}: ${fault.name}`,
        where: place.where,
        setup: { kind: 'fault', on: place.target, spec },
        words: place.where === 'REST API' ? new RegExp(`GitHub API.*${words.source}`) : words,
        fired: {
          server: place.server,
          status: fault.logged,
          ...(place.path ? { path: place.path } : {}),
        },
      })
    }
  }
  return cases
}

const MATRIX = matrix()
const byName = (name: string): Case => {
  const c = MATRIX.find((m) => m.name === name)
  if (!c) throw new Error(`no matrix case ${name}`)
  return c
}
/** on-unverified: fail must turn the same faults into a failed step (exit 1). */
const FAIL_MODE: Case[] = [
  'registry /v2/: 503',
  'token service: no response (hang)',
  'registry upload: truncated response',
  'REST API: 503',
].map((name) => ({ ...byName(name), name: `${name} (on-unverified: fail)`, onUnverified: 'fail' }))
/** The runner runs the action on Node 24: a representative subset there too. */
const NODE24: Case[] = [
  'registry /v2/: no response (hang)',
  'token service: 503',
  'registry upload: redirect to another host',
  'REST API: redirect to another host',
  'registry: connection refused',
].map((name) => ({ ...byName(name), name: `${name} (node24)`, runtime: 'node24' }))
NODE24.push({
  ...byName('token service: 503'),
  name: 'token service: 503 (node24, on-unverified: fail)',
  runtime: 'node24',
  onUnverified: 'fail',
})

const CONTROL: Case = {
  name: 'no fault (control)',
  where: 'registry upload', // unused: the control has its own test below
  setup: { kind: 'none' },
  words: /./,
}
const ALL = [CONTROL, ...MATRIX, ...FAIL_MODE, ...NODE24]

const RIGS = 4
/** The case's timeout-seconds: short only where the deadline is what the case tests. */
function deadlineOf(c: Case): number {
  return waitsOnDeadline(c) ? DEADLINE_SECONDS : DEFAULT_SECONDS
}

/**
 * What a fault may add to a healthy run's wall time: the deadline, plus the 2 s contracts allow
 * for the report and exit; on a machine loaded so far that a healthy run takes longer than 2 s,
 * that run's own duration (the report and exit cost no more than a whole healthy run).
 */
function addedLimitMs(c: Case, baselineMs: number): number {
  return deadlineOf(c) * 1000 + Math.max(2000, baselineMs)
}
let rigs: Rig[] = []
/** A case's run, and the wall time of a healthy run made right after it on the same rig (0: not needed). */
interface TimedRun extends CaseRun {
  baselineWallMs: number
}
let runs = new Map<Case, TimedRun | Error>()
let suiteMs = 0

beforeAll(async () => {
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: build it first with bash scripts/build.sh`)
  }
  const started = performance.now()
  rigs = await Promise.all(Array.from({ length: RIGS }, () => startRig()))
  // Slow cases first, so the pool does not end on one long straggler.
  const slowFirst = [...ALL].sort((a, b) => weight(b) - weight(a))
  runs = await pool(rigs, slowFirst, async (rig, c) => {
    const runtime = c.runtime ? { runtime: c.runtime } : {}
    const r = await runWithFault(rig, {
      setup: c.setup,
      timeoutSeconds: deadlineOf(c),
      ...(c.onUnverified ? { onUnverified: c.onUnverified } : {}),
      ...runtime,
    })
    // The healthy baseline: same runtime, same rig, same load, moments later. A run within
    // timeout-seconds + 2 s passes the comparison whatever the baseline (it is never negative),
    // so only the cases that wait on their deadline, and any run slower than that, pay for one.
    const needed = waitsOnDeadline(c) || r.run.wallMs > addedLimitMs(c, 0)
    const baseline = needed
      ? (await runWithFault(rig, { setup: { kind: 'none' }, agree: false, ...runtime })).run.wallMs
      : 0
    return { ...r, baselineWallMs: baseline }
  })
  suiteMs = performance.now() - started
}, 300_000)

afterAll(async () => {
  await Promise.all(rigs.map((r) => r.stop()))
  const timed = [...runs].flatMap(([c, r]) =>
    r instanceof Error ? [] : [[c.name, r.run.wallMs, r.baselineWallMs] as const],
  )
  timed.sort((a, b) => b[1] - b[2] - (a[1] - a[2]))
  const baselines = timed.filter(([, , base]) => base > 0).length
  console.log(
    `fault matrix: ${ALL.length} cases and ${baselines} healthy baseline runs in ${(suiteMs / 1000).toFixed(1)} s on ${RIGS} rigs; most added by a fault: ${timed
      .slice(0, 3)
      .map(([n, ms, base]) => `${n} ${Math.round(ms)} ms (baseline ${Math.round(base)} ms)`)
      .join(', ')}`,
  )
})

/** Faults that leave the action nothing to do but wait for its deadline. */
function waitsOnDeadline(c: Case): boolean {
  const spec = c.setup.kind === 'fault' ? JSON.stringify(c.setup.spec) : ''
  return /hang|slow/.test(spec)
}

function weight(c: Case): number {
  const spec = c.setup.kind === 'fault' ? JSON.stringify(c.setup.spec) : ''
  return (c.runtime === 'node24' ? 1 : 0) + (/hang|slow|retry/.test(spec) ? 2 : 0)
}

function get(c: Case): TimedRun {
  const r = runs.get(c)
  if (!r) throw new Error(`case ${c.name} did not run`)
  if (r instanceof Error) throw r
  return r
}

/** The deadline, measured so that a loaded machine cannot fail a correct run. */
function expectDeadlineKept(c: Case, r: TimedRun): void {
  const { run } = r
  expect(run.timedOut).toBe(false)
  // By the action's clock: the preflight stopped at timeout-seconds.
  expectWithinDeadline(run, deadlineOf(c))
  // Process start to exit, against the healthy run beside it on the same rig: the fault added
  // no more than the deadline plus the 2 s contracts allow (start-up and load cancel out).
  expect(run.wallMs - r.baselineWallMs).toBeLessThanOrEqual(addedLimitMs(c, r.baselineWallMs))
}

/** What every run must satisfy, whatever the verdict. */
function expectSafeRun(c: Case, r: TimedRun): void {
  const { run } = r
  expectDeadlineKept(c, r)
  expect(`${run.stdout}\n${run.stderr}\n${run.summary}`).not.toMatch(STACK_TRACE)
  expect(run.stderr.trim()).toBe('')
  expect(auditLeaks(run, Object.values(r.tokens))).toEqual([])
  // Credentials never reach the other host (redirect and realm faults point there).
  expect(r.log.filter((e) => e.server === 'other-host' && e.credential !== 'none')).toEqual([])
  for (const f of findingsOf(run)) expect(f.message).not.toMatch(/undefined|\[object |NaN/)
  // Issue 11's invariant, on every fault case: a red verdict says why in an error finding, and
  // nothing unproven is ever ready or fallback.
  const errors = findingsOf(run).filter((f) => f.severity === 'error')
  expect(run.outputs.result !== 'fail' || errors.length > 0).toBe(true)
  expect(run.outputs['can-push'] === 'true').toBe(
    run.outputs.result === 'ready' || run.outputs.result === 'fallback',
  )
  if (c.fired) {
    const { server, status, path } = c.fired
    expect(
      r.log.some((e) => e.server === server && e.status === status && (!path || path.test(e.path))),
    ).toBe(true)
  }
  if (c.setup.kind === 'closed-port') {
    // Nothing else answered in its place: the client really met a closed port.
    const server = c.setup.env === 'GITHUB_API_URL' ? 'api' : 'registry'
    expect(r.log.filter((e) => e.server === server)).toEqual([])
  }
  if (c.setup.kind === 'closed-realm') expect(r.log.filter((e) => e.server === 'token')).toEqual([])
}

function expectNamed(c: Case, run: CaseRun['run']): void {
  const inconclusive = findingsOf(run).filter((f) => f.id === 'probe-inconclusive')
  expect(inconclusive.map((f) => f.message)).toEqual(
    expect.arrayContaining([expect.stringMatching(c.words)]),
  )
}

it('the control run, without faults, is a proven fallback (so every change below is the fault)', () => {
  const r = get(CONTROL)
  expectSafeRun(CONTROL, r)
  expect(r.run.outputs).toMatchObject({
    result: 'fallback',
    'credential-source': 'fallback-token',
    'can-push': 'true',
  })
  expect(r.agreement).toMatchObject({ ok: true })
  expect(findingsOf(r.run).map((f) => f.id)).not.toContain('probe-inconclusive')
})

const UNVERIFIED_EXIT = { warn: 0, fail: 1 } as const

/** The line the step ends with: a warning, or the setFailed error naming on-unverified: fail. */
function unverifiedAnnouncement(mode: 'warn' | 'fail'): unknown {
  return mode === 'fail'
    ? expect.objectContaining({
        command: 'error',
        message: expect.stringContaining('on-unverified: fail'),
      })
    : expect.objectContaining({
        command: 'warning',
        props: expect.objectContaining({ title: 'ghcr-preflight: unverified' }),
      })
}

// Registry and token-service faults leave the push unproven: `unverified`, never a pass. No case
// here may end in `fail` either: the world's only real refusal is the run token's 403 at the
// upload, so `fail` would mean a fault was read as a refusal of the fallback PAT.
const REGISTRY_SIDE = [...MATRIX, ...FAIL_MODE, ...NODE24].filter((c) => c.where !== 'REST API')
describe.each(['registry /v2/', 'registry upload', 'token service'] as const)(
  '%s faults',
  (where) => {
    it.each(REGISTRY_SIDE.filter((c) => c.where === where).map((c) => [c.name, c] as const))(
      '%s → unverified',
      (_name, c) => {
        const r = get(c)
        expectSafeRun(c, r)
        const { run } = r
        expect(run.outputs.result).toBe('unverified')
        expect(run.outputs['can-push']).toBe('false')
        expectNamed(c, run)
        // contracts §3: unverified fails the step only with on-unverified: fail.
        const mode = c.onUnverified ?? 'warn'
        expect(run.exitCode).toBe(UNVERIFIED_EXIT[mode])
        expect(run.commands).toContainEqual(unverifiedAnnouncement(mode))
      },
    )
  },
)

// The REST API supplies facts around the verdict (the owner's type, the PAT's scopes and login,
// the package link), never the verdict: only a 202 from the registry proves a push. With the API
// failing and the registry healthy, the answer is still the registry's proven `fallback` (a
// `unverified` here would block a push that works, and fail every on-unverified: fail user
// during an API outage). So these cases assert there is no false pass another way: skopeo, a
// real client, must push with exactly the credential the action exported.
describe('REST API faults', () => {
  it.each(
    [...MATRIX, ...FAIL_MODE, ...NODE24]
      .filter((c) => c.where === 'REST API')
      .map((c) => [c.name, c] as const),
  )('%s → the registry still decides (fallback, proven by skopeo)', (_name, c) => {
    const r = get(c)
    expectSafeRun(c, r)
    const { run } = r
    expect(run.outputs).toMatchObject({
      result: 'fallback',
      'credential-source': 'fallback-token',
      'can-push': 'true',
    })
    expect(r.agreement).toMatchObject({ ok: true })
    // A proven push succeeds even with on-unverified: fail.
    expect(run.exitCode).toBe(0)
    expectNamed(c, run)
  })
})
