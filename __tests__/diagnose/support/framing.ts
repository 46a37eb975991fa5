// Job logs for the real-failure corpus (corpus/failures/*.yml), written the way the runner and
// each client print them: the "Set up job" section, checkout, login and push steps, and the
// client's own framing around the refusal the thread quoted. Built from a case's `quote`,
// `printed`, `client`, `step` and `facts` only; never from its `cause` or `established` text, so
// the test cannot be answered from the label.
//
// What each fact shows in a real log:
// - permissions → the "GITHUB_TOKEN Permissions" group: `write` → Packages: write; `none` → a
//   block without packages (no Packages line); `read` → Packages: read; `undeclared` → the
//   repository's default, read-only here (the refusal shows the token could not write). Unknown →
//   no group (runners before 2.285 printed none).
// - a fork pull request → "Secret source: None" and read-only scopes; Dependabot → "Secret source:
//   Dependabot"; else "Secret source: Actions".
// - repository → actions/checkout's "Syncing repository" and its remote URL; event and actor →
//   docker/metadata-action's "Context info".
// - credential → the login step (an App token step first for `app`; none for `none`). A secret's
//   value is masked (***) whatever it is, so a classic PAT looks like the run's token here.
// - image → the push command and the client's lines that name it; unknown → `$IMAGE`.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

export interface CorpusFacts {
  repository?: string
  image?: string
  namespace?: 'user' | 'org'
  package?: 'exists' | 'new'
  credential?: string
  credential_state?: string
  permissions?: 'write' | 'read' | 'none' | 'undeclared'
  event?: string
  fork?: boolean
  actor?: string
}

export interface CorpusCase {
  file: string
  quote: string
  printed?: string
  status?: number
  step: string
  client: string
  /** The established cause: only the test's expectation reads it. */
  cause: string
  facts: CorpusFacts
}

export function loadCorpus(dir = join(process.cwd(), 'corpus', 'failures')): CorpusCase[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}-.*\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const d = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>
      return {
        file,
        quote: String(d.quote),
        ...(d.printed ? { printed: String(d.printed) } : {}),
        ...(typeof d.status === 'number' ? { status: d.status } : {}),
        step: String(d.step),
        client: String(d.client),
        cause: String(d.cause),
        facts: (d.facts ?? {}) as CorpusFacts,
      }
    })
}

/** Everything a framing may read: the case without its label. */
type Evidence = Omit<CorpusCase, 'cause'>

function evidence(c: CorpusCase): Evidence {
  const { cause: _cause, ...rest } = c
  return rest
}

class Log {
  private lines: string[] = []
  private t = Date.UTC(2026, 0, 11, 21, 51, 33)
  add(...texts: string[]): this {
    for (const text of texts) {
      this.t += 137
      const stamp = new Date(this.t).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z')
      this.lines.push(`${stamp} ${text}`)
    }
    return this
  }
  group(title: string, body: string[] = []): this {
    return this.add(`##[group]${title}`, ...body, '##[endgroup]')
  }
  text(): string {
    return this.lines.join('\n') + '\n'
  }
}

const isPullRequest = (event?: string) => !!event && /^pull_request/.test(event)

