// `diagnose --run URL`: the run (or one job) behind a web URL → the failed jobs' logs, the
// workflow file at the run's commit, and what the API says about the run (event, actor, head
// repository). github.com, GHE.com and GitHub Enterprise Server each use their own API; the
// token comes from GH_TOKEN or GITHUB_TOKEN only.

import { apiUrlForServer } from '../context.js'
import type { RunInfo, WorkflowInput } from '../diagnose/diagnose.js'
import type { LogDocument } from '../diagnose/read-input.js'
import { createGitHubApi, type ApiFailure, type NotFound } from '../github/api.js'
import { createRunsApi, type RunJob, type WorkflowRun } from '../github/runs.js'
import { createHttpClient } from '../http/client.js'
import { Deadline } from '../http/deadline.js'

export interface RunTarget {
  /** https://github.com, https://ghes.example.com, … (no trailing slash). */
  serverUrl: string
  repository: string
  runId: number
  attempt?: number
  jobId?: number
}

export type ParsedRunUrl = { ok: true; target: RunTarget } | { ok: false; error: string }

/** …/OWNER/REPO/actions/runs/ID[/attempts/N][/job/JOB_ID] */
export function parseRunUrl(url: string): ParsedRunUrl {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return {
      ok: false,
      error: `--run needs a run or job URL such as https://github.com/OWNER/REPO/actions/runs/123, not "${url.slice(0, 100)}"`,
    }
  }
  const m =
    /^\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?(?:\/jobs?\/(\d+))?\/?$/.exec(
      u.pathname,
    )
  if (!m || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
    return {
      ok: false,
      error: `--run needs a run or job URL such as https://github.com/OWNER/REPO/actions/runs/123 (or …/runs/123/job/456), not "${url.slice(0, 100)}"`,
    }
  }
  const target: RunTarget = {
    serverUrl: `${u.protocol}//${u.host}`,
    repository: `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`,
    runId: Number(m[3]),
  }
  if (m[4]) target.attempt = Number(m[4])
  if (m[5]) target.jobId = Number(m[5])
  return { ok: true, target }
}

export interface FetchedRun {
  documents: LogDocument[]
  workflow?: WorkflowInput
  run: RunInfo
  /** Jobs that did not fail, for the report. */
  skipped: string[]
  notes: string[]
}

export type FetchRunResult = { ok: true; fetched: FetchedRun } | { ok: false; error: string }

export interface FetchRunOptions {
  target: RunTarget
  token: string
  env: Record<string, string | undefined>
  /** Whole command's deadline. */
  timeoutMs?: number
}

/** GITHUB_API_URL (contracts §4) applies when it belongs to the run's server. */
export function apiUrlFor(target: RunTarget, env: Record<string, string | undefined>): string {
  const override = env.GITHUB_API_URL?.trim()
  const server = (env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '')
  if (override && sameOrigin(server, target.serverUrl)) return override.replace(/\/+$/, '')
  return apiUrlForServer(target.serverUrl)
}

