// `ghcr-preflight diagnose` as users run it: the built CLI (dist/cli/index.js) as a child process,
// on job logs written the way the runner writes them, the run's .zip, standard input, and bad
// input of every kind (which must end in one clear line, never a stack trace).

import { randomBytes } from 'node:crypto'
import { closeSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { readFileSync } from 'node:fs'
import { cli, runnerLog, scratch, stamp } from './support/cli.js'
import { makeZip } from './support/zip.js'

const dir = scratch
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SETUP = (scopes: string[], secret = 'Actions') => [
  "Current runner version: '2.331.0'",
  '##[group]GITHUB_TOKEN Permissions',
  ...scopes,
  '##[endgroup]',
  `Secret source: ${secret}`,
  'Prepare workflow directory',
  'Complete job name: build',
]
const CHECKOUT = [
  '##[group]Run actions/checkout@v4',
  '##[endgroup]',
  'Syncing repository: acme/app',
  '[command]/usr/bin/git remote add origin https://github.com/acme/app',
]
const LOGIN = [
  '##[group]Run docker/login-action@v3',
  'with:',
  '  registry: ghcr.io',
  '  username: octocat',
  '  password: ***',
  '##[endgroup]',
  'Logging into ghcr.io...',
  'Login Succeeded!',
]
const REFUSAL =
  'ERROR: failed to solve: failed to push ghcr.io/acme/app:1.0: denied: installation not allowed to Write organization package'
const PUSH = [
  '##[group]Run docker buildx build --push --tag ghcr.io/acme/app:1.0 .',
  '##[endgroup]',
  '#9 exporting to image',
  REFUSAL,
  '##[error]Process completed with exit code 1.',
]
const WORKFLOW = `name: build
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - run: docker buildx build --push --tag ghcr.io/acme/app:1.0 .
`

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

interface Json {
  findings: Array<
    Record<string, unknown> & {
      id: string
      severity: string
      evidence?: string
      candidates?: string[]
    }
  >
}

describe('diagnose: job logs', () => {
  const log = runnerLog([
    ...SETUP(['Contents: read', 'Metadata: read']),
    ...CHECKOUT,
    ...LOGIN,
    ...PUSH,
  ])

  it('names the cause on the workflow line, with the log line as evidence (json)', async () => {
    const logPath = file('build.log', log)
    const wf = file('build.yml', WORKFLOW)
    const r = await cli(['diagnose', logPath, '--workflow', wf, '--format', 'json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as Json
    expect(Object.keys(out)).toEqual(['findings'])
    const lead = out.findings[0]!
    expect(lead).toMatchObject({
      id: 'packages-permission-missing',
      severity: 'error',
      file: 'build.yml',
      line: 3,
      evidence: REFUSAL,
    })
    expect(String(lead.message)).toContain('The registry confirmed it')
    expect(String(lead.message)).toContain('GITHUB_TOKEN Permissions (log line 2)')
    for (const f of out.findings) expect(typeof f.evidence).toBe('string')
    // The keys of contracts §5, then diagnose's two, in that order.
    for (const f of out.findings) {
      const keys = Object.keys(f)
      expect(keys.slice(0, 5)).toEqual(['id', 'severity', 'title', 'message', 'fix'])
      expect(
        keys.every((k) =>
          [
            'id',
            'severity',
            'title',
            'message',
            'fix',
            'file',
            'line',
            'column',
            'image',
            'evidence',
            'candidates',
          ].includes(k),
        ),
      ).toBe(true)
    }
  })

  it('reads the permissions from the log alone, and says which facts decided (text)', async () => {
    const r = await cli(['diagnose', file('alone.log', log)])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('GITHUB_TOKEN Permissions: Contents: read, Metadata: read (line 2)')
    expect(r.stdout).toMatch(/alone\.log:\d+:1: The job's token had Contents: read, Metadata: read/)
    expect(r.stdout).toContain('[packages-permission-missing]')
    expect(r.stdout).toContain(`evidence: ${REFUSAL}`)
    expect(r.stdout).toContain('Decided by: the refusal at log line')
    expect(r.stdout.trim().split('\n').pop()).toBe(
      'cause found in 1 of 1 job log (1 error, 0 warnings, 0 notices)',
    )
  })

  it('reads a log copied from the web UI: line numbers, colours and "Error:" for ##[error]', async () => {
    const ui = [
      "1 Current runner version: '2.331.0'",
      '2 GITHUB_TOKEN Permissions',
      '3   Contents: read',
      '4   Metadata: read',
      '5   Packages: read',
      '6 Secret source: None',
      '7 \u001b[36;1mdocker push ghcr.io/acme/app:pr-7\u001b[0m',
      '8 The push refers to repository [ghcr.io/acme/app]',
      '9 denied: installation not allowed to Write organization package',
      '10 Error: Process completed with exit code 1.',
    ].join('\n')
    const r = await cli(['diagnose', file('ui.txt', ui), '--format', 'json'])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as Json
    expect(out.findings[0]).toMatchObject({
      id: 'fork-pull-request',
      severity: 'error',
      evidence: 'denied: installation not allowed to Write organization package',
    })
    expect(String(out.findings[0]!.message)).toContain('Secret source: None')
  })

  it('lists the candidates when the line alone cannot tell causes apart', async () => {
    const r = await cli(['diagnose', '-', '--format', 'json'], {
      stdin:
        'unexpected status from POST request to https://ghcr.io/v2/acme/app/blobs/uploads/: 403 Forbidden\n',
    })
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as Json
    const lead = out.findings[0]!
    expect(lead.candidates?.[0]).toBe(lead.id)
    expect(lead.candidates).toEqual(
      expect.arrayContaining(['packages-permission-undeclared', 'package-not-linked']),
    )
  })

  it('reads standard input when nothing is named and input is piped', async () => {
    const r = await cli(['diagnose', '--format', 'json'], { stdin: log })
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as Json).findings[0]!.id).toBe('packages-permission-missing')
  })

  it('exits 0 when the log shows no registry failure', async () => {
    const clean = runnerLog([
      ...SETUP(['Contents: read', 'Packages: write']),
      ...CHECKOUT,
      ...LOGIN,
      '#9 pushing layers done',
      'Process completed',
    ])
    const r = await cli(['diagnose', file('clean.log', clean)])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('no registry refusal in this log')
    const json = await cli(['diagnose', file('clean2.log', clean), '--format', 'json'])
    expect(JSON.parse(json.stdout)).toEqual({ findings: [] })
  })

  it('splits `gh run view --log` output into its jobs', async () => {
    const gh = [
      ...['Set up job\tCurrent runner version', 'Set up job\tSecret source: Actions'].map(
        (l) => `build\t${l.split('\t')[0]}\t${stamp(1)} ${l.split('\t')[1]}`,
      ),
      `build\tPush\t${stamp(2)} ${REFUSAL}`,
      `lint\tSet up job\t${stamp(3)} Current runner version: '2.331.0'`,
      `lint\tRun\t${stamp(4)} all good`,
    ].join('\n')
    const r = await cli(['diagnose', file('gh.log', gh)])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('== build')
    expect(r.stdout).toContain('== lint\nno registry refusal in this log')
    expect(r.stdout).toContain('cause found in 1 of 2 job logs')
  })

  it('writes valid SARIF with the evidence in the message', async () => {
    const r = await cli([
      'diagnose',
      file('s.log', log),
      '--workflow',
      file('s.yml', WORKFLOW),
      '--format',
      'sarif',
    ])
    expect(r.code).toBe(1)
    const sarif = JSON.parse(r.stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; message: { text: string } }> }>
    }
    const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
      addFormatsModule) as (a: Ajv) => Ajv
    const {
      $schema: _s,
      id,
      ...body
    } = JSON.parse(
      readFileSync(
        join(
          process.cwd(),
          'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
        ),
        'utf8',
      ),
    ) as Record<string, unknown>
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false })
    addFormats(ajv)
    const validate = ajv.compile({ $id: id as string, ...body })
    expect(validate(sarif)).toBe(true)
    expect(sarif.runs[0]!.results[0]!.message.text).toContain(`Log: ${REFUSAL}`)
  })
})

