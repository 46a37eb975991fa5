// `ghcr-preflight diagnose --run URL` end to end: the built CLI against the REST emulator, which
// answers the run, its jobs, the workflow file at the run's commit and each failed job's log
// (served from another host by a signed URL, which must be fetched without the token).

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRig, type Rig } from '../../rig/index.mjs'
import { apiUrlFor, parseRunUrl } from '../../src/cli/diagnose-run.js'
import { rmSync } from 'node:fs'
import { cli, runnerLog, scratch } from './support/cli.js'

const REPO = 'acme/app'
const WORKFLOW = `name: build
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - run: docker push ghcr.io/acme/app:1.0
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo ok
`
const REFUSAL = 'denied: installation not allowed to Write organization package'
const FAILED_LOG = runnerLog([
  "Current runner version: '2.331.0'",
  '##[group]GITHUB_TOKEN Permissions',
  'Contents: read',
  'Metadata: read',
  '##[endgroup]',
  'Secret source: Actions',
  '##[group]Run docker push ghcr.io/acme/app:1.0',
  '##[endgroup]',
  'The push refers to repository [ghcr.io/acme/app]',
  REFUSAL,
  '##[error]Process completed with exit code 1.',
])

let rig: Rig
let tokens: Record<string, string>

beforeAll(async () => {
  rig = await startRig()
})
afterAll(async () => {
  await rig?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

function world(run: Record<string, unknown> = {}): void {
  ;({ tokens } = rig.setWorld({
    repository: REPO,
    github: {
      owners: { acme: 'org' },
      tokens: {
        pat: { kind: 'classic', owner: 'octocat', scopes: ['repo'] },
        expired: { kind: 'classic', owner: 'octocat', scopes: ['repo'], expired: true },
      },
      runs: [
        {
          id: 4242,
          workflow_path: '.github/workflows/build.yml',
          head_sha: 'c'.repeat(40),
          event: 'push',
          actor: 'octocat',
          jobs: [
            { id: 11, name: 'build', conclusion: 'failure', log: FAILED_LOG },
            { id: 12, name: 'lint', conclusion: 'success', log: 'ok\n' },
          ],
          ...run,
        },
      ],
    },
    files: { '.github/workflows/build.yml': WORKFLOW },
  }))
}

const env = (token = 'pat') => ({ GH_TOKEN: tokens[token]!, GITHUB_API_URL: rig.apiUrl })

describe('diagnose --run', () => {
  it('downloads the failed job, its log and the workflow file at the run commit, and names the cause on its line', async () => {
    world()
    const r = await cli(
      ['diagnose', '--run', `https://github.com/${REPO}/actions/runs/4242`, '--format', 'json'],
      { env: env() },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>> }
    expect(out.findings[0]).toMatchObject({
      id: 'packages-permission-missing',
      file: '.github/workflows/build.yml',
      line: 6,
      evidence: REFUSAL,
    })
    const api = rig.log.filter((e) => e.server === 'api').map((e) => `${e.method} ${e.path}`)
    expect(api).toEqual(
      expect.arrayContaining([
        `GET /repos/${REPO}/actions/runs/4242`,
        `GET /repos/${REPO}/actions/runs/4242/jobs`,
        `GET /repos/${REPO}/actions/jobs/11/logs`,
        `GET /repos/${REPO}/contents/.github/workflows/build.yml`,
      ]),
    )
    // Only the failed job's log is read, and never with the token.
    expect(api).not.toContain(`GET /repos/${REPO}/actions/jobs/12/logs`)
    const storage = rig.log.filter((e) => e.server === 'log-storage')
    expect(storage.map((e) => `${e.status} ${e.credential}`)).toEqual(['200 none'])
    expect(r.stdout + r.stderr).not.toContain(tokens.pat)
  })

  it('takes the fork from the API: a pull request whose head repository is another', async () => {
    world({ event: 'pull_request', head_repository: 'contributor/app', pull_request: 7 })
    const r = await cli(['diagnose', '--run', `https://github.com/${REPO}/actions/runs/4242`], {
      env: env(),
    })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('[fork-pull-request]')
    expect(r.stdout).toContain('from the fork contributor/app')
  })

  it('reads one job from a job URL', async () => {
    world()
    const r = await cli(
      [
        'diagnose',
        '--run',
        `https://github.com/${REPO}/actions/runs/4242/job/11`,
        '--format',
        'json',
      ],
      { env: env() },
    )
    expect(r.code).toBe(1)
    expect(rig.log.some((e) => e.path === `/repos/${REPO}/actions/jobs/11`)).toBe(true)
    expect(rig.log.some((e) => e.path === `/repos/${REPO}/actions/runs/4242/jobs`)).toBe(false)
  })

  it.each([
    [
      'a refused token',
      () => ({ ...env('expired') }),
      undefined,
      /401 "Bad credentials".*was refused/,
    ],
    [
      'an unknown run',
      () => env(),
      'https://github.com/acme/app/actions/runs/999',
      /404.*no such run/,
    ],
    ['an API answering an HTML page', () => env(), 'html', /HTML page/],
    ['an API that is down', () => env(), 'status:503', /HTTP 503/],
  ])(
    '%s → exit 2 with the reason, never the token',
    async (_name, makeEnv, how, message) => {
      world()
      let url = `https://github.com/${REPO}/actions/runs/4242`
      if (how?.startsWith('https://')) url = how
      else if (how) rig.setFault('api', how)
      const r = await cli(['diagnose', '--run', url], { env: makeEnv() })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      for (const t of Object.values(tokens)) expect(r.stdout + r.stderr).not.toContain(t)
    },
    60_000,
  )
})

describe('--run URLs', () => {
  it.each([
    [
      'https://github.com/acme/app/actions/runs/42',
      { serverUrl: 'https://github.com', repository: 'acme/app', runId: 42 },
    ],
    ['https://github.com/acme/app/actions/runs/42/attempts/2', { runId: 42, attempt: 2 }],
    ['https://github.com/acme/app/actions/runs/42/job/7', { runId: 42, jobId: 7 }],
    [
      'https://ghe.example.com/team/api/actions/runs/5/',
      { serverUrl: 'https://ghe.example.com', repository: 'team/api' },
    ],
  ])('%s', (url, want) => {
    const parsed = parseRunUrl(url)
    expect(parsed.ok && parsed.target).toMatchObject(want)
  })

  it('uses the API of the run server: GHES, GHE.com, and GITHUB_API_URL only for its own server', () => {
    const target = (serverUrl: string) => ({ serverUrl, repository: 'a/b', runId: 1 })
    expect(apiUrlFor(target('https://ghe.example.com'), {})).toBe('https://ghe.example.com/api/v3')
    expect(apiUrlFor(target('https://acme.ghe.com'), {})).toBe('https://api.acme.ghe.com')
    expect(apiUrlFor(target('https://github.com'), {})).toBe('https://api.github.com')
    expect(apiUrlFor(target('https://github.com'), { GITHUB_API_URL: 'http://127.0.0.1:9' })).toBe(
      'http://127.0.0.1:9',
    )
    expect(
      apiUrlFor(target('https://ghe.example.com'), { GITHUB_API_URL: 'https://api.github.com' }),
    ).toBe('https://ghe.example.com/api/v3')
  })
})