/** The whole job log of a case, as the web UI's "Download log" gives it. */
export function jobLog(raw: CorpusCase): string {
  const c = evidence(raw)
  const f = c.facts
  const log = new Log()
  const fork = f.fork === true
  const dependabot = f.actor === 'dependabot[bot]'
  log.add("Current runner version: '2.331.0'")
  log.group('Runner Image', ['Image: ubuntu-24.04', 'Version: 20260105.202.1'])
  const scopes = permissionLines(f, fork || dependabot)
  if (scopes) log.group('GITHUB_TOKEN Permissions', scopes)
  log.add(`Secret source: ${fork ? 'None' : dependabot ? 'Dependabot' : 'Actions'}`)
  log.add(
    'Prepare workflow directory',
    'Prepare all required actions',
    'Getting action download info',
  )
  log.add(
    "Download action repository 'actions/checkout@v4' (SHA:11bd71901bbe5b1630ceea73d27597364c9af683)",
  )
  log.add('Complete job name: build')

  if (c.step === 'login' && c.client !== 'login-action' && /Docker login for/i.test(c.quote)) {
    // The runner logs in itself for a job container on ghcr.io: the job fails before any step.
    log.group('Initialize containers', [
      '##[group]Checking docker version',
      "[command]/usr/bin/docker version --format '{{.Server.APIVersion}}'",
      "'1.45'",
      '##[endgroup]',
      `[command]/usr/bin/docker login ghcr.io -u ${f.actor ?? 'github-actions'} --password-stdin`,
    ])
    log.add(`##[error]${c.printed ?? c.quote}`)
    return log.text()
  }

  if (f.repository) checkout(log, f)
  if (f.event || f.actor) {
    log.group('Run docker/metadata-action@v5', [
      'with:',
      `  images: ${imageName(c) ?? '${{ env.IMAGE }}'}`,
      '  context: workflow',
    ])
    log.group('Context info', [
      `eventName: ${f.event ?? 'push'}`,
      'sha: 4f0e2a1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3',
      `ref: ${isPullRequest(f.event) ? 'refs/pull/42/merge' : 'refs/heads/main'}`,
      'workflow: publish',
      'action: meta',
      `actor: ${f.actor ?? f.repository?.split('/')[0] ?? 'octocat'}`,
      'runNumber: 17',
      'runId: 12812812812',
    ])
  }
  if (c.step === 'client') {
    pushStep(log, c)
    return log.text()
  }
  login(log, c)
  if (c.step !== 'login') pushStep(log, c)
  return log.text()
}

function permissionLines(f: CorpusFacts, readOnly: boolean): string[] | undefined {
  if (readOnly) return ['Contents: read', 'Metadata: read', 'Packages: read']
  switch (f.permissions) {
    case 'write':
      return ['Contents: read', 'Metadata: read', 'Packages: write']
    case 'read':
      return ['Contents: read', 'Metadata: read', 'Packages: read']
    case 'none':
      return ['Contents: read', 'Metadata: read']
    case 'undeclared':
      return ['Contents: read', 'Metadata: read', 'Packages: read']
    default:
      return undefined
  }
}

function checkout(log: Log, f: CorpusFacts): void {
  const repo = f.repository!
  log.group('Run actions/checkout@v4', [
    'with:',
    `  repository: ${repo}`,
    '  token: ***',
    '  fetch-depth: 1',
  ])
  log.add(`Syncing repository: ${repo}`)
  log.group('Getting Git version info', [
    "Working directory is '/home/runner/work/app/app'",
    '[command]/usr/bin/git version',
    'git version 2.52.0',
  ])
  log.add(`[command]/usr/bin/git remote add origin https://github.com/${repo}`)
  if (isPullRequest(f.event)) {
    log.add(
      '[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 origin +4f0e2a1c9d8b7a6f5e4d3c2b1a09f8e7d6c5b4a3:refs/remotes/pull/42/merge',
    )
  }
}

