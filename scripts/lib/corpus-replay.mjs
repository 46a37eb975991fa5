// Replays the real-failure corpus (corpus/failures/*.yml) through the built bundle: each case
// becomes one run of dist/index.js against the rig, whose registry gives the case's credential the
// real status and message at the real step (world `answers`, rig/world.mjs) and answers everything
// else by the emulator's rules. The workflow file, event payload and inputs are written from the
// case's facts, the way a user would put ghcr-preflight in front of that push.
//
// A case is *found* when the run names the cause the thread established; a *false pass* is
// `ready`/`fallback` for the credential (or the name) that really failed. A case whose facts lack
// what its cause is about (no image for a name problem, no server for a GHES run, …) is reported
// as too thin to build: counted and listed, never silently skipped.

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { runAction, runnerEnv } from './action-process.mjs'

/**
 * @typedef {object} CorpusCase
 * @property {string} file
 * @property {string} url
 * @property {string} quote
 * @property {number} [status]
 * @property {'login'|'token'|'upload'|'manifest'|'pull'|'client'} step
 * @property {string} client
 * @property {string} cause
 * @property {Record<string, any>} facts
 */

/** @param {string} dir @returns {CorpusCase[]} */
export function loadCorpus(dir) {
  return readdirSync(dir)
    .filter((f) => /^\d{3}-.*\.ya?ml$/.test(f))
    .sort()
    .map((file) => ({ file, facts: {}, ...parse(readFileSync(join(dir, file), 'utf8')) }))
}

// ---- what a case's cause needs from its facts ---------------------------------------------

/**
 * The facts a run must carry for the established cause to be in it at all. A case without them
 * cannot be built (the generator would have to read the cause to invent them).
 * @type {Record<string, (f: Record<string, any>) => string | undefined>}
 */
const NEEDS = {
  'image-name-invalid': (f) =>
    f.image ? undefined : 'no image: the invalid name is not in the facts',
  'image-name-uppercase': (f) =>
    f.image ? undefined : 'no image: which name had the capitals is not in the facts',
  'image-registry-mismatch': (f) =>
    f.image ? undefined : 'no image: the wrong registry is not in the facts',
  'registry-host-mismatch': () =>
    'the facts have no field for the GitHub instance (GHES or GHE.com) the run was on',
  'packages-permission-undeclared': (f) =>
    f.permissions ? undefined : 'no permissions fact: the run cannot be written without a guess',
  'packages-permission-missing': (f) =>
    f.permissions ? undefined : 'no permissions fact: the run cannot be written without a guess',
  'fallback-token-invalid': (f) =>
    f.credential && f.credential !== 'github-token'
      ? undefined
      : f.credential_state
        ? undefined
        : 'no credential fact: which token was refused is not in the facts',
  'fallback-token-scopes': (f) =>
    f.credential || f.credential_state ? undefined : 'no credential fact',
  'fallback-token-app-token': (f) =>
    f.credential === 'app' ? undefined : 'no credential: app fact',
  'registry-login-missing': (f) =>
    f.credential === 'none' ? undefined : 'no credential: none fact',
  // Without it the run is a pull request from the same repository, whose token can write: the
  // replay would judge another run than the thread's.
  'fork-pull-request': (f) =>
    f.fork === true
      ? undefined
      : 'no fork fact: the thread does not say the pull request came from a fork',
  // GitHub refuses such a run before any step: nothing of the calling job is in the facts.
  'reusable-workflow-permission-ceiling': () =>
    'the facts have no field for the calling job of a reusable workflow',
}

// ---- the registry's answer, from the quoted line --------------------------------------------

/** Start of a registry message inside a client's line (docker, buildx, podman, oras, helm …). */
const REGISTRY_TEXT =
  /(permission_denied:|unauthenticated:|installation not allowed|not_found:|requested access to the resource|User cannot be authenticated)/i

