// GitHub REST endpoints for workflow runs (diagnose --run) and package versions (the post step),
// answered from the world like the rest of the REST emulator. Bodies follow GitHub's published
// OpenAPI description (checked by __tests__/rig/github-runs.test.ts).
//
// A job's log is not served by the API itself: GET …/actions/jobs/{id}/logs answers 302 with a
// signed URL on another host (blob storage, here a server on 127.0.0.2), and a client must fetch
// it without its token; the storage server records whether credentials came along.
import { createServer } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { listenOnOtherLoopback } from './other-host.mjs'

/**
 * @typedef {object} WorldJob
 * @property {number} id
 * @property {string} name
 * @property {'success'|'failure'|'cancelled'|'skipped'|'timed_out'} conclusion
 * @property {string} log                 the job's log text, as the runner wrote it
 * @typedef {object} WorldRun
 * @property {number} id
 * @property {string} workflow_path        e.g. .github/workflows/build.yml
 * @property {string} head_sha
 * @property {string} event
 * @property {string} actor
 * @property {string} triggering_actor
 * @property {string|null} head_repository  owner/repo of the head commit (a fork for fork PRs)
 * @property {number|null} pull_request
 * @property {number} run_attempt
 * @property {WorldJob[]} jobs
 * @typedef {object} WorldVersion
 * @property {number} id
 * @property {string} digest                sha256:…
 * @property {string[]} tags
 * @property {string} created_at
 * @property {string} updated_at
 */

const CREATED = '2026-01-11T21:51:33Z'

/** @param {string} s */
const idOf = (s) => createHash('sha256').update(s).digest().readUInt32BE(0) & 0x7fffffff

/**
 * `github.runs` of a scenario → runs. Throws a plain message naming the bad field.
 * @param {unknown} raw @param {string} repository
 * @returns {WorldRun[]}
 */
export function parseRuns(raw, repository) {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new Error('world: github.runs must be a list')
  return raw.map((r, i) => {
    const where = `github.runs[${i}]`
    if (!r || typeof r !== 'object') throw new Error(`world: ${where} must be a mapping`)
    const id = Number(r.id)
    if (!Number.isInteger(id) || id <= 0)
      throw new Error(`world: ${where}.id must be a positive integer`)
    const jobs = (Array.isArray(r.jobs) ? r.jobs : []).map((j, k) => {
      const jw = `${where}.jobs[${k}]`
      if (!j || typeof j !== 'object' || !j.name) throw new Error(`world: ${jw} needs a name`)
      return {
        id: Number(j.id ?? id * 100 + k + 1),
        name: String(j.name),
        conclusion: j.conclusion ?? 'failure',
        log: String(j.log ?? ''),
      }
    })
    return {
      id,
      workflow_path: String(r.workflow_path ?? '.github/workflows/build.yml'),
      head_sha: String(r.head_sha ?? createHash('sha1').update(String(id)).digest('hex')),
      event: String(r.event ?? 'push'),
      actor: String(r.actor ?? repository.split('/')[0]),
      triggering_actor: String(r.triggering_actor ?? r.actor ?? repository.split('/')[0]),
      head_repository: r.head_repository ? String(r.head_repository) : repository,
      pull_request: r.pull_request ? Number(r.pull_request) : null,
      run_attempt: Number(r.run_attempt ?? 1),
      jobs,
    }
  })
}

/**
 * Records a pushed manifest as a package version (ghcr.io: one version per digest, its tags on
 * it; a tag pushed again moves to the new digest).
 * @param {{ versions?: WorldVersion[] }} pkg @param {string} reference tag or digest @param {string|undefined} digest
 */
