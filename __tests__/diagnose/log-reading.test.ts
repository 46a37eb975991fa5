// The pure parts of diagnose: cleaning log lines, reading a refusal out of any client's line
// (and not out of lines that only look like one), the facts around it, and the causes it fits.

import { describe, expect, it } from '@jest/globals'
import { readLogFacts } from '../../src/diagnose/log-facts.js'
import { readWorkflowSide } from '../../src/diagnose/workflow-side.js'
import { readLogLines } from '../../src/diagnose/log-lines.js'
import { diagnoseLog } from '../../src/diagnose/judge-log.js'
import { readZip, ZipError } from '../../src/diagnose/zip.js'
import { rankCauses } from '../../src/registry/refusal-causes.js'
import { parseRefusalLine, toProbeOutcome } from '../../src/registry/refusal-text.js'
import { makeZip } from './support/zip.js'

describe('readLogLines', () => {
  it('drops timestamps, colours and markers, keeping line numbers and the step', () => {
    const lines = readLogLines(
      '\uFEFF2026-01-02T03:04:05.1234567Z ##[group]Run docker push ghcr.io/a/b\r\n' +
        '2026-01-02T03:04:05.2Z \u001b[31mdenied: x\u001b[0m\n' +
        '##[error]boom\n',
    )
    expect(lines.map((l) => [l.n, l.text, l.marker ?? '', l.step ?? ''])).toEqual([
      [1, 'Run docker push ghcr.io/a/b', 'group', 'docker push ghcr.io/a/b'],
      [2, 'denied: x', '', 'docker push ghcr.io/a/b'],
      [3, 'boom', 'error', 'docker push ghcr.io/a/b'],
    ])
  })

  it('masks a token the runner did not know was one', () => {
    const [line] = readLogLines(
      'echo ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 | docker login ghcr.io -u x --password-stdin',
    )
    expect(line!.text).toBe('echo *** | docker login ghcr.io -u x --password-stdin')
  })

  it('keeps a long line bounded', () => {
    const [line] = readLogLines('x'.repeat(100_000))
    expect(line!.text.length).toBeLessThanOrEqual(4000)
  })
})

describe('parseRefusalLine', () => {
  it.each([
    [
      'buildx',
      'ERROR: failed to push ghcr.io/o/i:1: denied: installation not allowed to Write organization package',
      {
        step: 'upload',
        status: 403,
        code: 'DENIED',
        message: 'installation not allowed to Write organization package',
        reference: 'ghcr.io/o/i:1',
      },
    ],
    [
      'crane',
      'Error: POST https://ghcr.io/v2/o/i/blobs/uploads/: DENIED: permission_denied: write_package',
      {
        code: 'DENIED',
        message: 'permission_denied: write_package',
        reference: 'ghcr.io/o/i',
        host: 'ghcr.io',
      },
    ],
    [
      'helm',
      'Error: failed to perform "Push" on destination: POST "https://ghcr.io/v2/o/charts/c/blobs/uploads/": response status code 403: denied: permission_denied: write_package',
      { status: 403, message: 'permission_denied: write_package', reference: 'ghcr.io/o/charts/c' },
    ],
    [
      'podman token',
      'Error: writing blob: Requesting bearer token: invalid status code from registry 403 (Forbidden)',
      { step: 'token', status: 403 },
    ],
    [
      'podman read',
      'Error: trying to reuse blob sha256:ab at destination: failed to read from destination repository o/i: 403 (Forbidden)',
      { step: 'read', status: 403, reference: 'o/i' },
    ],
    [
      'buildkit HEAD',
      'unexpected status from HEAD request to https://ghcr.io/v2/o/i/blobs/sha256:ab: 403 Forbidden',
      { step: 'read', status: 403 },
    ],
    [
      'login-action',
      'Error: Error response from daemon: Get "https://ghcr.io/v2/": denied: denied',
      { step: 'login', code: 'DENIED', message: 'denied', host: 'ghcr.io' },
    ],
    [
      'the runner',
      "Docker login for 'ghcr.io' failed with exit code 1",
      { step: 'login', host: 'ghcr.io' },
    ],
    [
      'manifest',
      'failed to put manifest ghcr.io/o/i:t: unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
      { step: 'manifest', status: 401, code: 'UNAUTHORIZED' },
    ],
    ['a bare status', '403 Forbidden', { status: 403 }],
  ])('%s', (_name, line, want) => {
    expect(parseRefusalLine(line)).toMatchObject({ source: 'registry', ...want })
  })

  it('reads the client refusing a name before sending anything', () => {
    expect(
      parseRefusalLine('ERROR: invalid tag "ghcr.io/A/b:1": repository name must be lowercase'),
    ).toMatchObject({
      source: 'client',
      reference: 'ghcr.io/A/b:1',
    })
  })

  it.each([
    'Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
    "cp: cannot create regular file '/x': Permission denied",
    'HttpError: Resource not accessible by integration',
    'Error: Process completed with exit code 1.',
    'fatal: Authentication failed for https://github.com/o/r',
    '#12 pushing layers 0.3s done',
  ])('is not fooled by %s', (line) => {
    expect(parseRefusalLine(line)).toBeUndefined()
  })

  it('turns a refused login into a refused credential, a 5xx into nothing proven', () => {
    expect(
      toProbeOutcome(parseRefusalLine('Get "https://ghcr.io/v2/": denied: denied')!).verdict,
    ).toBe('unauthorized')
    expect(
      toProbeOutcome(parseRefusalLine('failed to push ghcr.io/a/b: 503 Service Unavailable')!)
        .verdict,
    ).toBe('inconclusive')
    expect(
      toProbeOutcome(parseRefusalLine('denied: permission_denied: write_package')!),
    ).toMatchObject({
      verdict: 'denied',
      step: 'upload',
      message: 'permission_denied: write_package',
    })
  })
})

