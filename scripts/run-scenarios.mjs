#!/usr/bin/env node
// Scenario runner (contracts §7): `npm run scenarios -- DIR…`.
// Each scenario is one run of the built dist/index.js against the rig (a real registry behind the
// GHCR emulator, plus the REST emulator), then two independent checks:
//   1. the action's outputs and findings match what the scenario expects;
//   2. agreement: skopeo, a real registry client, pushes with the exported credential (and with
//      every candidate when the action said it cannot push) and must agree with the verdict:
//      never ready/fallback when the real push fails, never fail/skip when one would succeed.
// Plus a leak audit of everything the run wrote. Ends with the line `N passed, N failed`.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parse } from 'yaml'
import { runAction, runnerEnv } from './lib/action-process.mjs'
import { auditLeaks } from './lib/leak-audit.mjs'
import { runPostStep } from './lib/post-step.mjs'
import { startRig } from '../rig/index.mjs'

const args = process.argv.slice(2)
const only = process.env.SCENARIO ? new RegExp(process.env.SCENARIO, 'i') : undefined
const runtime = process.env.SCENARIO_RUNTIME === 'node24' ? 'node24' : 'node20'
const dirs = args.length > 0 ? args : ['scenarios']

function scenarioFiles(paths) {
  const files = []
  for (const p of paths) {
    const abs = resolve(p)
    if (statSync(abs).isDirectory()) {
      for (const f of readdirSync(abs).sort()) if (/\.ya?ml$/.test(f)) files.push(join(abs, f))
    } else files.push(abs)
  }
  return files
}

/** "$name" in an input value means the value of the scenario's token called name. */
function substitute(value, tokens, s) {
  if (typeof value !== 'string') return String(value)
  return evaluate(value, tokens, s).replace(/\$([A-Za-z_][\w-]*)/g, (m, name) =>
    name in tokens ? tokens[name] : m,
  )
}

/**
 * An input copied from the workflow keeps its `${{ … }}`: evaluate the few expressions a run's
 * inputs hold as the runner would. github.token / secrets.GITHUB_TOKEN is the run's token;
 * secrets.NAME the token called NAME, and empty when there is none (an undefined secret is
 * empty in a real run); github.repository, repository_owner, actor and event_name their values.
 * Anything else is left as written.
 */
function evaluate(value, tokens, s) {
  if (!s) return value
  const run = runTokenName(s.github)
  const owner = String(s.repository ?? '').split('/')[0]
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (m, expr) => {
    const e = expr.trim()
    if (/^(github\.token|secrets\.GITHUB_TOKEN)$/i.test(e)) return run ? tokens[run] : ''
    const secret = /^secrets\.([A-Za-z_]\w*)$/.exec(e)
    if (secret) {
      const name =
        secret[1] in tokens
          ? secret[1]
          : Object.keys(tokens).find((t) => t.toLowerCase() === secret[1].toLowerCase())
      return name ? tokens[name] : ''
    }
    const ctx = {
      'github.repository': s.repository,
      'github.repository_owner': owner,
      'github.actor': s.actor ?? owner,
      'github.event_name': s.event_name,
    }
    return typeof ctx[e] === 'string' ? ctx[e] : m
  })
}

/** Token names a `$name` in the inputs refers to. */
function tokenRefs(value) {
  return typeof value === 'string'
    ? [...value.matchAll(/\$([A-Za-z_][\w-]*)/g)].map((m) => m[1])
    : []
}

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v)
const RESULTS = ['ready', 'fallback', 'skip', 'fail', 'unverified']
const CREDENTIALS = ['github-token', 'fallback-token', 'none']
const EXPECT_KEYS = new Set([
  'result',
  'credential',
  'can-push',
  'username',
  'exit',
  'findings',
  'absent',
  'api_never_sees',
])

