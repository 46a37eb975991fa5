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

describe('parseRefusalLine: what stops a push before ghcr.io answers', () => {
  // Phrasings from real reports: keikoproj/instance-manager#215, jenkins-docs/quickstart-tutorials#1850,
  // docker/login-action#6 (corpus 109, 110, 120), and docker login with an empty stdin password.
  it.each([
    'Error: Username and password required',
    '##[error]Password required',
    'Username required',
    '##[error]Input required and not supplied: password',
    'Error: Cannot perform an interactive login from a non TTY device',
    'Must provide --username with --password-stdin',
  ])('an empty login secret: %s', (line) => {
    const text = line.replace(/^##\[error\]/, '')
    expect(parseRefusalLine(text)).toMatchObject({
      source: 'client',
      reason: 'no-credential',
      step: 'login',
    })
  })

  it.each(['sudo: a password is required', 'Password required for user root on host x'])(
    'is not fooled by %s',
    (line) => expect(parseRefusalLine(line)).toBeUndefined(),
  )

  // canonical/authd#1528, neondatabase/neon#11623, apache/spark#38145 (corpus 115-117).
  it('a reusable workflow asking for more packages access than its caller grants', () => {
    expect(
      parseRefusalLine(
        "The workflow is not valid. .github/workflows/pg-clients.yml (Line: 44, Col: 3): Error calling workflow 'o/r/.github/workflows/build.yml@abc'. The nested job 'build-image' is requesting 'packages: write', but is only allowed 'packages: none'.",
      ),
    ).toMatchObject({
      source: 'client',
      reason: 'workflow-permission',
      message:
        "The nested job 'build-image' is requesting 'packages: write', but is only allowed 'packages: none'",
      at: {
        file: '.github/workflows/pg-clients.yml',
        line: 44,
        column: 3,
        callee: 'o/r/.github/workflows/build.yml@abc',
      },
    })
    // A ceiling on other scopes is no registry matter.
    expect(
      parseRefusalLine(
        "The nested job 'image_info' is requesting 'contents: write, pull-requests: write', but is only allowed 'contents: read, pull-requests: none'.",
      ),
    ).toBeUndefined()
  })

  // pennsignals/publish_docker-compose#4 (corpus 119); docker/build-push-action#340's timeout.
  it('a registry host that is a typo of ghcr.io, and only that', () => {
    expect(
      parseRefusalLine('Get "https://ghrc.io/v2/": dial tcp: lookup ghrc.io: no such host'),
    ).toMatchObject({ source: 'client', reason: 'unknown-host', host: 'ghrc.io' })
    expect(
      parseRefusalLine(
        'error: Get https://ghrc.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
      ),
    ).toMatchObject({ reason: 'unknown-host', host: 'ghrc.io' })
    // gcr.io (a real registry) is not a misspelt name; ghcr.io itself unreachable proves nothing.
    expect(parseRefusalLine('dial tcp: lookup gcr.io: no such host')).toBeUndefined()
    const down = parseRefusalLine('dial tcp: lookup ghcr.io on 127.0.0.53:53: no such host')!
    expect(down).toMatchObject({ source: 'registry', unreachable: true, host: 'ghcr.io' })
    expect(toProbeOutcome(down).verdict).toBe('inconclusive')
    expect(rankCauses(down, {})).toEqual(['probe-inconclusive'])
    expect(
      parseRefusalLine(
        'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://pkg-containers.githubusercontent.com/ghcr1/blobs/sha256:ab?se=2026": net/http: TLS handshake timeout',
      ),
    ).toMatchObject({ unreachable: true, host: 'pkg-containers.githubusercontent.com' })
  })

  // plexsystems/konstraint#575 and space-ros/space-ros#292 (corpus 106, 107): Docker Hub's token
  // service refusing a push meant for ghcr.io, also in Go's mangled URL printing.
  it.each([
    'failed to push konstraint:latest: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Alibrary%2Fkonstraint%3Apull%2Cpush&service=registry.docker.io: 401 Unauthorized',
    'Error: failed to SAVE IMAGE: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%!A(MISSING)osrf%!F(MISSING)space-ros%!A(MISSING)pull%!C(MISSING)push&service=registry.docker.io: 401 Unauthorized',
  ])('Docker Hub refusing: %s', (line) => {
    const r = parseRefusalLine(line)!
    expect(r).toMatchObject({ source: 'client', reason: 'other-registry', host: 'docker.io' })
    expect(r.reference).toMatch(/^docker\.io\/(konstraint|osrf\/space-ros)$/)
    expect(rankCauses(r, {})).toEqual(['image-registry-mismatch'])
  })

  // project-copacetic/copacetic#266 (corpus 121): no credentials were sent at all.
  it('an anonymous token request: nothing logged the client in', () => {
    const r = parseRefusalLine(
      '#10 ERROR: failed to push ghcr.io/o/i:v1: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Ao%2Fi%3Apull%2Cpush&service=ghcr.io: 403 Forbidden',
    )!
    expect(r).toMatchObject({ source: 'registry', anonymous: true, step: 'token', status: 403 })
    expect(toProbeOutcome(r).verdict).toBe('unauthorized')
    expect(rankCauses(r, {})).toEqual(['registry-login-missing'])
  })

  // gradbench/gradbench#117 (corpus 124): a path shortened where it was pasted names no image.
  it('an elided path is not an image name', () => {
    const r = parseRefusalLine(
      'unexpected status from POST request to https://ghcr.io/v2/gradbench/.../blobs/uploads/: 403 Forbidden',
    )!
    expect(r.reference).toBeUndefined()
    expect(r.host).toBe('ghcr.io')
  })

  // charmbracelet/catwalk#518 (corpus 108): ghcr.io says it to a client without credentials,
  // Docker Hub to a name it does not let you push (docker/build-push-action#363, corpus 038).
  it('"requested access to the resource is denied" ranks by the host that said it', () => {
    const onGhcr = parseRefusalLine(
      'GET https://ghcr.io/v2/o/i/manifests/1: DENIED: requested access to the resource is denied',
    )!
    const bare = parseRefusalLine('denied: requested access to the resource is denied')!
    expect(rankCauses(onGhcr, {})[0]).toBe('registry-login-missing')
    expect(rankCauses(bare, {})[0]).toBe('image-registry-mismatch')
    expect(rankCauses(bare, {})).toContain('registry-login-missing')
    // containerd's words name no registry: Docker Hub stays among the candidates.
    const containerd = parseRefusalLine(
      'Error: push access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    )!
    expect(rankCauses(containerd, {})).toContain('image-registry-mismatch')
  })
})

describe('parseRefusalLine: clients that word the status their own way', () => {
  it.each([
    // GoogleContainerTools/jib#3250
    [
      'jib, 401',
      'Caused by: com.google.cloud.tools.jib.api.RegistryUnauthorizedException: Unauthorized for ghcr.io/o/app',
      { status: 401, reference: 'ghcr.io/o/app' },
      'unauthorized',
    ],
    [
      'jib, 403',
      '[ERROR] Failed to execute goal com.google.cloud.tools:jib-maven-plugin:3.4.0:build (default-cli) on project app: Build image failed, perhaps you should make sure you have permissions for ghcr.io/o/app and set correct credentials. See https://github.com/GoogleContainerTools/jib/blob/master/docs/faq.md for help',
      { status: 403, reference: 'ghcr.io/o/app' },
      'denied',
    ],
    // sonatype/nexus-public#270 (the .NET SDK's CONTAINER1001 wording)
    [
      '.NET SDK',
      "error CONTAINER1013: Failed to push to the output registry: CONTAINER1001: Failed to upload blob using POST https://ghcr.io/v2/o/app/blobs/uploads/; received status code 'Forbidden'.",
      { status: 403, reference: 'ghcr.io/o/app' },
      'denied',
    ],
    // helm/helm#12121, fluxcd/flux2#5326 (containerd's wording, used by helm and flux)
    [
      'containerd',
      'Error: push access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
      { message: expect.stringContaining('push access denied') },
      'denied',
    ],
    // GoogleContainerTools/jib#3250, strausmann/mcp-dockhand#3: the registry's JSON, printed raw
    [
      'raw JSON',
      '[ERROR] {"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      { code: 'UNAUTHORIZED', message: 'authentication required', status: 401 },
      'unauthorized',
    ],
    // redhat-actions/podman-login#5 (containers/image's wording)
    [
      'podman login',
      'Error: logging into "ghcr.io": invalid username/password',
      { step: 'login' },
      'unauthorized',
    ],
  ])('%s', (_name, line, want, verdict) => {
    const r = parseRefusalLine(line)
    expect(r).toMatchObject({ source: 'registry', ...want })
    expect(toProbeOutcome(r!).verdict).toBe(verdict)
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

  it('an empty login secret: the fork when the log shows one, else the missing secret', () => {
    const login = [
      '##[group]Run docker/login-action@v3',
      '##[endgroup]',
      '##[error]Username and password required',
    ]
    const fork = diagnose(['Secret source: None', ...login].join('\n'))
    expect(fork.findings[0]).toMatchObject({ id: 'fork-pull-request', severity: 'error' })
    const push = diagnose(['Secret source: Actions', ...login].join('\n'))
    expect(push.findings[0]).toMatchObject({ id: 'fallback-token-missing', severity: 'error' })
    expect(push.findings[0]!.candidates ?? []).not.toContain('fork-pull-request')
    expect(push.findings[0]!.fix[0]).toContain("the login step's `password:`")
    // The line alone: the missing secret first, the untrusted runs listed.
    const line = diagnose('Error: Username and password required')
    expect(line.clean).toBe(false)
    expect(line.findings[0]).toMatchObject({
      id: 'fallback-token-missing',
      candidates: ['fallback-token-missing', 'fork-pull-request', 'dependabot-run'],
    })
  })

  it('a reusable workflow ceiling: located on the calling job GitHub names', () => {
    const d = diagnose(
      "The workflow is not valid. .github/workflows/ci.yml (Line: 12, Col: 3): Error calling workflow 'o/r/.github/workflows/img.yml@main'. The nested job 'push' is requesting 'packages: write', but is only allowed 'packages: read'.",
    )
    expect(d.findings[0]).toMatchObject({
      id: 'reusable-workflow-permission-ceiling',
      severity: 'error',
      file: '.github/workflows/ci.yml',
      line: 12,
      column: 3,
    })
  })

  it('a push that went to Docker Hub or to a misspelt host: image-registry-mismatch', () => {
    for (const text of [
      'failed to push app:1: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Alibrary%2Fapp%3Apull%2Cpush&service=registry.docker.io: 401 Unauthorized',
      'Get "https://ghrc.io/v2/": dial tcp: lookup ghrc.io: no such host',
    ]) {
      const d = diagnose(text)
      expect(d.findings[0]).toMatchObject({ id: 'image-registry-mismatch', severity: 'error' })
      expect(d.findings.map((f) => f.id)).not.toContain('fallback-token-invalid')
    }
  })

  it('an anonymous token, or ghcr.io denying a job with no login: registry-login-missing', () => {
    expect(
      diagnose(
        'failed to push ghcr.io/o/i:1: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Ao%2Fi%3Apull%2Cpush&service=ghcr.io: 403 Forbidden',
      ).findings[0]!.id,
    ).toBe('registry-login-missing')
    const noLogin = diagnose(
      [
        "Current runner version: '2.331.0'",
        'Secret source: Actions',
        'Syncing repository: acme/app',
        '##[group]Run crane copy ghcr.io/acme/app:1 us-docker.pkg.dev/p/r/app:1',
        '##[endgroup]',
        'Error: GET https://ghcr.io/v2/acme/app/manifests/1: DENIED: requested access to the resource is denied',
      ].join('\n'),
    )
    expect(noLogin.findings[0]!.id).toBe('registry-login-missing')
  })

  // felddy/foundryvtt-docker#358: a connection dropped during the upload.
  it('a registry that could not be reached: nothing proven, and noise beside a real answer', () => {
    const reset =
      'error: failed to copy: failed to do request: Put "https://ghcr.io/v2/o/i/blobs/upload/1d1f?digest=sha256%3Aef": write tcp 172.17.0.2:59548->140.82.114.33:443: write: connection reset by peer'
    const alone = diagnose(reset)
    expect(alone.clean).toBe(false)
    expect(alone.findings[0]).toMatchObject({ id: 'probe-inconclusive', severity: 'warning' })
    const retried = diagnose(
      [
        reset,
        'ERROR: failed to push ghcr.io/o/i:1: denied: installation not allowed to Write organization package',
      ].join('\n'),
    )
    expect(retried.findings.map((f) => f.id)).not.toContain('probe-inconclusive')
    expect(retried.findings[0]!.severity).toBe('error')
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