function login(log: Log, c: Evidence): void {
  const f = c.facts
  if (f.credential === 'none') return
  if (f.credential === 'app') {
    log.group('Run actions/create-github-app-token@v2', [
      'with:',
      '  app-id: ***',
      '  private-key: ***',
    ])
    log.add('::add-mask::***')
  }
  const user = f.actor ?? f.repository?.split('/')[0] ?? 'octocat'
  if (
    c.client === 'podman' ||
    c.client === 'buildah' ||
    c.client === 'helm' ||
    c.client === 'oras'
  ) {
    const cmd = c.client === 'helm' ? 'helm registry login' : `${c.client} login`
    log.group(`Run echo "***" | ${cmd} ghcr.io -u ${user} --password-stdin`, [
      'shell: /usr/bin/bash -e {0}',
    ])
    if (c.step === 'login') return refusal(log, c)
    log.add('Login Succeeded!')
    return
  }
  log.group('Run docker/login-action@v3', [
    'with:',
    '  registry: ghcr.io',
    `  username: ${user}`,
    '  password: ***',
    '  ecr: auto',
    '  logout: true',
  ])
  log.add('Logging into ghcr.io...')
  if (c.step === 'login') {
    // login-action's own input checks never reach the daemon: printed as they are.
    const own = /required|not supplied|non TTY/i.test(c.quote) ? c.quote : undefined
    const line =
      c.printed ?? own ?? `Error response from daemon: Get "https://ghcr.io/v2/": ${c.quote}`
    log.add(`##[error]${line.replace(/^##\[error\]/, '')}`)
    return
  }
  log.add('Login Succeeded!')
}