/**
 * What is wrong with a scenario file as contracts §7 (and scenarios/README.md) write it: plain
 * sentences naming the field, so a stranger's file is fixed from the message, never from a stack
 * trace. Also normalises forgiving forms (one finding instead of a list, `READY`). Returns
 * { errors, notes }.
 */
function checkScenario(s) {
  const errors = []
  const notes = []
  if (!isMap(s)) {
    errors.push(`the file must be a YAML mapping (contracts §7), but it is ${kindOf(s)}`)
    return { errors, notes }
  }
  if (typeof s.repository !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(s.repository.trim()))
    errors.push(`repository must be owner/name, got ${JSON.stringify(s.repository ?? null)}`)
  for (const key of [
    'name',
    'actor',
    'triggering_actor',
    'event_name',
    'job',
    'workflow_path',
    'server_url',
  ]) {
    if (s[key] !== undefined && s[key] !== null && typeof s[key] !== 'string')
      errors.push(`${key} must be text, got ${kindOf(s[key])}`)
  }
  if (s.event !== undefined && s.event !== null && !isMap(s.event))
    errors.push(
      `event must be a mapping (the payload written to GITHUB_EVENT_PATH), got ${kindOf(s.event)}`,
    )
  if (s.files !== undefined && s.files !== null) {
    if (!isMap(s.files)) errors.push(`files must map paths to file text, got ${kindOf(s.files)}`)
    else
      for (const [path, text] of Object.entries(s.files))
        if (typeof text !== 'string')
          errors.push(`files.${path} must be the file's text, got ${kindOf(text)}`)
  }
  for (const key of ['inputs', 'env']) {
    if (s[key] === undefined || s[key] === null) continue
    if (!isMap(s[key])) {
      errors.push(`${key} must be a mapping of names to values, got ${kindOf(s[key])}`)
      continue
    }
    for (const [k, v] of Object.entries(s[key]))
      if (isMap(v) || Array.isArray(v))
        errors.push(`${key}.${k} must be a single value, got ${kindOf(v)}`)
  }
  if (s.github !== undefined && s.github !== null && !isMap(s.github))
    errors.push(
      `github must be a mapping (owners, orgs, tokens, packages), got ${kindOf(s.github)}`,
    )
  const tokens = isMap(s.github?.tokens) ? s.github.tokens : {}
  if (isMap(s.inputs))
    for (const [k, v] of Object.entries(s.inputs))
      for (const ref of tokenRefs(v))
        if (!(ref in tokens))
          errors.push(`inputs.${k} refers to $${ref}, but github.tokens has no token called ${ref}`)
  if (
    s.pushes !== undefined &&
    !(Array.isArray(s.pushes) && s.pushes.every((p) => typeof p === 'string'))
  )
    errors.push('pushes must be a list of image names')
  if (s.expect === undefined || s.expect === null)
    notes.push('no expect: only agreement and the leak audit are checked')
  else if (!isMap(s.expect)) errors.push(`expect must be a mapping, got ${kindOf(s.expect)}`)
  else {
    const exp = s.expect
    for (const key of Object.keys(exp))
      if (!EXPECT_KEYS.has(key))
        notes.push(`expect.${key} is not a field the runner checks; it is ignored`)
    for (const [key, allowed] of [
      ['result', RESULTS],
      ['credential', CREDENTIALS],
    ]) {
      if (exp[key] === undefined || exp[key] === null) continue
      const v = String(exp[key]).trim().toLowerCase()
      if (!allowed.includes(v))
        errors.push(
          `expect.${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(exp[key])}`,
        )
      else exp[key] = v
    }
    if (exp.exit !== undefined && !Number.isInteger(exp.exit))
      errors.push('expect.exit must be a whole number')
    // One finding or one id instead of a list is read as a list of one.
    if (isMap(exp.findings)) exp.findings = [exp.findings]
    if (typeof exp.absent === 'string') exp.absent = [exp.absent]
    if (exp.findings !== undefined && exp.findings !== null) {
      if (!Array.isArray(exp.findings)) errors.push('expect.findings must be a list of { id, … }')
      else
        exp.findings.forEach((f, i) => {
          if (!isMap(f) || typeof f.id !== 'string')
            errors.push(`expect.findings[${i}] must be a mapping with an id`)
        })
    }
    if (
      exp.absent !== undefined &&
      exp.absent !== null &&
      !(Array.isArray(exp.absent) && exp.absent.every((a) => typeof a === 'string'))
    )
      errors.push('expect.absent must be a list of finding ids')
  }
  return { errors, notes }
}