/**
 * The registry's answer behind a quoted client line: status, errors[0].code, errors[0].message.
 * Docker and buildx print `<code>: <message>` (`denied: permission_denied: write_package`);
 * go-containerregistry prints the code in capitals; podman and older buildx print only the status
 * ("403 (Forbidden)"): a bare refusal, replayed as the code with no message.
 * @param {CorpusCase} c
 * @returns {{ status: number, code?: string, message?: string }}
 */
export function registryAnswerOf(c) {
  const quote = String(c.quote).trim()
  const parsedStatus = /\b(40[013])\b/.exec(quote)
  const codeFor = (/** @type {number} */ s) => (s === 401 ? 'UNAUTHORIZED' : 'DENIED')
  const prefixed = /(?:^|[\s:])(denied|unauthorized|DENIED|UNAUTHORIZED):\s+(.+)$/.exec(quote)
  if (prefixed) {
    const code = prefixed[1].toUpperCase()
    const status = c.status ?? (code === 'UNAUTHORIZED' ? 401 : 403)
    return { status, code, message: prefixed[2].trim() }
  }
  const text = REGISTRY_TEXT.exec(quote)
  const status = c.status ?? (parsedStatus ? Number(parsedStatus[1]) : 403)
  if (text) return { status, code: codeFor(status), message: quote.slice(text.index).trim() }
  return { status, code: codeFor(status) }
}

// ---- the run, written from the facts --------------------------------------------------------

const PREFLIGHT = 'craigedmunds/ghcr-preflight/preflight@v1'
const WORKFLOW_PATH = '.github/workflows/publish.yml'

/** owner/repo from a thread URL. @param {string} url */
function urlRepository(url) {
  const m = /^https:\/\/github\.com\/([^/]+\/[^/]+)\//.exec(url)
  return m ? m[1] : 'octo-org/app'
}

/**
 * The image as the workflow writes it: the run's repository or owner as the expression a user
 * writes (`${{ github.repository }}`, `${{ github.repository_owner }}`) when the name is exactly
 * that, capitals included; otherwise literal.
 * @param {string} image @param {string} repository
 */