export function recordVersion(pkg, reference, digest) {
  const d = digest ?? (reference.startsWith('sha256:') ? reference : undefined)
  if (!d) return
  pkg.versions ??= []
  const now = new Date().toISOString()
  const tag = reference.startsWith('sha256:') ? undefined : reference
  if (tag) {
    for (const v of pkg.versions) {
      if (v.digest !== d && v.tags.includes(tag)) {
        v.tags = v.tags.filter((t) => t !== tag)
        v.updated_at = now
      }
    }
  }
  let version = pkg.versions.find((v) => v.digest === d)
  if (!version) {
    version = {
      id: idOf(`${d}${pkg.versions.length}`),
      digest: d,
      tags: [],
      created_at: now,
      updated_at: now,
    }
    pkg.versions.push(version)
  }
  if (tag && !version.tags.includes(tag)) version.tags.push(tag)
  version.updated_at = now
}

/**
 * A server on another loopback host standing for the blob storage job logs are served from.
 * @param {(entry: import('./ghcr-emulator.mjs').LogEntry) => void} record
 * @param {() => Map<string, string>} logs  signature → log text
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startLogStorage(record, logs) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const text = logs().get(url.searchParams.get('sig') ?? '')
    const status = text === undefined ? 403 : 200
    if (text === undefined) {
      res.writeHead(403, { 'content-type': 'application/xml' })
      res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>',
      )
    } else {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      })
      res.end(text)
    }
    req.resume()
    record({
      server: 'log-storage',
      method: req.method ?? '',
      path: url.pathname,
      status,
      credential: req.headers.authorization ? 'sent' : 'none',
    })
  })
  // Another host than the API's: a client that kept the Authorization header would be seen.
  return listenOnOtherLoopback(server)
}

/**
 * The run endpoints, as a router the REST emulator consults.
 * @param {{
 *   api: () => string, web: string, logStorageUrl: () => string,
 *   signedLogs: Map<string, string>,
 *   minimalRepository: (fullName: string) => Record<string, unknown>,
 *   simpleUser: (login: string, type: 'User'|'Organization') => Record<string, unknown>,
 * }} h
 */