const WORKFLOW_FILE = /^\.github\/workflows\/[^/]+\.ya?ml$/

/**
 * What the runner would have set when the scenario leaves it out (contracts §7 makes these keys
 * optional). GITHUB_WORKFLOW_REF names the running file and GITHUB_JOB its job: the one workflow
 * file (or the one that runs ghcr-preflight), the one job (or the one with a ghcr-preflight
 * step). GITHUB_EVENT_NAME follows the payload's own key (pull_request, release, …). Each guess is
 * printed as a note; nothing is guessed when the file leaves it open.
 */
function runnerDefaults(s, notes) {
  const files = isMap(s.files) ? s.files : {}
  let workflowPath = s.workflow_path
  if (!workflowPath) {
    const all = Object.keys(files).filter((p) => WORKFLOW_FILE.test(p))
    const ours = all.filter((p) => /ghcr-preflight/.test(files[p]))
    const pick = all.length === 1 ? all : ours.length === 1 ? ours : []
    if (pick.length === 1 && pick[0] !== '.github/workflows/build.yml')
      notes.push(`no workflow_path: the running workflow is ${pick[0]}`)
    workflowPath = pick[0] ?? '.github/workflows/build.yml'
  }
  let job = s.job
  if (!job && typeof files[workflowPath] === 'string') {
    let jobs = {}
    try {
      jobs = parse(files[workflowPath])?.jobs ?? {}
    } catch {
      jobs = {} // a file that does not parse is the action's to report
    }
    if (isMap(jobs)) {
      const ids = Object.keys(jobs)
      const ours = ids.filter((id) => /ghcr-preflight/.test(JSON.stringify(jobs[id] ?? '')))
      const pick = ids.length === 1 ? ids : ours.length === 1 ? ours : []
      if (pick.length === 1 && pick[0] !== 'build')
        notes.push(`no job: the running job is ${pick[0]}`)
      job = pick[0]
    }
  }
  let eventName = s.event_name
  if (!eventName && isMap(s.event)) {
    const key = [
      'review',
      'pull_request',
      'merge_group',
      'release',
      'workflow_run',
      'schedule',
      'inputs',
    ].find((k) => k in s.event)
    if (key) {
      eventName =
        key === 'inputs' ? 'workflow_dispatch' : key === 'review' ? 'pull_request_review' : key
      notes.push(`no event_name: the payload is a ${eventName} event`)
    }
  }
  return { workflowPath, job, eventName }
}

/**
 * The world's github section, plus the repository owner's kind when only the event payload says
 * it (repository.owner.type, or an organization key): GitHub sent that payload, so the owner is
 * what it says. A kind the world gives wins.
 */
function withPayloadOwner(s, notes) {
  const github = isMap(s.github) ? s.github : {}
  const owner = String(s.repository).split('/')[0]
  const known = (m) =>
    isMap(m) && Object.keys(m).some((k) => k.toLowerCase() === owner.toLowerCase())
  if (known(github.owners) || known(github.orgs)) return github
  const type = s.event?.repository?.owner?.type
  const org = type === 'Organization' || (isMap(s.event?.organization) && type !== 'User')
  if (type !== 'User' && !org) return github
  notes.push(`the event payload makes ${owner} ${org ? 'an organisation' : 'a user'}`)
  return {
    ...github,
    owners: { ...(isMap(github.owners) ? github.owners : {}), [owner]: org ? 'org' : 'user' },
  }
}

