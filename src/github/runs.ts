// The REST calls `diagnose --run` makes: a workflow run (its commit, workflow file, event and
// head repository), its jobs, and a job's log. Same rules as github/api.ts: every request goes
// through the injected HttpClient (timeouts, retries, bounded bodies), nothing throws for an HTTP
// status, transport failures become 'unreachable', and an HTML page is never read as an answer.
//
// A job's log is served by a redirect to a signed URL on another host (blob storage): it is
// fetched without the token, which is sent only to the API itself.

import { HttpFailure, type HttpClient, type HttpResponse } from '../http/types.js'
import { redactUrl, urlProblem } from '../http/url-safety.js'
import type { ApiFailure, NotFound } from './api.js'

export interface WorkflowRun {
  id: number
  /** The workflow file, e.g. .github/workflows/build.yml (`dynamic/…` for GitHub's own). */
  path: string
  headSha: string
  event: string
  /** owner/repo the run belongs to. */
  repository: string
  /** owner/repo of the head commit (a fork for a pull request from one). */
  headRepository?: string
  actor?: string
  triggeringActor?: string
  pullRequest?: number
  attempt?: number
  htmlUrl?: string
}

export interface RunJob {
  id: number
  runId?: number
  name: string
  /** success, failure, cancelled, skipped, timed_out, … (null while running → ''). */
  conclusion: string
  htmlUrl?: string
}

export type Answer<T> = ({ kind: 'ok' } & T) | NotFound | ApiFailure

export interface RunsApi {
  getRun(repository: string, runId: number, attempt?: number): Promise<Answer<{ run: WorkflowRun }>>
  listJobs(repository: string, runId: number, attempt?: number): Promise<Answer<{ jobs: RunJob[] }>>
  getJob(repository: string, jobId: number): Promise<Answer<{ job: RunJob }>>
  /** The job's log as text; `truncated` when it was longer than the client's body limit. */
  getJobLog(
    repository: string,
    jobId: number,
  ): Promise<Answer<{ text: string; truncated: boolean }>>
}

export interface RunsApiOptions {
  apiUrl: string
  http: HttpClient
  token: string
  timeoutMs?: number
}

/** Pages of 100 jobs read at most (a matrix of 500 jobs is plenty). */
const MAX_JOB_PAGES = 5

export function createRunsApi(o: RunsApiOptions): RunsApi {
  const base = o.apiUrl.replace(/\/+$/, '')
  const headers: Record<string, string> = {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
    'User-Agent': 'ghcr-preflight',
    Authorization: `Bearer ${o.token}`,
  }

  async function send(
    url: string,
    withToken: boolean,
    manual = false,
  ): Promise<HttpResponse | ApiFailure> {
    try {
      return await o.http.request({
        method: 'GET',
        url,
        headers: withToken ? headers : { 'User-Agent': 'ghcr-preflight' },
        ...(manual ? { redirect: 'manual' as const } : {}),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      })
    } catch (e) {
      const reason =
        e instanceof HttpFailure ? e.message : e instanceof Error ? e.message : String(e)
      return { kind: 'unreachable', reason: reason.split(o.token).join('***') }
    }
  }

  async function getJson(
    path: string,
  ): Promise<{ value: Record<string, unknown> } | NotFound | ApiFailure> {
    const res = await send(`${base}${path}`, true)
    if ('kind' in res) return res
    if (res.status === 404) return { kind: 'not-found', status: 404, message: messageOf(res.body) }
    const parsed = parseJsonObject(res)
    if ('kind' in parsed) return parsed
    if (res.status !== 200) {
      return { kind: 'http-error', status: res.status, message: messageOf(res.body) }
    }
    return parsed
  }

  const repoPath = (repository: string) => {
    const [owner, repo] = repository.split('/')
    return `/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(repo ?? '')}`
  }

  return {
    async getRun(repository, runId, attempt) {
      const path = `${repoPath(repository)}/actions/runs/${runId}${attempt ? `/attempts/${attempt}` : ''}`
      const answer = await getJson(path)
      if (!('value' in answer)) return answer
      const run = readRun(answer.value, repository)
      if (!run)
        return {
          kind: 'bad-response',
          status: 200,
          reason: 'the run answer has no head_sha or path',
        }
      return { kind: 'ok', run }
    },

    async listJobs(repository, runId, attempt) {
      const jobs: RunJob[] = []
      const root = `${repoPath(repository)}/actions/runs/${runId}${attempt ? `/attempts/${attempt}` : ''}/jobs`
      for (let page = 1; page <= MAX_JOB_PAGES; page++) {
        const answer = await getJson(`${root}?filter=latest&per_page=100&page=${page}`)
        if (!('value' in answer)) return answer
        const list = answer.value.jobs
        if (!Array.isArray(list))
          return { kind: 'bad-response', status: 200, reason: 'the jobs answer has no "jobs" list' }
        for (const raw of list) {
          const job = readJob(raw)
          if (job) jobs.push(job)
        }
        const total =
          typeof answer.value.total_count === 'number' ? answer.value.total_count : jobs.length
        if (list.length < 100 || jobs.length >= total) break
      }
      return { kind: 'ok', jobs }
    },

    async getJob(repository, jobId) {
      const answer = await getJson(`${repoPath(repository)}/actions/jobs/${jobId}`)
      if (!('value' in answer)) return answer
      const job = readJob(answer.value)
      if (!job)
        return { kind: 'bad-response', status: 200, reason: 'the job answer has no id or name' }
      return { kind: 'ok', job }
    },

    async getJobLog(repository, jobId) {
      const res = await send(
        `${base}${repoPath(repository)}/actions/jobs/${jobId}/logs`,
        true,
        true,
      )
      if ('kind' in res) return res
      let answer = res
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.location
        if (!location)
          return {
            kind: 'bad-response',
            status: res.status,
            reason: 'the log redirect has no Location',
          }
        let target: URL
        try {
          target = new URL(location, res.url)
        } catch {
          return {
            kind: 'bad-response',
            status: res.status,
            reason: 'the log redirect is not a URL',
          }
        }
        const problem = urlProblem(target)
        if (problem)
          return {
            kind: 'bad-response',
            status: res.status,
            reason: `the log is served from ${redactUrl(target)}: ${problem}`,
          }
        // A signed URL: it needs no credentials, and the token must not go to another host.
        const fetched = await send(target.toString(), false)
        if ('kind' in fetched) return fetched
        answer = fetched
      }
      if (answer.status === 404)
        return { kind: 'not-found', status: 404, message: messageOf(answer.body) }
      if (answer.status === 410) {
        return {
          kind: 'http-error',
          status: 410,
          message: 'the log has expired (GitHub keeps logs for 90 days by default)',
        }
      }
      if (answer.status !== 200) {
        return { kind: 'http-error', status: answer.status, message: messageOf(answer.body) }
      }
      if (
        /text\/html/i.test(answer.headers['content-type'] ?? '') ||
        /^\s*<(!doctype|html)/i.test(answer.body)
      ) {
        return {
          kind: 'bad-response',
          status: answer.status,
          reason: `HTTP ${answer.status} with an HTML page, not a job log`,
        }
      }
      return { kind: 'ok', text: answer.body, truncated: answer.truncated }
    },
  }
}