describe('diagnose: the run log archive', () => {
  it('reads every job of the .zip GitHub serves', async () => {
    const zip = makeZip([
      {
        name: '0_build.txt',
        data: runnerLog([...SETUP(['Contents: read', 'Metadata: read']), ...CHECKOUT, ...PUSH]),
      },
      { name: '1_lint.txt', data: runnerLog(SETUP(['Contents: read'])), method: 0 },
      { name: 'build/1_Set up job.txt', data: 'step file' },
    ])
    const r = await cli(['diagnose', file('logs_4242.zip', zip), '--format', 'json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as Json
    expect(out.findings.map((f) => f.id)).toContain('packages-permission-missing')
  })

  it('finds each job of the archive in the workflow file by its name', async () => {
    const twoJobs = `name: ci
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo lint
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - run: docker buildx build --push --tag ghcr.io/acme/app:1.0 .
`
    const zip = makeZip([
      {
        name: '0_build.txt',
        data: runnerLog([...SETUP(['Contents: read', 'Metadata: read']), ...PUSH]),
      },
    ])
    const r = await cli([
      'diagnose',
      file('jobs.zip', zip),
      '--workflow',
      file('ci.yml', twoJobs),
      '--format',
      'json',
    ])
    expect(r.code).toBe(1)
    const lead = (JSON.parse(r.stdout) as Json).findings[0]!
    expect(lead).toMatchObject({ id: 'packages-permission-missing', file: 'ci.yml', line: 11 })
  })

  it('joins the step files when the archive has no whole-job files', async () => {
    const zip = makeZip([
      {
        name: 'build/1_Set up job.txt',
        data: runnerLog(SETUP(['Contents: read', 'Metadata: read'])),
      },
      { name: 'build/3_Push.txt', data: runnerLog(PUSH) },
    ])
    const r = await cli(['diagnose', file('steps.zip', zip)])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('[packages-permission-missing]')
  })

  it.each([
    [
      'a zip bomb (an entry far larger than it declares)',
      makeZip([
        { name: '0_build.txt', data: Buffer.alloc(8 * 1024 * 1024, 'A'), declaredSize: 1000 },
      ]),
      /does not decompress to its declared size/,
    ],
    [
      'an entry declaring more than is read',
      makeZip([{ name: '0_build.txt', data: 'x', declaredSize: 0x7fffffff }]),
      /over the \d+ read/,
    ],
    [
      'a truncated archive',
      makeZip([{ name: '0_build.txt', data: randomBytes(20_000).toString('hex') }]).subarray(
        0,
        2000,
      ),
      /no central directory|corrupt|truncated/,
    ],
    ['an archive without logs', makeZip([{ name: 'readme.md', data: 'hi' }]), /holds no job logs/],
  ])('refuses %s with one clear line', async (_name, zip, message) => {
    const r = await cli(['diagnose', file(`bad-${Math.random().toString(36).slice(2)}.zip`, zip)])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('diagnose: bad input and usage', () => {
  it.each([
    ['a binary file', ['diagnose', 'BIN'], /holds binary data/],
    ['a gzip file', ['diagnose', 'GZ'], /gzip-compressed/],
    ['a missing file', ['diagnose', 'nope.log'], /file not found: nope\.log/],
    ['a folder', ['diagnose', '.'], /is a folder/],
    ['an empty file', ['diagnose', 'EMPTY'], /is empty/],
    [
      'a log and --run together',
      ['diagnose', 'x.log', '--run', 'https://github.com/a/b/actions/runs/1'],
      /either a log/,
    ],
    [
      'a token on the command line',
      ['diagnose', '--run', 'https://github.com/a/b/actions/runs/1', '--token', 'ghp_x'],
      /never shows in the process list/,
    ],
    [
      '--run without a token',
      ['diagnose', '--run', 'https://github.com/a/b/actions/runs/1'],
      /GH_TOKEN or GITHUB_TOKEN/,
    ],
    [
      '--run with a URL that is not a run',
      ['diagnose', '--run', 'https://github.com/a/b/pull/1'],
      /run or job URL/,
    ],
    ['an unknown format', ['diagnose', 'x.log', '--format', 'xml'], /unknown format "xml"/],
    [
      'a missing workflow file',
      ['diagnose', 'x.log', '--workflow', 'no.yml'],
      /workflow file not found/,
    ],
  ])('%s → exit 2 and one line', async (_name, args, message) => {
    file('BIN', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]))
    file('GZ', gzipSync('log'))
    file('EMPTY', '')
    file('x.log', REFUSAL)
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).toMatch(/^ghcr-preflight diagnose: /)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stderr).not.toContain('ghp_x')
  })

  it('refuses a file over the size limit before reading it', async () => {
    const big = join(dir, 'big.log')
    const fd = openSync(big, 'w')
    ftruncateSync(fd, 65 * 1024 * 1024)
    closeSync(fd)
    const r = await cli(['diagnose', big])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/over the 64 MiB read/)
  })

  it('prints its own help', async () => {
    const r = await cli(['diagnose', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('usage: ghcr-preflight diagnose [FILE|-]')
    const top = await cli(['--help'])
    expect(top.stdout).toContain('ghcr-preflight diagnose [FILE|-]')
  })
})