/**
 * The run token's `packages` grant when the scenario leaves it out: what GitHub mints for the
 * running job of the workflow file (its job block, else the workflow's, else the restricted
 * default `read`; `{}` and a block without packages give `none`), capped at `read` for a fork's
 * pull request (research §3.1, §3.5). The world's default
 * `read` ignored the file, so a scenario granting packages: write there could never be ready.
 */
function withRunGrant(github, s, run, notes) {
  const name = runTokenName(github)
  const token = name ? github.tokens[name] : undefined
  if (!isMap(token) || token.packages !== undefined) return github
  let doc
  try {
    doc = parse(String((isMap(s.files) && s.files[run.workflowPath]) ?? ''))
  } catch {
    return github
  }
  if (!isMap(doc)) return github
  const job = isMap(doc.jobs) && run.job ? doc.jobs[run.job] : undefined
  const block = isMap(job) && 'permissions' in job ? job.permissions : doc.permissions
  let grant =
    block === undefined || block === null
      ? 'read'
      : block === 'write-all'
        ? 'write'
        : block === 'read-all'
          ? 'read'
          : isMap(block) && ['read', 'write', 'none'].includes(block.packages)
            ? block.packages
            : 'none'
  const pr = s.event?.pull_request
  const head = pr?.head?.repo?.full_name
  const fork =
    ['pull_request', 'pull_request_review', 'pull_request_review_comment'].includes(
      run.eventName,
    ) &&
    typeof head === 'string' &&
    head.toLowerCase() !== String(s.repository).toLowerCase()
  // A Dependabot run may raise its token with permissions (§3.5): only a fork's stays read.
  if (grant === 'write' && fork) grant = 'read'
  notes.push(`github.tokens.${name}.packages not given: ${grant}, as GitHub grants it for this run`)
  return { ...github, tokens: { ...github.tokens, [name]: { ...token, packages: grant } } }
}

function runTokenName(github) {
  for (const [name, t] of Object.entries(github?.tokens ?? {}))
    if (
      String(t?.kind ?? '')
        .trim()
        .toLowerCase() === 'actions'
    )
      return name
  return undefined
}

/** The scenario's `git:` section (scenarios/README.md) as prepareRun's `git` option. */
function gitWorkspace(git) {
  if (git === false) return false
  return {
    commits: git.commits ?? [{}],
    ...(git.checkout !== undefined ? { checkout: git.checkout } : {}),
    ...(git.shallow !== undefined ? { shallow: git.shallow } : {}),
    ...(git.workflow_sha !== undefined ? { workflowSha: git.workflow_sha } : {}),
  }
}

function checkExpect(s, run) {
  const problems = []
  const exp = s.expect ?? {}
  const out = run.outputs
  if (exp.result && out.result !== exp.result)
    problems.push(`result: expected ${exp.result}, got ${out.result}`)
  if (exp.credential && out['credential-source'] !== exp.credential)
    problems.push(`credential-source: expected ${exp.credential}, got ${out['credential-source']}`)
  if (exp.username !== undefined && out.username !== exp.username)
    problems.push(`username: expected ${exp.username}, got ${out.username}`)
  if (exp['can-push'] !== undefined && out['can-push'] !== String(exp['can-push']))
    problems.push(`can-push: expected ${exp['can-push']}, got ${out['can-push']}`)
  let findings = []
  try {
    findings = JSON.parse(out.findings ?? '[]')
  } catch {
    problems.push('findings output is not JSON')
  }
  for (const want of exp.findings ?? []) {
    const hit = findings.find((f) =>
      Object.entries(want).every(([k, v]) =>
        k === 'message' ? String(f.message).includes(v) : f[k] === v,
      ),
    )
    if (!hit)
      problems.push(
        `missing finding ${JSON.stringify(want)}; got ${findings.map((f) => `${f.id}${f.line ? `@${f.line}` : ''}`).join(', ') || 'none'}`,
      )
  }
  for (const id of exp.absent ?? [])
    if (findings.some((f) => f.id === id)) problems.push(`finding ${id} must not appear`)
  // Invariant (every scenario): a red step says why in at least one error finding.
  if (out.result === 'fail' && !findings.some((f) => f.severity === 'error'))
    problems.push('invariant: result fail without an error finding that explains it')
  const wantExit = exp.exit ?? (out.result === 'fail' ? 1 : 0)
  if (run.exitCode !== wantExit)
    problems.push(`exit code: expected ${wantExit}, got ${run.exitCode}`)
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(run.stdout + run.stderr))
    problems.push('a stack trace was printed')
  return { problems, findings }
}