describe('rankCauses', () => {
  const write = parseRefusalLine('denied: installation not allowed to Write organization package')!
  it('lists every cause the words allow, and lets facts reorder and narrow them', () => {
    expect(rankCauses(write, {})).toEqual([
      'packages-permission-undeclared',
      'packages-permission-missing',
      'fork-pull-request',
      'dependabot-run',
      'package-not-linked',
      'fallback-token-app-token',
    ])
    expect(
      rankCauses(write, { packages: 'write', untrusted: 'none', credential: 'github-token' }),
    ).toEqual(['package-not-linked'])
    expect(rankCauses(write, { untrusted: 'fork-pull-request' })[0]).toBe('fork-pull-request')
  })

  it('puts package access first for a refused read, the permission first for a refused upload', () => {
    const head = parseRefusalLine(
      'HEAD request to https://ghcr.io/v2/o/i/blobs/sha256:ab: 403 Forbidden',
    )!
    const post = parseRefusalLine(
      'unexpected status from POST request to https://ghcr.io/v2/o/i/blobs/uploads/: 403 Forbidden',
    )!
    expect(rankCauses(head, {})[0]).toBe('package-not-linked')
    expect(rankCauses(post, {})[0]).toBe('packages-permission-undeclared')
  })
})

describe('readLogFacts', () => {
  it('reads the Set up job facts, the login and the refusal printed three times as one', () => {
    const facts = readLogFacts(
      readLogLines(
        [
          '##[group]GITHUB_TOKEN Permissions',
          'Contents: read',
          'Packages: read',
          '##[endgroup]',
          'Secret source: Dependabot',
          '##[group]Run docker/login-action@v3',
          'with:',
          '  registry: ghcr.io',
          '##[endgroup]',
          'Login Succeeded!',
          '#9 ERROR: denied: installation not allowed to Write organization package',
          'ERROR: failed to solve: failed to push ghcr.io/o/i:1: denied: installation not allowed to Write organization package',
          '##[error]buildx failed with: ERROR: failed to solve: failed to push ghcr.io/o/i:1: denied: installation not allowed to Write organization package',
        ].join('\n'),
      ),
    )
    expect([...facts.permissions!.scopes]).toEqual([
      ['Contents', 'read'],
      ['Packages', 'read'],
    ])
    expect(facts.secretSource?.value).toBe('Dependabot')
    expect(facts.logins).toMatchObject([{ registry: 'ghcr.io', succeeded: true }])
    expect(facts.refusals).toHaveLength(1)
    expect(facts.refusals[0]!.lines).toHaveLength(3)
    expect(facts.refusals[0]!.refusal.reference).toBe('ghcr.io/o/i:1')
  })
})

