// Start-up is a product feature: a static run (probe: false, no fallback token) must not
// evaluate a single network module. The built bundle runs as the runner runs it, with a preload
// (support/record-modules.mjs) that logs every ES module resolved and every Node built-in
// loaded. Everything network-related (octokit, @actions/http-client, undici) is reached only
// through `await import()`, so ncc puts it in chunk files next to dist/index.js; a static run
// must load no chunk, none of Node's network built-ins, not Node's own fetch, and neither
// node:crypto (START_UP_FREE). A probing run with a fallback token is the
// control: the same recorder must see the chunks and built-ins.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE, node24, pushWorkflow, runAction } from '../../scripts/lib/action-process.mjs'
import { RUNTIMES, RUN_TOKEN, runnerEnv, startRecorder, type Runtime } from './support.js'

const PRELOAD = fileURLToPath(new URL('./support/record-modules.mjs', import.meta.url))
const DIST = join(BUNDLE, '..')

/** Node built-ins that mean network code ran; `net` is not one (stdout as a pipe is a socket). */
const NETWORK_BUILTINS = [
  'http',
  'https',
  'http2',
  'tls',
  'dns',
  '_http_client',
  'internal/deps/undici/undici', // Node's own fetch
]

/**
 * Built-ins a static run no longer loads, a measured part of the start (docs/benchmarks.md):
 * node:crypto (core's file commands took their delimiter's UUID from it). node:assert comes with
 * @actions/exec and @actions/io, which the toolchain fixes for running git.
 */
const START_UP_FREE = ['crypto', 'internal/crypto/random']

const dir = mkdtempSync(join(tmpdir(), 'ghcr-preflight-modules-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let recorder: Awaited<ReturnType<typeof startRecorder>>
beforeAll(async () => {
  recorder = await startRecorder()
}, 300_000)
afterAll(async () => {
  await recorder.stop()
})

let runs = 0
/** Runs the bundle with the module recorder; returns the bundle files and built-ins it loaded. */
async function loaded(
  runtime: Runtime,
  inputs: Record<string, string>,
): Promise<{ files: string[]; builtins: string[]; result: string | undefined }> {
  const log = join(dir, `modules-${runs++}.log`)
  const run = await runAction({
    runtime,
    inputs: { 'github-token': RUN_TOKEN, 'timeout-seconds': '5', ...inputs },
    env: {
      ...runnerEnv({ repository: 'octo/app', apiUrl: recorder.url, registryUrl: recorder.url }),
      NODE_OPTIONS: `--import=${PRELOAD}`,
      GHCR_PREFLIGHT_MODULE_LOG: log,
    },
    event: { repository: { owner: { login: 'octo', type: 'User' } } },
    files: { '.github/workflows/build.yml': pushWorkflow({ image: 'ghcr.io/octo/app' }) },
  })
  expect(run.stderr).toBe('')
  const lines = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))]
  return {
    files: lines
      .filter((l) => l.startsWith('file:') && fileURLToPath(l).startsWith(DIST))
      .map((l) => fileURLToPath(l).slice(DIST.length + 1)),
    builtins: lines.filter((l) => l.startsWith('builtin:')).map((l) => l.slice('builtin:'.length)),
    result: run.outputs.result,
  }
}

it('the bundle keeps its network code in chunk files', () => {
  const chunks = readdirSync(DIST).filter((f) => /^\d+\.index\.js$/.test(f))
  expect(chunks.length).toBeGreaterThan(0)
  const entry = readFileSync(BUNDLE, 'utf8')
  // Names these packages carry at run time (their user agents; undici names itself in errors).
  expect(entry.match(/octokit-core\.js|actions\/http-client|undici/gi) ?? []).toEqual([])
})

describe.each(RUNTIMES)('%s', (runtime) => {
  beforeAll(() => {
    if (runtime === 'node24') node24() // may download Node 24 through npx the first time
  }, 300_000)

  it('a static run loads dist/index.js only, and no network built-in', async () => {
    recorder.requests.length = 0
    const got = await loaded(runtime, { image: 'ghcr.io/octo/app', probe: 'false' })
    expect(got.result).toBe('unverified')
    expect(got.files).toEqual(['index.js'])
    expect(got.builtins.filter((b) => NETWORK_BUILTINS.includes(b))).toEqual([])
    expect(got.builtins.filter((b) => START_UP_FREE.includes(b))).toEqual([])
    expect(recorder.requests).toEqual([])
    // The workflow file was read from the checkout with git.
    expect(got.builtins).toContain('child_process')
  })

  it('control: a probing run with a fallback token loads the chunks and network built-ins', async () => {
    const got = await loaded(runtime, {
      image: 'ghcr.io/octo/app',
      'fallback-token': 'ghp_' + 'c0ntr0l'.repeat(5) + 'x',
    })
    expect(got.files.length).toBeGreaterThan(1)
    expect(got.builtins).toEqual(expect.arrayContaining(['http', 'internal/deps/undici/undici']))
  })
})