export function createRunRoutes(h) {
  /** @param {string} login */
  const user = (login) => h.simpleUser(login, login.endsWith('[bot]') ? 'User' : 'User')

  /** @param {string} repo @param {WorldRun} run */
  function runObject(repo, run) {
    const r = `${h.api()}/repos/${repo}`
    const u = `${r}/actions/runs/${run.id}`
    return {
      id: run.id,
      name: 'build',
      node_id: Buffer.from(`WFR:${run.id}`).toString('base64'),
      head_branch: run.pull_request ? `pr-${run.pull_request}` : 'main',
      head_sha: run.head_sha,
      path: run.workflow_path,
      display_title: 'build',
      run_number: run.id % 1000,
      run_attempt: run.run_attempt,
      event: run.event,
      status: 'completed',
      conclusion: run.jobs.some((j) => j.conclusion === 'failure') ? 'failure' : 'success',
      workflow_id: idOf(run.workflow_path),
      url: u,
      html_url: `${h.web}/${repo}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: CREATED,
      updated_at: CREATED,
      actor: user(run.actor),
      triggering_actor: user(run.triggering_actor),
      run_started_at: CREATED,
      jobs_url: `${u}/jobs`,
      logs_url: `${u}/logs`,
      check_suite_url: `${r}/check-suites/${run.id}`,
      artifacts_url: `${u}/artifacts`,
      cancel_url: `${u}/cancel`,
      rerun_url: `${u}/rerun`,
      workflow_url: `${r}/actions/workflows/${idOf(run.workflow_path)}`,
      head_commit: {
        id: run.head_sha,
        tree_id: createHash('sha1').update(`tree${run.head_sha}`).digest('hex'),
        message: 'build',
        timestamp: CREATED,
        author: { name: run.actor, email: `${run.actor}@users.noreply.github.com` },
        committer: { name: 'GitHub', email: 'noreply@github.com' },
      },
      repository: h.minimalRepository(repo),
      head_repository: h.minimalRepository(run.head_repository ?? repo),
    }
  }

  /** @param {string} repo @param {WorldRun} run @param {WorldJob} job */
  function jobObject(repo, run, job) {
    const r = `${h.api()}/repos/${repo}`
    return {
      id: job.id,
      run_id: run.id,
      run_url: `${r}/actions/runs/${run.id}`,
      run_attempt: run.run_attempt,
      node_id: Buffer.from(`CR:${job.id}`).toString('base64'),
      head_sha: run.head_sha,
      url: `${r}/actions/jobs/${job.id}`,
      html_url: `${h.web}/${repo}/actions/runs/${run.id}/job/${job.id}`,
      status: 'completed',
      conclusion: job.conclusion,
      created_at: CREATED,
      started_at: CREATED,
      completed_at: CREATED,
      name: job.name,
      steps: [{ name: 'Set up job', status: 'completed', conclusion: 'success', number: 1 }],
      check_run_url: `${r}/check-runs/${job.id}`,
      labels: ['ubuntu-latest'],
      runner_id: 7,
      runner_name: 'GitHub Actions 7',
      runner_group_id: 2,
      runner_group_name: 'GitHub Actions',
      workflow_name: 'build',
      head_branch: 'main',
    }
  }

  /**
   * @param {string[]} seg path segments after decoding
   * @param {URL} url
   * @param {import('./world.mjs').World} world
   * @param {import('./world.mjs').WorldToken | undefined} t the caller's token
   * @returns {{ status: number, body: unknown, headers?: Record<string, string> } | undefined}
   */
  return function route(seg, url, world, t) {
    if (seg[0] !== 'repos' || seg[3] !== 'actions') return undefined
    const repo = `${seg[1]}/${seg[2]}`.toLowerCase()
    const notFound = {
      status: 404,
      body: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      },
    }
    // The world's repository is private: without a token it does not exist.
    if (!t || repo !== world.repository) return notFound
    const runs = world.runs ?? []
    if (seg[4] === 'runs' && seg[5]) {
      const run = runs.find((r) => r.id === Number(seg[5]))
      if (!run) return notFound
      const attempt = seg[6] === 'attempts' ? Number(seg[7]) : undefined
      if (attempt !== undefined && attempt !== run.run_attempt) return notFound
      const rest = seg.slice(attempt !== undefined ? 8 : 6)
      if (rest.length === 0) return { status: 200, body: runObject(repo, run) }
      if (rest.length === 1 && rest[0] === 'jobs') {
        const page = Number(url.searchParams.get('page') ?? 1)
        const per = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
        const jobs = run.jobs
          .slice((page - 1) * per, page * per)
          .map((j) => jobObject(repo, run, j))
        return { status: 200, body: { total_count: run.jobs.length, jobs } }
      }
      return notFound
    }
    if (seg[4] === 'jobs' && seg[5]) {
      const id = Number(seg[5])
      const run = runs.find((r) => r.jobs.some((j) => j.id === id))
      const job = run?.jobs.find((j) => j.id === id)
      if (!run || !job) return notFound
      if (seg.length === 6) return { status: 200, body: jobObject(repo, run, job) }
      if (seg.length === 7 && seg[6] === 'logs') {
        const sig = randomBytes(16).toString('hex')
        h.signedLogs.set(sig, job.log)
        return {
          status: 302,
          body: '',
          headers: {
            location: `${h.logStorageUrl()}/job-logs/${job.id}?urlExpires=2099-01-01T00%3A00%3A00Z&sig=${sig}`,
          },
        }
      }
    }
    return notFound
  }
}

/**
 * GET …/packages/container/{name}/versions body for a package.
 * @param {{ owner: string, name: string, versions?: WorldVersion[] }} pkg
 * @param {'orgs'|'users'} scope @param {string} api @param {string} web
 */
export function versionObjects(pkg, scope, api, web) {
  const name = encodeURIComponent(pkg.name)
  const pkgApi = `${api}/${scope}/${pkg.owner}/packages/container/${name}`
  const html = `${web}/${scope}/${pkg.owner}/packages/container/package/${name}`
  return [...(pkg.versions ?? [])]
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
    .map((v) => ({
      id: v.id,
      name: v.digest,
      url: `${pkgApi}/versions/${v.id}`,
      package_html_url: html,
      html_url: `${html}/${v.id}`,
      created_at: v.created_at,
      updated_at: v.updated_at,
      metadata: { package_type: 'container', container: { tags: [...v.tags] } },
    }))
}