async function agreement(s, run, rig, tokens, images) {
  const problems = []
  const out = run.outputs
  const result = out.result
  // `image` may carry the tag the workflow pushes (scenario `pushes:`), else a fresh one.
  const push = (username, password, image) => {
    const colon = image.indexOf(':', image.lastIndexOf('/') + 1)
    return rig.skopeoPush({
      image: colon < 0 ? image : image.slice(0, colon),
      tag: colon < 0 ? `agree-${Date.now().toString(36)}` : image.slice(colon + 1),
      username,
      password,
    })
  }
  if (result === 'ready' || result === 'fallback') {
    for (const image of images) {
      const r = await push(out.username, out.password, image)
      if (!r.ok)
        problems.push(
          `agreement: result ${result} but skopeo could not push ${image} with the exported credential: ${r.stderr.trim().split('\n').pop()}`,
        )
    }
  } else if (result === 'fail' || result === 'skip') {
    // Would any candidate credential have pushed every image? Then `fail` was wrong.
    const candidates = []
    // `push_login: false`: the workflow's push never logs in, so it sends no credential at all.
    if (s.push_login === false) candidates.push(['no login', '', ''])
    // The github-token input when the scenario sets one (an App token passed in), else the
    // run's own token.
    const runName = runTokenName(s.github)
    const runValue = s.inputs?.['github-token']
      ? substitute(s.inputs['github-token'], tokens, s)
      : runName && tokens[runName]
    if (runValue) candidates.push(['github-token', s.actor ?? 'actor', runValue])
    const fb = s.inputs?.['fallback-token'] ? substitute(s.inputs['fallback-token'], tokens, s) : ''
    if (fb) {
      const fbName = Object.keys(tokens).find((n) => tokens[n] === fb)
      candidates.push([
        'fallback-token',
        s.github?.tokens?.[fbName]?.owner ?? s.actor ?? 'user',
        fb,
      ])
    }
    for (const [source, username, password] of s.push_login === false
      ? candidates.slice(0, 1)
      : candidates) {
      let all = true
      for (const image of images) {
        const r = await push(username, password, image)
        if (!r.ok) {
          all = false
          break
        }
      }
      if (all)
        problems.push(
          `agreement: result ${result} but skopeo pushed every image with the ${source}`,
        )
    }
  }
  return problems
}