function writtenImage(image, repository) {
  const [owner] = repository.split('/')
  const path = image.replace(/^[^/]*\.[^/]*\//, '')
  const host = image.slice(0, image.length - path.length)
  if (path === repository) return `${host}\${{ github.repository }}`
  if (path.startsWith(`${owner}/`))
    return `${host}\${{ github.repository_owner }}${path.slice(owner.length)}`
  return image
}

/**
 * @param {CorpusCase} c
 * @returns {{ thin: string } | { thin?: undefined, run: Run }}
 *
 * @typedef {object} Run
 * @property {string} repository
 * @property {string} actor
 * @property {string} eventName
 * @property {Record<string, unknown>} event
 * @property {Record<string, string>} files
 * @property {Record<string, string>} inputs      values may be "$token" names
 * @property {Record<string, unknown>} github       the rig world's `github:` section
 * @property {'github-token'|'fallback-token'|'none'} role   how the failing credential is passed
 * @property {string} permissions                   what the job's permissions block says
 */
export function buildRun(c) {
  const f = c.facts ?? {}
  const need = NEEDS[c.cause]?.(f)
  if (need) return { thin: need }

  const repository = f.repository ?? urlRepository(c.url)
  const [repoOwner, repoName] = repository.split('/')
  // Without an image fact, the name the run pushed: its repository, lower-cased (a name with
  // capitals would have failed on that instead).
  const image = f.image ?? `ghcr.io/${repository.toLowerCase()}`
  const imagePath = image.replace(/^[^/]*\.[^/]*\//, '')
  const imageOwner = imagePath.split('/')[0] ?? ''
  const sameOwner = imageOwner.toLowerCase() === repoOwner.toLowerCase()
  const namespace = f.namespace ?? 'user'
  const repoOwnerType = sameOwner ? namespace : 'org'

  // Which credential failed, and how a user would hand it to ghcr-preflight.
  const patStates = ['expired', 'revoked', 'no-write-scope', 'not-sso-authorized', 'wrong-secret']
  const credential =
    f.credential ?? (patStates.includes(f.credential_state) ? 'classic' : 'github-token')
  /** @type {Run['role']} */
  const role =
    credential === 'none'
      ? 'none'
      : credential === 'github-token' || credential === 'app'
        ? 'github-token'
        : 'fallback-token'

  // The job's permissions: as the facts say. A thread that does not show them: a job that pushes
  // with the run's token is set up for it (`packages: write`); one that logs in with a PAT or an
  // App token usually has no permissions block (the read-only default).
  const permissions =
    f.permissions ??
    (credential === 'github-token' || credential === 'none' ? 'write' : 'undeclared')
  const grant = { write: 'write', read: 'read', none: 'none', undeclared: 'read' }[permissions]
  const fork = f.fork === true
  const dependabot = /dependabot/i.test(f.actor ?? '')

  /** @type {Record<string, any>} */
  const tokens = {
    // A fork's or Dependabot's token is read-only unless the file raises it (Dependabot only).
    github: {
      kind: 'actions',
      packages: fork || (dependabot && permissions !== 'write') ? 'read' : grant,
    },
  }
  /** @type {Record<string, string>} */
  const inputs = { image }
  let failing = 'github'
  if (credential === 'app') {
    tokens.app = { kind: 'app' }
    inputs['github-token'] = '$app'
    failing = 'app'
  } else if (role === 'fallback-token') {
    const state = f.credential_state ?? 'ok'
    tokens.pat = {
      kind:
        credential === 'fine-grained'
          ? 'fine-grained'
          : credential === 'oauth'
            ? 'oauth'
            : 'classic',
      owner: imageOwner.toLowerCase(),
      scopes:
        state === 'no-write-scope'
          ? ['read:packages', 'repo']
          : ['write:packages', 'read:packages'],
      expired: state === 'expired',
      revoked: state === 'revoked',
      sso_authorized: state !== 'not-sso-authorized',
    }
    // A wrong secret is a value GitHub does not know at all; an empty one is no value.
    inputs['fallback-token'] =
      state === 'wrong-secret' ? 'ghp_' + 'W'.repeat(36) : state === 'empty' ? '' : '$pat'
    failing = 'pat'
  }

  /** @type {Record<string, unknown>[]} */
  const answers = []
  if (role !== 'none' && c.step !== 'client') {
    const step = c.step === 'login' ? 'token' : c.step
    answers.push({ token: failing, step, ...registryAnswerOf(c) })
  }

  /** @type {Record<string, unknown>[]} */
  const packages = []
  const pkgName = imagePath.split('/').slice(1).join('/').toLowerCase()
  if (f.package === 'exists' && pkgName) {
    const linked =
      f.linked_repository === 'none' ? null : (f.linked_repository ?? repository).toLowerCase()
    packages.push({
      owner: imageOwner.toLowerCase(),
      name: pkgName,
      repository: linked,
      visibility: 'private',
      ...(f.actions_access && f.actions_access !== 'none'
        ? { actions_access: { [repository.toLowerCase()]: f.actions_access } }
        : {}),
    })
  }
  const owners = { [repoOwner.toLowerCase()]: repoOwnerType }
  if (!sameOwner && imageOwner) owners[imageOwner.toLowerCase()] = namespace
  const github = {
    owners,
    orgs: Object.fromEntries(
      Object.entries(owners)
        .filter(([, t]) => t === 'org')
        .map(([o]) => [o, { package_creation: !f.org_policy }]),
    ),
    tokens,
    packages,
    answers,
  }

  const eventName = f.event ?? 'push'
  const repoObject = {
    full_name: repository,
    name: repoName,
    owner: { login: repoOwner, type: repoOwnerType === 'org' ? 'Organization' : 'User' },
  }
  /** @type {Record<string, unknown>} */
  const event = { repository: repoObject }
  if (/^pull_request/.test(eventName)) {
    const head = fork ? `${repoName.toLowerCase()}-contributor/${repoName}` : repository
    event.pull_request = {
      number: 1,
      head: { ref: 'feature', repo: { full_name: head, fork } },
      base: { ref: 'main', repo: repoObject },
    }
  } else if (eventName === 'push') {
    event.ref = 'refs/heads/main'
  }

  const files = { [WORKFLOW_PATH]: workflowFile(c, { image, repository, permissions, role }) }
  return {
    run: {
      repository,
      actor: dependabot ? 'dependabot[bot]' : (f.actor ?? repoOwner),
      eventName,
      event,
      files,
      inputs,
      github,
      role,
      permissions,
    },
  }
}

/**
 * The workflow a user of this push would have with ghcr-preflight in front of it: the job's
 * permissions as the facts say, the check-only preflight step, a login with its outputs (none
 * when the real job had no login), and the push as the client made it.
 * @param {CorpusCase} c
 * @param {{ image: string, repository: string, permissions: string, role: string }} o
 */
function workflowFile(c, o) {
  const written = writtenImage(o.image, o.repository)
  const perms =
    o.permissions === 'undeclared'
      ? ''
      : o.permissions === 'write'
        ? '    permissions:\n      contents: read\n      packages: write\n'
        : o.permissions === 'read'
          ? '    permissions:\n      contents: read\n      packages: read\n'
          : '    permissions:\n      contents: read\n'
  const fallback =
    o.role === 'fallback-token' ? '          fallback-token: ${{ secrets.GHCR_TOKEN }}\n' : ''
  const githubToken =
    c.facts?.credential === 'app' ? '          github-token: ${{ steps.app.outputs.token }}\n' : ''
  const app =
    c.facts?.credential === 'app'
      ? '      - id: app\n        uses: actions/create-github-app-token@v2\n        with:\n          app-id: ${{ vars.APP_ID }}\n          private-key: ${{ secrets.APP_KEY }}\n'
      : ''
  const login =
    o.role === 'none'
      ? ''
      : `      - if: steps.ghcr.outputs.can-push == 'true'
        uses: docker/login-action@v3
        with:
          registry: \${{ steps.ghcr.outputs.registry }}
          username: \${{ steps.ghcr.outputs.username }}
          password: \${{ steps.ghcr.outputs.password }}
`
  const tag = `${written}:latest`
  const push =
    c.client === 'build-push-action'
      ? `      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ${tag}
`
      : `      - run: |
          docker build -t "${tag}" .
          docker push "${tag}"
`
  return `name: publish
on: ${c.facts?.event ?? 'push'}
jobs:
  publish:
    runs-on: ubuntu-latest
${perms}    steps:
      - uses: actions/checkout@v4
${app}      - id: ghcr
        uses: ${PREFLIGHT}
        with:
          image: ${written}
${githubToken}${fallback}${login}${push}`
}

// ---- the emulator against the corpus -------------------------------------------------------

/**
 * What the rig's own rules (world.mjs authorize(), no scripted answer) say to the case's
 * credential, next to what ghcr.io said. Only where the facts determine the answer: the
 * credential, the job's grant (or a fork / Dependabot run), the namespace, whether the package
 * exists and, for the run's token writing an existing package, who may write it.
 * @param {CorpusCase} c
 * @returns {{ comparable: false, why: string } | { comparable: true, same: boolean, real: string, rig: string }}
 */
export function emulatorAnswer(c, world) {
  const built = buildRun(c)
  if (built.thin !== undefined) return { comparable: false, why: 'too thin' }
  const run = built.run
  const f = c.facts ?? {}
  const scripted = /** @type {any[]} */ (run.github.answers)[0]
  if (!scripted) return { comparable: false, why: 'no registry answer (client side or no login)' }
  if (!scripted.message)
    return { comparable: false, why: 'a bare status: the real reason is not known' }
  const w = world.buildWorld({ repository: run.repository, github: { ...run.github, answers: [] } })
  const token = w.tokens[scripted.token]
  const real = `${scripted.status} ${scripted.message.replace(/\.$/, '')}`
  if (scripted.step === 'token') {
    if (!f.credential_state)
      return { comparable: false, why: 'the credential state is not in the facts' }
    const unknown = run.inputs['fallback-token'] && !run.inputs['fallback-token'].startsWith('$')
    const refused = unknown || token.expired || token.revoked
    const rig = refused ? `403 ${world.MSG.tokenDenied}` : '200 (token issued)'
    return { comparable: true, same: rig === real, real, rig }
  }
  if (scripted.step !== 'upload') return { comparable: false, why: `step ${scripted.step}` }
  const runToken = scripted.token === 'github'
  const grantKnown = f.permissions || f.fork || /dependabot/i.test(f.actor ?? '')
  const missing = [
    !f.credential && !f.credential_state && 'credential',
    runToken && !grantKnown && 'permissions',
    !f.namespace && 'namespace',
    !f.package && 'package',
    runToken &&
      f.package === 'exists' &&
      f.permissions === 'write' &&
      !f.fork &&
      !f.linked_repository &&
      !f.actions_access &&
      'who may write the package',
  ].filter(Boolean)
  if (missing.length) return { comparable: false, why: `no ${missing.join(', ')} in the facts` }
  const path = run.inputs.image.replace(/^[^/]+\//, '').toLowerCase()
  const d = world.authorize(w, { type: 'token', token }, path, 'write')
  const rig = d.allow ? '202 (upload started)' : `${d.status} ${d.message.replace(/\.$/, '')}`
  return { comparable: true, same: rig === real, real, rig }
}

// ---- judging a run --------------------------------------------------------------------------

/** The id a case's cause has in this product, given how its credential was passed. */
export function expectedIds(c, role) {
  if (c.cause === 'fallback-token-app-token' && role === 'github-token')
    return ['github-token-app-token']
  return [c.cause]
}

/**
 * A refusal without a reason lists the likely causes, most frequent first (issue 9 item 8): the
 * cause counts as named when it is the first listed.
 * @type {Record<string, RegExp>}
 */
const FIRST_CANDIDATE = {
  'package-not-linked': /Manage Actions access/,
  'packages-permission-undeclared': /packages: write/,
  'packages-permission-missing': /packages: write/,
  'github-token-app-token': /not this run's GITHUB_TOKEN/,
  'image-owner-mismatch': /namespace/,
}

/**
 * @param {CorpusCase} c @param {Run} run
 * @param {{ outputs: Record<string, string> }} result
 */
export function judge(c, run, result) {
  const out = result.outputs
  /** @type {{ id: string, severity: string, message: string }[]} */
  let findings = []
  try {
    findings = JSON.parse(out.findings ?? '[]')
  } catch {
    // no findings output: nothing found
  }
  const verdict = out.result ?? '(none)'
  const chosen = out['credential-source'] ?? 'none'
  const pass = verdict === 'ready' || verdict === 'fallback'
  // Docker refuses the name whatever the credential; a job that never logs in pushes with none.
  const falsePass = pass && (chosen === run.role || run.role === 'none' || c.step === 'client')
  const ids = expectedIds(c, run.role)
  const has = (/** @type {string} */ sev) =>
    findings.some((x) => ids.includes(x.id) && (sev === 'any' || x.severity === sev))
  let how = ''
  if (falsePass) how = ''
  else if (pass) {
    // Another credential the run really has was proven: the failing one is reported, rightly
    // not as an error (the push works with the exported credential).
    if (has('any')) how = `routed around via ${chosen}; cause reported`
  } else if (verdict === 'skip' && has('any')) how = 'skip'
  else if (has('error')) how = 'error finding'
  else {
    const generic = findings.find((x) => x.severity === 'error' && /gave no reason/.test(x.message))
    const first = generic && /\(1\) ([^;]*)/.exec(generic.message)?.[1]
    if (first && ids.some((id) => FIRST_CANDIDATE[id]?.test(first)))
      how = 'named first of the causes of a bare refusal'
  }
  const summary = findings
    .filter((x) => x.severity === 'error')
    .map((x) => x.id)
    .join(', ')
  return {
    found: how !== '',
    falsePass,
    how,
    verdict,
    chosen,
    got: `${verdict}${pass ? ` (${chosen})` : ''}: ${summary || 'no error finding'}`,
  }
}

// ---- the replay -----------------------------------------------------------------------------

/**
 * @param {{ rig: import('../../rig/index.mjs').Rig, cases: CorpusCase[], runtime?: 'node20'|'node24' }} o
 */
export async function replayCorpus(o) {
  /** @type {any[]} */
  const rows = []
  for (const c of o.cases) {
    const built = buildRun(c)
    if (built.thin !== undefined) {
      rows.push({ file: c.file, cause: c.cause, url: c.url, thin: built.thin })
      continue
    }
    const run = built.run
    const { tokens } = o.rig.setWorld({
      repository: run.repository,
      github: run.github,
      files: run.files,
    })
    const inputs = Object.fromEntries(
      Object.entries(run.inputs).map(([k, v]) => [
        k,
        v.replace(/^\$([\w-]+)$/, (m, name) => tokens[name] ?? m),
      ]),
    )
    if (!('github-token' in inputs)) inputs['github-token'] = tokens.github
    const result = await runAction({
      inputs,
      env: runnerEnv({
        repository: run.repository,
        actor: run.actor,
        eventName: run.eventName,
        job: 'publish',
        workflowPath: WORKFLOW_PATH,
        apiUrl: o.rig.apiUrl,
        registryUrl: o.rig.registryUrl,
      }),
      event: run.event,
      files: run.files,
      runtime: o.runtime ?? 'node20',
      timeoutMs: 60_000,
    })
    rows.push({ file: c.file, cause: c.cause, url: c.url, ...judge(c, run, result) })
  }
  const built = rows.filter((r) => r.thin === undefined)
  const found = built.filter((r) => r.found)
  return {
    rows,
    total: rows.length,
    built: built.length,
    thin: rows.length - built.length,
    found: found.length,
    falsePasses: built.filter((r) => r.falsePass).length,
    // Over the cases the replay can build: a thin case says nothing about the action (its cause
    // is not in its facts, or GitHub refused the run before any step). How many are thin is
    // bounded separately (builtShare), so the corpus cannot drift into cases nobody can judge.
    accuracy: built.length ? found.length / built.length : 0,
    builtShare: rows.length ? built.length / rows.length : 0,
  }
}

/** A plain-text report: totals, then every miss, false pass and thin case. */
export function formatReport(r) {
  const pct = (/** @type {number} */ x) => `${(x * 100).toFixed(1)}%`
  const lines = [
    `corpus replay: ${r.total} cases, ${r.built} built (${pct(r.builtShare)}), ${r.thin} too thin to build`,
    `established cause found: ${r.found}/${r.built} of the cases built (${pct(r.accuracy)}; ${r.found}/${r.total} of all cases), false passes: ${r.falsePasses}`,
  ]
  for (const row of r.rows) {
    if (row.thin !== undefined) lines.push(`  thin  ${row.file} [${row.cause}]: ${row.thin}`)
    else if (row.falsePass) lines.push(`  FALSE PASS ${row.file} [${row.cause}]: got ${row.got}`)
    else if (!row.found) lines.push(`  miss  ${row.file} [${row.cause}]: got ${row.got}`)
  }
  return lines.join('\n')
}
