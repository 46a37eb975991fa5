// The runner's context, read once from GITHUB_* variables and the event payload: what
// @actions/github's Context covers comes from it (./runner/github-context.ts), checked here, plus
// the variables it does not read (GITHUB_WORKFLOW_REF/SHA, GITHUB_WORKSPACE, …).
// Everything downstream takes this typed object, never process.env.

import { statSync } from 'node:fs'
import { githubContext, type Context } from './runner/github-context.js'

export interface RunContext {
  /** e.g. https://github.com, no trailing slash. */
  serverUrl: string
  /** e.g. https://api.github.com, no trailing slash. Honoured for every REST call (contracts §4). */
  apiUrl: string
  /** owner/repo */
  repository: string
  /** owner part of repository */
  owner: string
  actor: string
  triggeringActor: string
  eventName: string
  /** The event payload; {} when absent or unreadable (eventProblem says why). */
  event: Record<string, unknown>
  eventProblem?: string
  /** GITHUB_JOB: the job id (inside a reusable workflow, the called job's id). */
  job?: string
  /** Path of the running workflow file, from GITHUB_WORKFLOW_REF (for a reusable workflow: the caller's). */
  workflowPath?: string
  /** The ref after '@' in GITHUB_WORKFLOW_REF. */
  workflowRef?: string
  workflowSha?: string
  workspace?: string
  /** The registry host an unconfigured run pushes to, derived from serverUrl. */
  defaultRegistry: string
}

export class ContextError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ContextError'
  }
}

const MAX_EVENT_BYTES = 25 * 1024 * 1024

/** github.com → ghcr.io; X.ghe.com → containers.X.ghe.com; any other host → containers.<host>. */
export function registryForServer(serverUrl: string): string {
  const host = hostOf(serverUrl)
  if (host === 'github.com' || host === 'www.github.com') return 'ghcr.io'
  return `containers.${host}`
}

export function apiUrlForServer(serverUrl: string): string {
  const host = hostOf(serverUrl)
  if (host === 'github.com') return 'https://api.github.com'
  if (host.endsWith('.ghe.com')) return `https://api.${host}`
  return `${trimSlash(serverUrl)}/api/v3`
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase()
  } catch {
    throw new ContextError(`GITHUB_SERVER_URL is not a URL: "${url}"`)
  }
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '')
}

/** Splits "owner/repo/.github/workflows/x.yml@refs/heads/main" into path and ref. */
export function parseWorkflowRef(
  workflowRef: string | undefined,
  repository: string,
): { path?: string; ref?: string } {
  if (!workflowRef) return {}
  const at = workflowRef.indexOf('@')
  const full = at >= 0 ? workflowRef.slice(0, at) : workflowRef
  const ref = at >= 0 ? workflowRef.slice(at + 1) : undefined
  const prefix = `${repository}/`
  let path: string
  if (full.toLowerCase().startsWith(prefix.toLowerCase())) path = full.slice(prefix.length)
  else {
    // Another repository's workflow (should not happen for GITHUB_WORKFLOW_REF); keep the path part.
    const parts = full.split('/')
    path = parts.slice(2).join('/')
  }
  return { path: path || undefined, ref }
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const repository = (env.GITHUB_REPOSITORY ?? '').trim()
  if (!repository) {
    throw new ContextError(
      'GITHUB_REPOSITORY is not set: ghcr-preflight must run as a step of a GitHub Actions job. ' +
        'To check workflow files on your machine, run `npx ghcr-preflight lint` instead.',
    )
  }
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new ContextError(`GITHUB_REPOSITORY must look like owner/repo, got "${repository}"`)
  }
  const { github, event, problem } = readGitHubContext(env)
  const serverUrl = trimSlash(github.serverUrl.trim() || 'https://github.com')
  // Context's default API URL is always api.github.com; a GHES run without GITHUB_API_URL needs
  // the one derived from its server.
  const apiUrl = trimSlash((env.GITHUB_API_URL ?? '').trim() || apiUrlForServer(serverUrl))
  const owner = (env.GITHUB_REPOSITORY_OWNER ?? '').trim() || repository.split('/')[0]!
  const actor = (github.actor ?? '').trim()
  const wf = parseWorkflowRef(env.GITHUB_WORKFLOW_REF?.trim(), repository)
  const ctx: RunContext = {
    serverUrl,
    apiUrl,
    repository,
    owner,
    actor,
    triggeringActor: (env.GITHUB_TRIGGERING_ACTOR ?? '').trim() || actor,
    eventName: (github.eventName ?? '').trim(),
    event,
    defaultRegistry: registryForServer(serverUrl),
  }
  if (problem) ctx.eventProblem = problem
  if (github.job?.trim()) ctx.job = github.job.trim()
  if (wf.path) ctx.workflowPath = wf.path
  if (wf.ref) ctx.workflowRef = wf.ref
  if (env.GITHUB_WORKFLOW_SHA?.trim()) ctx.workflowSha = env.GITHUB_WORKFLOW_SHA.trim()
  if (env.GITHUB_WORKSPACE?.trim()) ctx.workspace = env.GITHUB_WORKSPACE.trim()
  return ctx
}

/**
 * @actions/github's Context (payload, event name, actor, job, server URL) with the checks it
 * lacks: the payload file must exist, be at most 25 MiB and hold a JSON object; otherwise the
 * event is {} and `problem` says why (Context would print to stdout, throw, or take anything).
 */
function readGitHubContext(env: NodeJS.ProcessEnv): {
  github: Context
  event: Record<string, unknown>
  problem?: string
} {
  const path = env.GITHUB_EVENT_PATH
  const withoutPayload = (): Context => githubContext({ ...env, GITHUB_EVENT_PATH: '' })
  if (!path) return { github: withoutPayload(), event: {}, problem: 'GITHUB_EVENT_PATH is not set' }
  let github: Context
  try {
    const size = statSync(path).size
    if (size > MAX_EVENT_BYTES) {
      return {
        github: withoutPayload(),
        event: {},
        problem: `event payload is ${size} bytes, over the limit`,
      }
    }
    github = githubContext(env)
  } catch (e) {
    return {
      github: withoutPayload(),
      event: {},
      problem: `event payload could not be read: ${(e as Error).message}`,
    }
  }
  const payload: unknown = github.payload
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    return { github, event: payload as Record<string, unknown> }
  }
  return { github, event: {}, problem: 'event payload is not a JSON object' }
}