async function main() {
  const files = scenarioFiles(dirs).filter((f) => !only || only.test(basename(f)))
  const rig = await startRig()
  let passed = 0
  let failed = 0
  try {
    for (const file of files) {
      const name = basename(file)
      let s
      try {
        s = parse(readFileSync(file, 'utf8'))
      } catch (e) {
        failed++
        console.log(`FAIL ${name}: scenario file does not parse: ${e.message}`)
        continue
      }
      const { errors, notes } = checkScenario(s)
      for (const note of notes) console.log(`note ${name}: ${note}`)
      if (errors.length > 0) {
        failed++
        console.log(`FAIL ${name}: the scenario is not valid\n  - ${errors.join('\n  - ')}`)
        continue
      }
      const started = performance.now()
      try {
        const defaults = []
        const runner = runnerDefaults(s, defaults)
        const { tokens } = await rig.setWorld({
          repository: s.repository,
          github: withRunGrant(withPayloadOwner(s, defaults), s, runner, defaults),
          files: s.files ?? {},
        })
        const inputs = {}
        for (const [k, v] of Object.entries(s.inputs ?? {})) inputs[k] = substitute(v, tokens, s)
        const runName = runTokenName(s.github)
        if (!('github-token' in inputs) && runName) inputs['github-token'] = tokens[runName]
        const { workflowPath, job, eventName } = runner
        for (const note of defaults) console.log(`note ${name}: ${note}`)
        const env = {
          ...runnerEnv({
            repository: s.repository,
            actor: s.actor,
            triggeringActor: s.triggering_actor,
            eventName,
            job,
            workflowPath,
            serverUrl: s.server_url,
            apiUrl: rig.apiUrl,
            registryUrl: rig.registryUrl,
          }),
          ...(s.env ?? {}),
        }
        const files = s.checkout === false ? {} : (s.files ?? {})
        const run = await runAction({
          inputs,
          env,
          event: s.event ?? {},
          files,
          ...(s.git !== undefined ? { git: gitWorkspace(s.git) } : {}),
          runtime,
          timeoutMs: 60_000,
        })
        const { problems } = checkExpect(s, run)
        // What the workflow really pushes (`pushes:`, names as written, capitals kept), else
        // the names the action exported.
        let images = (s.pushes ?? (run.outputs.images ?? '').split('\n')).filter(Boolean)
        if (s.agreement !== false && images.length > 0 && problems.length === 0) {
          images = images.map((i) => i.replace(/^[^/]+\//, ''))
          problems.push(...(await agreement(s, run, rig, tokens, images)))
        }
        // Tokens the GitHub API must never receive (e.g. another instance's PAT): rig log names.
        for (const name of s.expect?.api_never_sees ?? []) {
          const seen = rig.log.filter((e) => e.server === 'api' && e.credential === name)
          if (seen.length > 0)
            problems.push(
              `token ${name} was sent to the GitHub API: ${seen.map((e) => `${e.method} ${e.path}`).join(', ')}`,
            )
        }
        problems.push(...auditLeaks(run, Object.values(tokens)))
        // `post:` runs the action's post step after the job's pushes (scripts/lib/post-step.mjs).
        if (s.post) {
          const post = { inputs, env, event: s.event ?? {}, files }
          problems.push(...(await runPostStep({ scenario: s, main: run, rig, tokens, ...post })))
        }
        const ms = Math.round(performance.now() - started)
        if (problems.length === 0) {
          passed++
          console.log(`ok   ${name} (${run.outputs.result}, ${ms} ms)`)
          if (process.env.SCENARIO_VERBOSE === 'all') console.log(run.stdout, run.stderr)
        } else {
          failed++
          console.log(`FAIL ${name} (${ms} ms)\n  - ${problems.join('\n  - ')}`)
          if (process.env.SCENARIO_VERBOSE) console.log(run.stdout, run.stderr)
        }
      } catch (e) {
        failed++
        // The world's own checks (rig/world.mjs) say which field is wrong: the message is enough.
        // Anything else is the runner's fault; its stack is shown with SCENARIO_VERBOSE only.
        const message = e instanceof Error ? e.message : String(e)
        console.log(`FAIL ${name}: ${message}`)
        if (process.env.SCENARIO_VERBOSE && e instanceof Error && !message.startsWith('world:'))
          console.log(e.stack)
      }
    }
  } finally {
    await rig.stop()
  }
  console.log(`${passed} passed, ${failed} failed`)
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0
}

main().catch((e) => {
  console.error(e)
  console.log('0 passed, 1 failed')
  process.exitCode = 1
})
