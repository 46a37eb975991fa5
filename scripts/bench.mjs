#!/usr/bin/env node
// The benchmark (`npm run bench`): cold start, a full preflight at 100 ms latency, linting 1,000
// workflow files, peak memory and bundle size, each against its target. Prints a table and exits
// 0 when every target is met, 1 when one is missed (named on the last lines) or a run did not do
// what was measured. `--write-docs` also puts the table into docs/benchmarks.md.
//
// Options: --pairs N (cold-start pairs, 30), --runs N (preflight runs, 10), --files N (1000),
//          --runtimes node20,node24, --only a,b,c,d, --write-docs, --trace (print the last full
//          run's requests on a time line), --dist DIR (measure another build, e.g. BUILD_OUT),
//          --against DIR[,DIR…] (other builds timed in the same cold-start rounds, for before/after)

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT, node24, prepareRun, pushWorkflow } from './lib/action-process.mjs'
import { machine, peakRssRun, snapshotDist, timedRun } from './lib/bench-process.mjs'
import { fmtKb, fmtMb, fmtMs, summarise } from './lib/bench-stats.mjs'
import { recordRequests, sequentialDepth, startBlackHole } from './lib/bench-wire.mjs'
import { REPOSITORY as LINT_REPOSITORY, generateWorkflows } from './lib/bench-workflows.mjs'
import { startRig } from '../rig/index.mjs'

const { values: opt } = setup('options', () =>
  parseArgs({
    options: {
      pairs: { type: 'string', default: '30' },
      runs: { type: 'string', default: '10' },
      files: { type: 'string', default: '1000' },
      runtimes: { type: 'string', default: 'node20,node24' },
      only: { type: 'string', default: 'a,b,c,d' },
      'write-docs': { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      dist: { type: 'string' },
      against: { type: 'string' },
    },
  }),
)
const count = (name) =>
  setup(`--${name}`, () => {
    const n = Number(opt[name])
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`expected a whole number ≥ 1, got "${opt[name]}"`)
    return n
  })
const PAIRS = count('pairs')
const RUNS = count('runs')
const FILES = count('files')
const ONLY = new Set(opt.only.split(','))

const TARGET = {
  // The runner's Node 24, and Node 20 (slower to load an ES module) on this machine.
  coldRatio: { node24: 2.0, node20: 2.5 },
  latencyMs: 100,
  floorTrips: 3,
  lintMs: 2000,
  rssKb: 100 * 1024,
}
const PREFLIGHT_TARGET_MS = 1.3 * TARGET.floorTrips * TARGET.latencyMs + 150

/** Table rows: what, runtime, median, p90, target, pass (true/false/undefined = information). */
const rows = []
/** Temp folders to remove at the end. */
const cleanups = []
const misses = []
const broken = []
function row(what, runtime, median, p90, target, pass) {
  rows.push({ what, runtime, median, p90, target, pass })
  if (pass === false) misses.push(`${what} (${runtime}): ${median}, target ${target}`)
}
const note = (s) => process.stderr.write(`bench: ${s}\n`)

/** Set-up problems (no dist/, no Node 24, bad option) end the run with one line, no stack. */
function setup(what, fn) {
  try {
    return fn()
  } catch (e) {
    console.error(`bench: ${what}: ${e.message}`)
    process.exit(1)
  }
}
const runtimes = setup('--runtimes', () =>
  opt.runtimes.split(',').map((name) => {
    if (name === 'node20') return { name, exe: process.execPath }
    if (name === 'node24') return { name, exe: node24() }
    throw new Error(`unknown runtime "${name}" (node20, node24)`)
  }),
)
const loadStart = os.loadavg()
const host = machine(runtimes.find((r) => r.name === 'node24')?.exe)
const dist = setup('dist', () => snapshotDist(opt.dist))
// --against: another build, run in the same rounds as dist/ and bare Node (the order rotates),
// so a before/after comparison on a loaded machine sees the same load.
const against = (opt.against?.split(',') ?? []).map((d) => ({
  from: d,
  ...setup('--against', () => snapshotDist(d)),
}))