export async function fetchRun(o: FetchRunOptions): Promise<FetchRunResult> {
  const { target } = o
  const deadline = new Deadline(o.timeoutMs ?? 120_000)
  const apiUrl = apiUrlFor(target, o.env)
  const http = createHttpClient({
    deadline,
    timeoutMs: 15_000,
    retries: 2,
    maxBodyBytes: 2 * 1024 * 1024,
  })
  const logHttp = createHttpClient({
    deadline,
    timeoutMs: 60_000,
    retries: 1,
    maxBodyBytes: 32 * 1024 * 1024,
  })
  const runs = createRunsApi({ apiUrl, http, token: o.token })
  const logs = createRunsApi({ apiUrl, http: logHttp, token: o.token })
  const where = `${target.repository} run ${target.runId}`

  const runAnswer = await runs.getRun(target.repository, target.runId, target.attempt)
  if (runAnswer.kind !== 'ok')
    return { ok: false, error: failure(`GET the run ${where}`, runAnswer, apiUrl) }
  const run = runAnswer.run

  let jobs: RunJob[]
  const skipped: string[] = []
  if (target.jobId !== undefined) {
    const job = await runs.getJob(target.repository, target.jobId)
    if (job.kind !== 'ok')
      return { ok: false, error: failure(`GET job ${target.jobId}`, job, apiUrl) }
    jobs = [job.job]
  } else {
    const list = await runs.listJobs(target.repository, target.runId, target.attempt)
    if (list.kind !== 'ok')
      return { ok: false, error: failure(`GET the jobs of ${where}`, list, apiUrl) }
    jobs = list.jobs.filter((j) => j.conclusion === 'failure' || j.conclusion === 'timed_out')
    skipped.push(
      ...list.jobs
        .filter((j) => !jobs.includes(j))
        .map((j) => `${j.name} (${j.conclusion || 'running'})`),
    )
    if (jobs.length === 0) jobs = []
  }

  const notes: string[] = []
  const [documents, workflow] = await Promise.all([
    Promise.all(
      jobs.map(async (job): Promise<LogDocument | undefined> => {
        const log = await logs.getJobLog(target.repository, job.id)
        if (log.kind !== 'ok') {
          notes.push(`the log of job "${job.name}" could not be read: ${describe(log)}`)
          return undefined
        }
        if (log.truncated) notes.push(`the log of job "${job.name}" was cut at 32 MiB`)
        return { name: job.name, text: log.text }
      }),
    ),
    workflowAt(run, target, apiUrl, http, o.token, notes),
  ])
  const fetched: FetchedRun = {
    documents: documents.filter((d): d is LogDocument => !!d),
    run: runInfo(run, target),
    skipped,
    notes,
  }
  if (workflow) fetched.workflow = workflow
  if (jobs.length > 0 && fetched.documents.length === 0) {
    return {
      ok: false,
      error: `none of the failed jobs' logs of ${where} could be read: ${notes.join('; ')}`,
    }
  }
  return { ok: true, fetched }
}

async function workflowAt(
  run: WorkflowRun,
  target: RunTarget,
  apiUrl: string,
  http: ReturnType<typeof createHttpClient>,
  token: string,
  notes: string[],
): Promise<WorkflowInput | undefined> {
  // GitHub's own workflows (Dependabot updates, Pages) have no file in the repository.
  if (!/^\.github\/workflows\/[^/]+\.ya?ml$/i.test(run.path)) {
    notes.push(
      `the run's workflow ${run.path} is not a file in the repository; its permissions were not read`,
    )
    return undefined
  }
  const api = createGitHubApi({ apiUrl, http })
  const file = await api.getWorkflowFile(target.repository, run.path, run.headSha, token)
  if (file.kind !== 'ok') {
    notes.push(`${run.path} at ${run.headSha.slice(0, 7)} could not be read: ${describe(file)}`)
    return undefined
  }
  return { path: run.path, text: file.text }
}

function runInfo(run: WorkflowRun, target: RunTarget): RunInfo {
  const info: RunInfo = {
    repository: run.repository,
    serverUrl: target.serverUrl,
    eventName: run.event,
  }
  if (run.actor) info.actor = run.actor
  if (run.triggeringActor) info.triggeringActor = run.triggeringActor
  if (run.headRepository) info.headRepository = run.headRepository
  if (run.pullRequest !== undefined) info.pullRequest = run.pullRequest
  return info
}

function describe(f: NotFound | ApiFailure): string {
  switch (f.kind) {
    case 'unreachable':
      return f.reason
    case 'bad-response':
      return f.reason
    case 'not-found':
      return `404${f.message ? ` "${f.message}"` : ''}`
    case 'http-error':
      return `HTTP ${f.status}${f.message ? ` "${f.message}"` : ''}`
  }
}

function failure(what: string, f: NotFound | ApiFailure, apiUrl: string): string {
  const hint =
    f.kind === 'not-found'
      ? ': no such run, or the token cannot see the repository'
      : f.kind === 'http-error' && f.status === 401
        ? ': GH_TOKEN/GITHUB_TOKEN was refused (expired, revoked, or for another GitHub instance)'
        : f.kind === 'http-error' && f.status === 403
          ? ': the token may not read this repository\'s Actions (a fine-grained token needs "Actions: read"; a classic one `repo` for a private repository), or the rate limit is spent'
          : ''
  return `${what} at ${apiUrl} failed: ${describe(f)}${hint}`
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