function imageName(c: Evidence): string | undefined {
  if (c.facts.image) return c.facts.image
  const m = /(?:failed to push|invalid tag ") ?"?([\w.-]+\.[\w.-]+\/[^\s":]+)/.exec(
    c.printed ?? c.quote,
  )
  return m?.[1]
}

function pushStep(log: Log, c: Evidence): void {
  const name = imageName(c)
  const image = name
    ? /:[\w.-]+$/.test(name.split('/').pop()!)
      ? name
      : `${name}:latest`
    : '$IMAGE'
  switch (c.client) {
    case 'build-push-action': {
      log.group('Run docker/build-push-action@v6', [
        'with:',
        '  context: .',
        '  push: true',
        `  tags: ${image === '$IMAGE' ? '${{ steps.meta.outputs.tags }}' : image}`,
      ])
      log.add(
        '#12 [internal] load build definition from Dockerfile',
        '#12 DONE 0.0s',
        '#15 exporting to image',
        '#15 exporting layers 1.9s done',
      )
      log.add(`#15 ERROR: ${strip(c.quote)}`, '------', ' > exporting to image:', '------')
      const last = c.printed ?? `buildx failed with: ERROR: failed to solve: ${strip(c.quote)}`
      log.add(`##[error]${last.replace(/^Error: /, '')}`)
      return
    }
    case 'buildx': {
      log.group(`Run docker buildx build --push --tag ${image} .`, ['shell: /usr/bin/bash -e {0}'])
      log.add(
        '#1 [internal] load build definition from Dockerfile',
        '#9 exporting to image',
        '#9 pushing layers',
      )
      log.add(c.printed ?? `ERROR: failed to solve: ${strip(c.quote)}`)
      log.add('##[error]Process completed with exit code 1.')
      return
    }
    case 'docker':
    case 'login-action': {
      log.group(`Run docker push ${image}`, ['shell: /usr/bin/bash -e {0}'])
      if (image !== '$IMAGE')
        log.add(`The push refers to repository [${image.replace(/:[^/:]+$/, '')}]`)
      log.add('5f70bf18a086: Preparing', 'a0c2a0f3e1b2: Preparing')
      log.add(c.printed ?? c.quote)
      log.add('##[error]Process completed with exit code 1.')
      return
    }
    case 'podman':
    case 'buildah': {
      log.group(`Run ${c.client} push ${image}`, ['shell: /usr/bin/bash -e {0}'])
      log.add(
        'Getting image source signatures',
        'Copying blob sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
      )
      refusal(log, c)
      log.add('##[error]Process completed with exit code 125.')
      return
    }
    case 'skopeo': {
      log.group(`Run skopeo copy docker-archive:image.tar docker://${image}`, [
        'shell: /usr/bin/bash -e {0}',
      ])
      log.add('Getting image source signatures')
      log.add(
        `time="2026-01-11T21:52:10Z" level=fatal msg="copying system image from manifest list: writing blob: ${strip(c.quote)}"`,
      )
      log.add('##[error]Process completed with exit code 1.')
      return
    }
    case 'helm':
    case 'oras': {
      const cmd =
        c.client === 'helm'
          ? `helm push chart-1.0.0.tgz oci://${image.replace(/:[^/:]+$/, '')}`
          : `oras push ${image} artifact.tar`
      log.group(`Run ${cmd}`, ['shell: /usr/bin/bash -e {0}'])
      log.add(c.printed ?? `Error: ${strip(c.quote)}`)
      log.add('##[error]Process completed with exit code 1.')
      return
    }
    case 'goreleaser': {
      log.group('Run goreleaser/goreleaser-action@v6', ['with:', '  args: release --clean'])
      log.add('  • starting release...', '  • publishing')
      log.add(
        c.printed ??
          `  ⨯ release failed after 2m14s  error=docker images: failed to publish artifacts: failed to push ${image} after 0 tries: exit status 1: ${strip(c.quote)}`,
      )
      log.add(
        "##[error]The process '/opt/hostedtoolcache/goreleaser-action/2.5.0/x64/goreleaser' failed with exit code 1",
      )
      return
    }
    default: {
      log.group('Run ./scripts/publish.sh', ['shell: /usr/bin/bash -e {0}'])
      log.add(c.printed ?? c.quote)
      log.add('##[error]Process completed with exit code 1.')
    }
  }
}

function refusal(log: Log, c: Evidence): void {
  const text = c.printed ?? c.quote
  log.add(/^Error:/.test(text) ? text : `Error: ${text}`)
}

/** A quote that already starts with the client's "ERROR: "/"Error: " is printed without it. */
function strip(quote: string): string {
  return quote.replace(/^(?:ERROR|Error|error):\s*/, '')
}

/** The line alone, as a user pastes it: the printed line when the thread shows it. */
export function errorLine(raw: CorpusCase): string {
  const c = evidence(raw)
  return `${c.printed ?? c.quote}\n`
}

/**
 * The workflow file the facts pin down, for `--workflow`: only when the thread shows the job's
 * permissions (a file without them would assert "undeclared").
 */
export function workflowFile(raw: CorpusCase): string | undefined {
  const c = evidence(raw)
  const f = c.facts
  // Without the credential too, the login step would be a guess.
  if (!f.permissions || !f.credential) return undefined
  const on = f.event ?? 'push'
  const block =
    f.permissions === 'write'
      ? ['    permissions:', '      contents: read', '      packages: write']
      : f.permissions === 'read'
        ? ['    permissions:', '      contents: read', '      packages: read']
        : f.permissions === 'none'
          ? ['    permissions:', '      contents: read']
          : []
  const name = imageName(c) ?? 'ghcr.io/${{ github.repository }}'
  const steps = ['      - uses: actions/checkout@v4']
  if (f.credential === 'app') {
    steps.push(
      '      - id: app-token',
      '        uses: actions/create-github-app-token@v2',
      '        with:',
      '          app-id: ${{ vars.APP_ID }}',
      '          private-key: ${{ secrets.APP_KEY }}',
    )
  }
  if (f.credential !== 'none') {
    const password =
      f.credential === 'app'
        ? '${{ steps.app-token.outputs.token }}'
        : f.credential === 'classic' || f.credential === 'oauth' || f.credential === 'fine-grained'
          ? '${{ secrets.CR_PAT }}'
          : '${{ secrets.GITHUB_TOKEN }}'
    steps.push(
      '      - uses: docker/login-action@v3',
      '        with:',
      '          registry: ghcr.io',
      '          username: ${{ github.actor }}',
      `          password: ${password}`,
    )
  }
  steps.push(
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          push: true',
    `          tags: ${name}`,
  )
  return (
    [
      'name: publish',
      `on: ${on}`,
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      ...block,
      '    steps:',
      ...steps,
    ].join('\n') + '\n'
  )
}