// ---------------------------------------------------------------------------------------------
// (a) Cold start: the bundle on a static case against a bare `node -e 0`, alternated.

const STATIC_WORKFLOW = `name: build
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v5
      - uses: craigedmunds/ghcr-preflight@v1
        with:
          image: ghcr.io/acme/app
          probe: false
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/app:latest
`

const OTHER_WORKFLOWS = 20

/** The first workflow files of the real-pattern corpus that GitHub accepts, as other workflows. */
function otherWorkflows() {
  const dir = join(ROOT, 'corpus', 'workflows')
  const accepted = readdirSync(dir)
    .filter((f) => f.endsWith('.yml') && !readFileSync(join(dir, f), 'utf8').includes('(file):'))
    .slice(0, OTHER_WORKFLOWS)
  return Object.fromEntries(
    accepted.map((f) => [`.github/workflows/${f}`, readFileSync(join(dir, f), 'utf8')]),
  )
}

/**
 * Bundles scripts/bench-floor/floor.mjs the way dist/index.js is bundled (ncc --minify, then the
 * eager-compile rewrite) into a temp folder; returns the bundle's path.
 */
function buildFloor() {
  const out = mkdtempSync(join(tmpdir(), 'ghcr-preflight-bench-floor-'))
  cleanups.push(() => rmSync(out, { recursive: true, force: true }))
  const entry = join(ROOT, 'scripts', 'bench-floor', 'floor.mjs')
  execFileSync('npx', ['ncc', 'build', entry, '-o', out, '--minify', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const bundle = join(out, 'index.mjs')
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'lib', 'eager-compile.mjs'), bundle])
  return bundle
}

