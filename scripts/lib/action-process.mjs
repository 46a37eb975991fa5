// Runs the built action (dist/index.js) as the runner would: a child process with INPUT_* and
// GITHUB_* variables, real GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE / GITHUB_ENV files,
// and stdout parsed for workflow commands (::error file=…::, ::add-mask::, …).
// Shared by the jest end-to-end tests and the scenario runner.

import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeGitWorkspace } from './git-workspace.mjs'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BUNDLE = join(ROOT, 'dist', 'index.js')

/**
 * The GITHUB_* variables the runner gives a step of job `job` in workflow file `workflowPath`,
 * plus the two test seams (contracts §4) pointing at the rig. GITHUB_WORKFLOW_SHA comes from
 * prepareRun, which knows the workspace's commits.
 */
export function runnerEnv(o) {
  const owner = o.repository.split('/')[0]
  const actor = o.actor ?? owner
  return {
    GITHUB_REPOSITORY: o.repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_ACTOR: actor,
    GITHUB_TRIGGERING_ACTOR: o.triggeringActor ?? actor,
    GITHUB_EVENT_NAME: o.eventName ?? 'push',
    GITHUB_JOB: o.job ?? 'build',
    GITHUB_WORKFLOW_REF: `${o.repository}/${o.workflowPath ?? '.github/workflows/build.yml'}@refs/heads/main`,
    GITHUB_SERVER_URL: o.serverUrl ?? 'https://github.com',
    GITHUB_API_URL: o.apiUrl,
    GHCR_PREFLIGHT_REGISTRY_URL: o.registryUrl,
  }
}

/**
 * The workflow file most runs use: job `build` grants `packages: write` and runs ghcr-preflight
 * on `image`, passing `secrets.GHCR_TOKEN` as the fallback when `fallback` is set.
 */
export function pushWorkflow({ image, fallback = false, on = 'push' }) {
  return `name: build
on: ${on}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
      - uses: craigedmunds/ghcr-preflight@v1
        with:
          image: ${image}
${fallback ? '          fallback-token: ${{ secrets.GHCR_TOKEN }}\n' : ''}`
}

let node24Path
/** Path of a Node 24 binary from the npm package node@24 (fetched once by npx, then cached). */
export function node24() {
  if (node24Path) return node24Path
  try {
    node24Path = execFileSync(
      'npx',
      ['-y', 'node@24', '-e', 'process.stdout.write(process.execPath)'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      },
    ).trim()
  } catch (e) {
    throw new Error(
      `Node 24 is needed to test the bundle as the runner runs it (runs.using: node24), but ` +
        `\`npx -y node@24\` failed: ${e.message.split('\n')[0]}. Run \`bash scripts/setup.sh\` first.`,
    )
  }
  return node24Path
}

/** Parses a GITHUB_OUTPUT-style file (name=value lines and name<<DELIM heredocs). */
export function parseFileCommands(text) {
  const out = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (!line) continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i])
      out[name] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

function unescapeData(s) {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}
function unescapeProp(s) {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

/** Workflow commands printed on stdout: `::name k=v,k=v::message`. */
export function parseWorkflowCommands(stdout) {
  const commands = []
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!m) continue
    const props = {}
    if (m[2]) {
      for (const kv of m[2].split(',')) {
        const eq = kv.indexOf('=')
        if (eq > 0) props[kv.slice(0, eq)] = unescapeProp(kv.slice(eq + 1))
      }
    }
    commands.push({ command: m[1], props, message: unescapeData(m[3]) })
  }
  return commands
}

/** GITHUB_WORKFLOW_SHA of a run whose workspace is not a git checkout: a commit it cannot show. */
export const PLAIN_WORKFLOW_SHA = 'a'.repeat(40)

/**
 * A run directory laid out as the runner lays it out: the workspace with its files, the event
 * payload, empty GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE / GITHUB_ENV / GITHUB_PATH
 * files, and the step's environment (INPUT_* included). `reset()` empties the files for another
 * run; `read()` returns what a run wrote.
 *
 * The workspace is what actions/checkout leaves: a git repository whose one commit holds `files`,
 * and GITHUB_WORKFLOW_SHA names that commit. `git` describes another layout (git-workspace.mjs:
 * several commits, one checked out, a shallow clone; `workflowSha` names a commit or is a literal
 * SHA, default the checked-out one); `git: false`, or no files, is a workspace without git.
 * A GITHUB_WORKFLOW_SHA in `env` wins.
 */
export function prepareRun({ inputs = {}, env = {}, event = {}, files = {}, git } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ghcr-preflight-run-'))
  const workspace = join(dir, 'workspace')
  let workflowSha = PLAIN_WORKFLOW_SHA
  if (git === false || (git === undefined && Object.keys(files).length === 0)) {
    mkdirSync(workspace)
    for (const [path, text] of Object.entries(files)) {
      const abs = join(workspace, path)
      mkdirSync(dirname(abs), { recursive: true })
      writeFileSync(abs, text)
    }
  } else {
    const spec = git ?? { commits: [{}] }
    // The first commit holds `files` unless it says otherwise.
    const commits = spec.commits.map((c, i) =>
      i === 0 && c.files === undefined ? { ...c, files } : c,
    )
    const shas = makeGitWorkspace(workspace, { ...spec, commits })
    const named = spec.workflowSha ?? spec.checkout ?? commits.length - 1
    workflowSha = shas[named] ?? String(named)
  }
  const fileVars = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  }
  const reset = () => {
    for (const f of Object.values(fileVars)) writeFileSync(f, '')
  }
  reset()
  const eventPath = join(dir, 'event.json')
  writeFileSync(eventPath, JSON.stringify(event))

  const fullEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKFLOW_SHA: workflowSha,
    ...fileVars,
    ...env,
  }
  for (const [name, value] of Object.entries(inputs)) {
    // The runner keeps hyphens and upper-cases the name (actions/toolkit getInput).
    fullEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k]

  const text = (p) => readFileSync(p, 'utf8')
  return {
    dir,
    cwd: workspace,
    env: fullEnv,
    reset,
    workflowSha,
    read: () => ({
      outputs: parseFileCommands(text(fileVars.GITHUB_OUTPUT)),
      summary: text(fileVars.GITHUB_STEP_SUMMARY),
      state: text(fileVars.GITHUB_STATE),
      envFile: text(fileVars.GITHUB_ENV),
    }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export async function runAction(opts = {}) {
  const prepared = prepareRun(opts)
  const exe = opts.runtime === 'node24' ? node24() : process.execPath
  const started = performance.now()
  const { code, stdout, stderr, timedOut } = await new Promise((resolvePromise) => {
    const child = spawn(exe, [opts.bundle ?? BUNDLE], {
      env: prepared.env,
      cwd: prepared.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let timedOut = false
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, opts.timeoutMs ?? 60_000)
    child.on('close', (c) => {
      clearTimeout(timer)
      resolvePromise({ code: c, stdout: out, stderr: err, timedOut })
    })
  })
  const wallMs = performance.now() - started
  const result = {
    exitCode: code,
    timedOut,
    wallMs,
    stdout,
    stderr,
    commands: parseWorkflowCommands(stdout),
    ...prepared.read(),
    dir: prepared.dir,
  }
  if (!opts.keep) prepared.cleanup()
  return result
}