describe('diagnoseLog', () => {
  const diagnose = (text: string) => diagnoseLog({ log: readLogFacts(readLogLines(text)) })

  it('a job without a login whose push is unauthenticated: registry-login-missing', () => {
    const d = diagnose(
      [
        "Current runner version: '2.331.0'",
        'Secret source: Actions',
        'Syncing repository: acme/app',
        '##[group]Run docker push ghcr.io/acme/app:1',
        '##[endgroup]',
        'unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
      ].join('\n'),
    )
    expect(d.findings[0]).toMatchObject({ id: 'registry-login-missing', severity: 'error' })
  })

  it('a refused login: the password was a secret, and it is not valid', () => {
    const d = diagnose('Error response from daemon: Get "https://ghcr.io/v2/": denied: denied')
    expect(d.findings[0]!.id).toBe('fallback-token-invalid')
    expect(d.findings[0]!.message).toContain('the token the job logged in with')
  })

  it('a GHES run pushing to ghcr.io: registry-host-mismatch', () => {
    const d = diagnose(
      [
        '[command]/usr/bin/git remote add origin https://ghe.example.com/team/api',
        'Syncing repository: team/api',
        'ERROR: failed to push ghcr.io/team/api:1: unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
      ].join('\n'),
    )
    expect(d.findings.map((f) => f.id)).toContain('registry-host-mismatch')
    expect(d.findings[0]!.id).toBe('registry-host-mismatch')
  })

  it('a clean log: no findings', () => {
    expect(diagnose('all good\n#12 pushing layers done')).toEqual(
      expect.objectContaining({ clean: true, findings: [] }),
    )
  })
})

describe('readZip', () => {
  it('reads stored and deflated entries and checks their checksums', () => {
    const zip = makeZip([
      { name: 'a.txt', data: 'hello' },
      { name: 'b.txt', data: 'world', method: 0 },
    ])
    expect(readZip(zip).map((e) => [e.name, e.data.toString()])).toEqual([
      ['a.txt', 'hello'],
      ['b.txt', 'world'],
    ])
    const corrupt = Buffer.from(zip)
    corrupt[32 + 'a.txt'.length] ^= 0xff
    expect(() => readZip(corrupt)).toThrow(ZipError)
  })

  it('refuses more entries than it reads', () => {
    const zip = makeZip(Array.from({ length: 5 }, (_, i) => ({ name: `${i}.txt`, data: 'x' })))
    expect(() =>
      readZip(zip, () => true, { maxEntries: 3, maxEntryBytes: 10, maxTotalBytes: 100 }),
    ).toThrow(/lists 5 files/)
  })
})

describe('readWorkflowSide: how the job logs in', () => {
  const place = { serverUrl: 'https://github.com', repository: 'acme/app', registry: 'ghcr.io' }
  const wf = (login: string) => `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: { contents: read, packages: write }
    steps:
      - id: app
        uses: actions/create-github-app-token@v2
        with: { app-id: '1', private-key: x }
${login}
      - uses: docker/build-push-action@v6
        with: { push: true, tags: ghcr.io/acme/app:1 }
`
  it.each([
    [
      'the run token',
      '      - uses: docker/login-action@v3\n        with: { registry: ghcr.io, username: u, password: "${{ secrets.GITHUB_TOKEN }}" }',
      'github-token',
      'actions',
    ],
    [
      'a secret',
      '      - uses: docker/login-action@v3\n        with: { registry: ghcr.io, username: u, password: "${{ secrets.CR_PAT }}" }',
      'fallback-token',
      'unknown',
    ],
    [
      'an App token',
      '      - uses: docker/login-action@v3\n        with: { registry: ghcr.io, username: u, password: "${{ steps.app.outputs.token }}" }',
      'fallback-token',
      'app',
    ],
    [
      'a shell login',
      '      - run: echo "${{ secrets.GHCR_PAT }}" | docker login ghcr.io -u u --password-stdin',
      'fallback-token',
      'unknown',
    ],
    ['no login at all', '      - run: echo no login', 'none', undefined],
  ])('%s', (_name, login, source, kind) => {
    const side = readWorkflowSide({ path: 'w.yml', text: wf(login) }, place)
    expect(side.facts.packages).toBe('write')
    expect(side.credential).toMatchObject({ source, ...(kind ? { kind } : {}) })
  })
})