async function coldStart() {
  // Every host the action could contact is a listener that never answers: a request would be
  // counted and would also hold the run until its deadline, so no time can hide in the network.
  const hole = await startBlackHole()
  const spec = {
    inputs: { image: 'ghcr.io/acme/app', probe: 'false', 'github-token': `ghs_${'x'.repeat(36)}` },
    env: {
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_ACTOR: 'octocat',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_JOB: 'build',
      GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/build.yml@refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: hole.url,
      GHCR_PREFLIGHT_REGISTRY_URL: hole.url,
      // The floor spawns git by absolute path, as src/workflow-source/git.ts does (every command
      // gets the same environment).
      GIT: execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(),
    },
    event: {
      repository: { full_name: 'acme/app', owner: { login: 'acme', type: 'Organization' } },
    },
    files: { '.github/workflows/build.yml': STATIC_WORKFLOW },
  }
  const run = prepareRun(spec)
  // The same run in a repository with other workflows beside the running one, as most are:
  // files of the real-pattern corpus (information: the target is the one-file case).
  const inRepo = prepareRun({ ...spec, files: { ...spec.files, ...otherWorkflows() } })
  const action = [dist.action]
  const bare = ['-e', '0']
  const floor = [buildFloor()]
  const commands = { bare, action, floor, inRepo: action }
  const runOf = (kind) => (kind === 'inRepo' ? inRepo : run)
  /** One run of a command in its run directory, the files of the one before emptied. */
  const runKind = (rt, kind) => {
    const where = runOf(kind)
    where.reset()
    return timedRun(rt.exe, commands[kind], { env: where.env, cwd: where.cwd, timeoutMs: 20_000 })
  }
  for (const [i, other] of against.entries()) commands[`against${i}`] = [other.action]
  const kinds = Object.keys(commands)
  try {
    for (const rt of runtimes) {
      // One checked run first: it must be the static verdict, the workflow read from the
      // checkout (a git repository holding GITHUB_WORKFLOW_SHA, as actions/checkout leaves it).
      const checked = kinds.filter((k) => k !== 'bare' && k !== 'floor')
      let ok = true
      for (const which of checked) {
        const check = await runKind(rt, which)
        const out = runOf(which).read().outputs
        const ids = JSON.parse(out.findings ?? '[]').map((f) => f.id)
        if (
          check.code !== 0 ||
          out.result !== 'unverified' ||
          ids.includes('workflow-unreadable')
        ) {
          broken.push(
            `(a) ${rt.name} ${which}: the static run did not give the expected verdict (exit ${check.code}, result ${out.result}, findings ${ids.join(' ')}): ${check.stderr.slice(0, 300)}`,
          )
          ok = false
        }
      }
      const floorCheck = await runKind(rt, 'floor')
      if (floorCheck.code !== 0 || run.read().outputs.jobs !== '1') {
        broken.push(
          `(a) ${rt.name} floor: exit ${floorCheck.code}: ${floorCheck.stderr.slice(0, 300)}`,
        )
        ok = false
      }
      if (!ok) continue
      const times = Object.fromEntries(kinds.map((k) => [k, []]))
      for (let i = 0; i < 3 + PAIRS; i++) {
        // Each round runs every command once; the order rotates from round to round, so each
        // command takes each place equally often (with two, the order flips every pair).
        const r0 = i % kinds.length
        const order = [...kinds.slice(r0), ...kinds.slice(0, r0)]
        for (const which of order) {
          const r = await runKind(rt, which)
          if (r.code !== 0) broken.push(`(a) ${rt.name} ${which} exited ${r.code}`)
          if (i >= 3) times[which].push(r.ms) // the first 3 rounds warm the page cache
        }
      }
      const b = summarise(times.bare)
      const a = summarise(times.action)
      const f = summarise(times.floor)
      const ratio = a.median / b.median
      row('(a) bare `node -e 0`', rt.name, fmtMs(b.median), fmtMs(b.p90), '', undefined)
      row(
        '(a) action, static case (probe: false)',
        rt.name,
        fmtMs(a.median),
        fmtMs(a.p90),
        '',
        undefined,
      )
      row(
        '(a) cold-start ratio action / bare',
        rt.name,
        ratio.toFixed(2),
        (a.p90 / b.p90).toFixed(2),
        `≤ ${TARGET.coldRatio[rt.name].toFixed(1)} (median)`,
        ratio <= TARGET.coldRatio[rt.name],
      )
      const o = summarise(times.inRepo)
      row(
        `(a) the same, ${OTHER_WORKFLOWS} other workflows in the repository (information)`,
        rt.name,
        fmtMs(o.median),
        fmtMs(o.p90),
        '',
        undefined,
      )
      row(
        '(a) floor: yaml parseDocument + git via @actions/exec only (scripts/bench-floor/)',
        rt.name,
        fmtMs(f.median),
        fmtMs(f.p90),
        '',
        undefined,
      )
      row(
        '(a) floor ratio floor / bare: the least the toolchain allows',
        rt.name,
        (f.median / b.median).toFixed(2),
        (f.p90 / b.p90).toFixed(2),
        '',
        undefined,
      )
      for (const [i, other] of against.entries()) {
        const o = summarise(times[`against${i}`])
        row(
          `(a) --against ${other.from}, same rounds`,
          rt.name,
          fmtMs(o.median),
          fmtMs(o.p90),
          '',
          undefined,
        )
        row(
          `(a) --against ${other.from}: ratio / bare`,
          rt.name,
          (o.median / b.median).toFixed(2),
          (o.p90 / b.p90).toFixed(2),
          '',
          undefined,
        )
      }
    }
    if (hole.connections > 0) {
      broken.push(`(a) the static case opened ${hole.connections} network connection(s)`)
    }
    row(
      '(a) connections to API/registry in static runs',
      'all',
      String(hole.connections),
      '',
      '0',
      hole.connections === 0,
    )
  } finally {
    run.cleanup()
    inRepo.cleanup()
    await hole.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// (b) Full preflight at 100 ms per request, 3 images, run token + classic PAT fallback; (d) its
// peak RSS.

const FULL_IMAGES = [
  'ghcr.io/octo/bench-app',
  'ghcr.io/octo/bench-worker',
  'ghcr.io/octo/bench-docs',
]
const FULL_WORKFLOW = pushWorkflow({ image: FULL_IMAGES.join(', '), fallback: true })
// The run token can write two of the images; bench-docs is linked to another repository, so the
// run needs the PAT and both credentials are probed and checked.
const FULL_WORLD = {
  repository: 'octo/bench',
  files: { '.github/workflows/build.yml': FULL_WORKFLOW },
  github: {
    owners: { octo: 'user' },
    tokens: {
      github: { kind: 'actions', packages: 'write' },
      pat: {
        kind: 'classic',
        owner: 'octo',
        scopes: ['write:packages', 'read:packages'],
        expired: false,
        sso_authorized: true,
      },
    },
    packages: [
      {
        owner: 'octo',
        name: 'bench-docs',
        repository: 'octo/docs-site',
        visibility: 'private',
        actions_access: { 'octo/docs-site': 'write' },
      },
    ],
  },
}

function fullRun(rig) {
  const { tokens } = rig.setWorld(FULL_WORLD)
  rig.setLatency(TARGET.latencyMs) // setWorld resets it
  return prepareRun({
    inputs: {
      image: FULL_IMAGES.join('\n'),
      'github-token': tokens.github,
      'fallback-token': tokens.pat,
    },
    env: {
      GITHUB_REPOSITORY: 'octo/bench',
      GITHUB_REPOSITORY_OWNER: 'octo',
      GITHUB_ACTOR: 'octo',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_JOB: 'build',
      GITHUB_WORKFLOW_REF: 'octo/bench/.github/workflows/build.yml@refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: rig.apiUrl,
      GHCR_PREFLIGHT_REGISTRY_URL: rig.registryUrl,
    },
    event: { repository: { full_name: 'octo/bench', owner: { login: 'octo', type: 'User' } } },
    files: FULL_WORLD.files,
  })
}

function checkFullRun(label, r, out) {
  if (r.code !== 0 || out.result !== 'fallback' || out['credential-source'] !== 'fallback-token') {
    broken.push(
      `${label}: expected result fallback with the fallback token, got exit ${r.code}, result ${out.result}, credential ${out['credential-source']}`,
    )
    return false
  }
  return true
}

async function fullPreflight(rig) {
  const apiPort = Number(new URL(rig.apiUrl).port)
  const serverOf = (req) =>
    req.port === apiPort ? 'api' : req.path === '/token' ? 'token' : 'registry'
  for (const rt of runtimes) {
    const walls = []
    const actionTrips = []
    const depths = []
    const requestCounts = []
    const minMs = { registry: Infinity, token: Infinity, api: Infinity }
    for (let i = 0; i < 1 + RUNS; i++) {
      const run = fullRun(rig)
      const wire = recordRequests()
      let r
      try {
        r = await timedRun(rt.exe, [dist.action], { env: run.env, cwd: run.cwd, timeoutMs: 60_000 })
      } finally {
        wire.stop()
      }
      const ok = checkFullRun(`(b) ${rt.name} run ${i}`, r, run.read().outputs)
      run.cleanup()
      if (!ok || i === 0) continue // run 0 warms the rig and the page cache
      walls.push(r.ms)
      const trips = /registry probe: .*?(\d+) sequential round trip/.exec(r.stdout)?.[1]
      if (trips) actionTrips.push(Number(trips))
      depths.push(sequentialDepth(wire.requests))
      if (opt.trace && i === RUNS) trace(rt.name, r, wire.requests, serverOf)
      requestCounts.push(wire.requests.length)
      for (const q of wire.requests) {
        const s = serverOf(q)
        minMs[s] = Math.min(minMs[s], q.end - q.start)
      }
    }
    if (walls.length === 0) continue
    const w = summarise(walls)
    row(
      '(b) full preflight: 3 images × 2 credentials, 100 ms/request',
      rt.name,
      fmtMs(w.median),
      fmtMs(w.p90),
      `≤ ${fmtMs(PREFLIGHT_TARGET_MS)} (1.3 × 300 ms + 150 ms)`,
      w.median <= PREFLIGHT_TARGET_MS,
    )
    row(
      '(b) sequential round trips: as the action logs / on the wire',
      rt.name,
      `${Math.max(...actionTrips)} / ${Math.max(...depths)}`,
      '',
      'registry floor 3',
      undefined,
    )
    row(
      '(b) requests per run (all servers)',
      rt.name,
      String(Math.max(...requestCounts)),
      '',
      '',
      undefined,
    )
    const latencyEverywhere = Object.values(minMs).every((m) => m >= TARGET.latencyMs - 1)
    row(
      '(b) fastest request per server: registry / token / API',
      rt.name,
      `${fmtMs(minMs.registry)} / ${fmtMs(minMs.token)} / ${fmtMs(minMs.api)}`,
      '',
      `≥ ${TARGET.latencyMs} ms each (latency applied)`,
      latencyEverywhere,
    )
  }
}

/** --trace: the last run's requests on a time line, to see what waits for what. */
function trace(runtime, r, requests, serverOf) {
  const t0 = Math.min(...requests.map((q) => q.start))
  note(`trace (${runtime}): wall ${fmtMs(r.ms)}; request times relative to the first request`)
  for (const q of [...requests].sort((a, b) => a.start - b.start)) {
    const at = `${fmtMs(q.start - t0)} → ${fmtMs(q.end - t0)}`.padEnd(18)
    note(`  ${at} ${serverOf(q).padEnd(8)} ${q.method} ${q.path}`)
  }
  for (const line of r.stdout.split('\n').filter((l) => /registry probe|verdict/.test(l))) {
    note(`  action: ${line}`)
  }
}

async function peakRss(rig) {
  for (const rt of runtimes) {
    let peak = 0
    let method = ''
    for (let i = 0; i < 3; i++) {
      const run = fullRun(rig)
      const r = await peakRssRun(rt.exe, [dist.action], { env: run.env, cwd: run.cwd })
      checkFullRun(`(d) ${rt.name}`, r, run.read().outputs)
      run.cleanup()
      peak = Math.max(peak, r.peakKb)
      method = r.method
    }
    row(
      `(d) peak RSS of a full run (max of 3, ${method})`,
      rt.name,
      fmtMb(peak),
      '',
      `≤ ${fmtMb(TARGET.rssKb)}`,
      peak > 0 && peak <= TARGET.rssKb,
    )
  }
}

// ---------------------------------------------------------------------------------------------
// (c) The CLI linting 1,000 generated workflow files.

async function lintMany() {
  const root = mkdtempSync(join(tmpdir(), 'ghcr-preflight-bench-lint-'))
  try {
    const { expected } = generateWorkflows(root, FILES)
    const args = [
      dist.cli,
      'lint',
      '.github/workflows',
      '--format',
      'json',
      '--repository',
      LINT_REPOSITORY,
    ]
    for (const rt of runtimes) {
      const walls = []
      for (let i = 0; i < 4; i++) {
        const r = await timedRun(rt.exe, args, { cwd: root, env: { PATH: process.env.PATH } })
        if (i === 0) {
          const problem = verifyLint(r, expected)
          if (problem) broken.push(`(c) ${rt.name}: ${problem}`)
          continue // warm-up
        }
        walls.push(r.ms)
      }
      const w = summarise(walls)
      row(
        `(c) lint ${FILES} workflow files (median of 3)`,
        rt.name,
        fmtMs(w.median),
        fmtMs(w.max),
        `≤ ${fmtMs(TARGET.lintMs)}`,
        w.median <= TARGET.lintMs && w.max <= TARGET.lintMs,
      )
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** Every file with a planted problem is reported for it, and no clean file is reported. */
function verifyLint(r, expected) {
  if (r.code !== 1)
    return `expected exit 1 (planted errors), got ${r.code}: ${r.stderr.slice(0, 200)}`
  let findings
  try {
    findings = JSON.parse(r.stdout).findings
  } catch {
    return 'the output is not JSON'
  }
  const byFile = new Map()
  for (const f of findings) {
    if (f.severity === 'notice') continue
    if (!byFile.has(f.file)) byFile.set(f.file, new Set())
    byFile.get(f.file).add(f.id)
  }
  for (const [file, id] of expected) {
    const got = byFile.get(file)
    if (id && !got?.has(id))
      return `${file} should report ${id}, got ${[...(got ?? [])].join(' ') || 'nothing'}`
    if (!id && got) return `${file} should be clean, got ${[...got].join(' ')}`
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------

function table() {
  const head = ['measurement', 'runtime', 'median', 'p90 / max', 'target', 'verdict']
  const lines = [head, head.map(() => '---')]
  for (const r of rows) {
    const verdict = r.pass === undefined ? '' : r.pass ? 'pass' : '**MISS**'
    lines.push([r.what, r.runtime, r.median, r.p90, r.target, verdict])
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}

function machineText() {
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ')
  return [
    `- CPU: ${host.cpu}, ${host.nproc} CPU(s) (nproc), ${host.memoryGb} GB RAM, ${host.os}`,
    `- Node: ${host.node20} (runs the bench, "node20"), ${host.node24} ("node24", what the runner uses)`,
    `- dist/index.js ${fmtKb(dist.sizes.action)} (+ ${dist.sizes.chunkCount} chunk files loaded on demand, ${fmtKb(dist.sizes.chunks)}), dist/cli/index.js ${fmtKb(dist.sizes.cli)}`,
    `- date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${load(loadStart)} at the start, ${load(os.loadavg())} at the end (a load above the CPU count makes every time longer${host.realtime ? `; this run had the real-time policy ${host.realtime} (\`chrt\`), so other processes could not preempt the measured ones` : ''})`,
    `- command: \`npm run bench\` (${PAIRS} cold-start pairs, ${RUNS} preflight runs, ${FILES} lint files)`,
  ].join('\n')
}

function writeDocs(text) {
  const path = join(ROOT, 'docs', 'benchmarks.md')
  const doc = readFileSync(path, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const a = doc.indexOf(start)
  const b = doc.indexOf(end)
  if (a < 0 || b < a) throw new Error(`${path} lacks the ${start} … ${end} markers`)
  writeFileSync(path, `${doc.slice(0, a + start.length)}\n${text}\n${doc.slice(b)}`)
  note(`wrote the results into ${path}`)
}

try {
  row(
    'dist size: dist/index.js / lazy chunks / dist/cli/index.js',
    'all',
    `${fmtKb(dist.sizes.action)} / ${fmtKb(dist.sizes.chunks)} in ${dist.sizes.chunkCount} / ${fmtKb(dist.sizes.cli)}`,
    '',
    '',
    undefined,
  )
  row(
    'network packages in dist/index.js (loaded by every start)',
    'all',
    dist.networkInEntry.join(', ') || 'none',
    '',
    'none',
    dist.networkInEntry.length === 0,
  )
  if (ONLY.has('a')) {
    note(`(a) cold start: ${PAIRS} alternating pairs per runtime`)
    await coldStart()
  }
  if (ONLY.has('b') || ONLY.has('d')) {
    const rig = await startRig()
    try {
      if (ONLY.has('b')) {
        note(`(b) full preflight: ${RUNS} runs per runtime at ${TARGET.latencyMs} ms per request`)
        await fullPreflight(rig)
      }
      if (ONLY.has('d')) {
        note('(d) peak RSS of a full run')
        await peakRss(rig)
      }
    } finally {
      await rig.stop()
    }
  }
  if (ONLY.has('c')) {
    note(`(c) lint of ${FILES} generated workflow files`)
    await lintMany()
  }
} catch (e) {
  // A rig or harness failure: report it with the rows measured so far.
  broken.push(`stopped early: ${e.message}`)
} finally {
  dist.cleanup()
  for (const other of against) other.cleanup()
  for (const clean of cleanups) clean()
}

const text = `${machineText()}\n\n${table()}`
console.log(text)
if (opt['write-docs']) writeDocs(text)
for (const b of broken) console.log(`BROKEN: ${b}`)
for (const m of misses) console.log(`MISSED: ${m}`)
if (broken.length === 0 && misses.length === 0) console.log('all targets met')
process.exitCode = broken.length > 0 || misses.length > 0 ? 1 : 0