function readRun(v: Record<string, unknown>, repository: string): WorkflowRun | undefined {
  const headSha = str(v.head_sha)
  const path = str(v.path)
  if (!headSha || !path || typeof v.id !== 'number') return undefined
  const run: WorkflowRun = {
    id: v.id,
    path: path.replace(/@.*$/, ''),
    headSha,
    event: str(v.event) ?? '',
    repository: str(rec(v.repository)?.full_name) ?? repository,
  }
  const head = str(rec(v.head_repository)?.full_name)
  if (head) run.headRepository = head
  const actor = str(rec(v.actor)?.login)
  if (actor) run.actor = actor
  const triggering = str(rec(v.triggering_actor)?.login)
  if (triggering) run.triggeringActor = triggering
  const prs = Array.isArray(v.pull_requests) ? v.pull_requests : []
  const number = rec(prs[0])?.number
  if (typeof number === 'number') run.pullRequest = number
  if (typeof v.run_attempt === 'number') run.attempt = v.run_attempt
  const html = str(v.html_url)
  if (html) run.htmlUrl = html
  return run
}

function readJob(raw: unknown): RunJob | undefined {
  const v = rec(raw)
  if (!v || typeof v.id !== 'number' || !str(v.name)) return undefined
  const job: RunJob = { id: v.id, name: str(v.name)!, conclusion: str(v.conclusion) ?? '' }
  if (typeof v.run_id === 'number') job.runId = v.run_id
  const html = str(v.html_url)
  if (html) job.htmlUrl = html
  return job
}

function parseJsonObject(res: HttpResponse): { value: Record<string, unknown> } | ApiFailure {
  const text = res.body.trim()
  if (/text\/html/i.test(res.headers['content-type'] ?? '') || text.startsWith('<')) {
    const title = /<title>([^<]{0,120})<\/title>/i.exec(text)?.[1]?.trim()
    return {
      kind: 'bad-response',
      status: res.status,
      reason: `HTTP ${res.status} with an HTML page${title ? ` ("${title}")` : ''}, not a GitHub API answer`,
    }
  }
  if (res.truncated)
    return {
      kind: 'bad-response',
      status: res.status,
      reason: `HTTP ${res.status}: the answer was cut off at the size limit`,
    }
  try {
    const value: unknown = JSON.parse(text || 'null')
    const r = rec(value)
    if (!r)
      return {
        kind: 'bad-response',
        status: res.status,
        reason: `HTTP ${res.status}: the answer is not a JSON object`,
      }
    return { value: r }
  } catch {
    return {
      kind: 'bad-response',
      status: res.status,
      reason: `HTTP ${res.status}: the answer is not JSON`,
    }
  }
}

function messageOf(body: string): string {
  try {
    const m = rec(JSON.parse(body))?.message
    return typeof m === 'string' ? m.replace(/\s+/g, ' ').trim().slice(0, 300) : ''
  } catch {
    return ''
  }
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}
