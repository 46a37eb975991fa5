// The post step (runs.post): after the job's own steps, ask the GitHub API what this job pushed
// and whether the package is connected to this repository. It never fails the job: every
// problem becomes a notice, and it has its own short deadline. It reads the token from its
// input again (the runner evaluates a post step's inputs anew); no token is ever kept in state.

import { readRunContext, type RunContext } from '../context.js'
import type { Place } from '../findings/types.js'
import { createGitHubApi, type GitHubApi, type PackageResult } from '../github/api.js'
import { listPackageVersions, type VersionsResult } from '../github/package-versions.js'
import { createHttpClient } from '../http/client.js'
import { Deadline } from '../http/deadline.js'
import type { HttpClient } from '../http/types.js'
import { postReport, type PackageSeen, type PostFacts } from './report.js'
import { readPostState, STATE_NAME, type PostState } from './state.js'

export interface PostRunner {
  getInput: (name: string) => string
  getState: (name: string) => string
  setSecret: (secret: string) => void
  info: (line: string) => void
  notice: (message: string, title: string) => void
  warning: (message: string, title: string) => void
  writeSummary: (html: string) => Promise<void>
  env: NodeJS.ProcessEnv
}

/** The post step's whole budget: it runs at the end of every job, so it must be short. */
export const POST_DEADLINE_MS = 10_000
const REQUEST_TIMEOUT_MS = 4_000

export async function runPost(r: PostRunner): Promise<void> {
  try {
    const state = readPostState(r.getState(STATE_NAME))
    if (!state) {
      r.info('ghcr-preflight (post): the main step saved nothing to check')
      return
    }
    if (state.result !== 'ready' && state.result !== 'fallback' && state.result !== 'unverified') {
      r.info(`ghcr-preflight (post): nothing to check after a ${state.result} verdict`)
      return
    }
    const facts = await withDeadline(gatherPost(r, state), state)
    const report = postReport(facts)
    for (const line of report.log) r.info(line)
    for (const n of report.notes) {
      if (n.level === 'warning') r.warning(n.message, n.title)
      else r.notice(n.message, n.title)
    }
    await r.writeSummary(report.summary)
  } catch (e) {
    // A bug of ours must not turn a green job red.
    r.notice(
      `ghcr-preflight's post step stopped: ${(e as Error)?.message ?? String(e)}. The push is not affected.`,
      'ghcr-preflight: post step',
    )
  }
}

async function gatherPost(r: PostRunner, state: PostState): Promise<PostFacts> {
  let ctx: RunContext
  try {
    ctx = readRunContext(r.env)
  } catch (e) {
    throw new Error(`the runner's context is incomplete (${(e as Error).message})`)
  }
  const place: Place = {
    serverUrl: ctx.serverUrl,
    repository: ctx.repository,
    registry: state.registry,
  }
  const base: Omit<PostFacts, 'askedWith' | 'packages'> = { state, place }
  const visibility = repositoryVisibility(ctx)
  if (visibility) base.repositoryVisibility = visibility

  const input = state.credential === 'fallback-token' ? 'fallback-token' : 'github-token'
  if (state.credential === 'none') return { ...base, askedWith: 'none', packages: [] }
  const token = r.getInput(input).trim()
  if (!token) {
    return {
      ...base,
      askedWith: 'none',
      packages: [],
      problem: `The post step got no \`${input}\` input, so nothing was checked after the push (an action that wraps ghcr-preflight in another composite action may lose it: actions/runner#3514).`,
    }
  }
  r.setSecret(token)
  const deadline = new Deadline(POST_DEADLINE_MS)
  const http = createHttpClient({
    deadline,
    timeoutMs: REQUEST_TIMEOUT_MS,
    retries: 0,
    maxBodyBytes: 2 * 1024 * 1024,
  })
  const api = createGitHubApi({ apiUrl: ctx.apiUrl, http, timeoutMs: REQUEST_TIMEOUT_MS })
  const images = state.images.filter((i) => i.split('/')[0] === state.registry)
  const packages = await Promise.all(images.map((image) => inspect(image, ctx, api, http, token)))
  return { ...base, askedWith: state.credential, packages }
}

async function inspect(
  image: string,
  ctx: RunContext,
  api: GitHubApi,
  http: HttpClient,
  token: string,
): Promise<PackageSeen> {
  const [, owner = '', ...rest] = image.split('/')
  const name = rest.join('/')
  const seen: PackageSeen = {
    image,
    owner,
    name,
    pkg: { kind: 'skipped', reason: 'the owner kind is unknown' },
    versions: { kind: 'skipped', reason: 'the owner kind is unknown' },
  }
  const ownerType = await ownerTypeOf(owner, ctx, api, token)
  if (typeof ownerType !== 'string') {
    seen.pkg = ownerType
    seen.versions = ownerType
    return seen
  }
  seen.ownerType = ownerType
  const [pkg, versions] = await Promise.all<[Promise<PackageResult>, Promise<VersionsResult>]>([
    api.getPackage(ownerType, owner, name, token),
    listPackageVersions({
      http,
      apiUrl: ctx.apiUrl,
      ownerType,
      owner,
      name,
      token,
      timeoutMs: REQUEST_TIMEOUT_MS,
    }),
  ])
  seen.pkg = pkg
  seen.versions = versions
  return seen
}

/** user or org: from the event payload when it names the owner, else GET /users/{owner}. */
async function ownerTypeOf(
  owner: string,
  ctx: RunContext,
  api: GitHubApi,
  token: string,
): Promise<'user' | 'org' | Exclude<PackageResult, { kind: 'ok' }>> {
  const repo = ctx.event.repository as { owner?: { login?: string; type?: string } } | undefined
  if (repo?.owner?.login?.toLowerCase() === owner.toLowerCase() && repo.owner.type) {
    return repo.owner.type === 'Organization' ? 'org' : 'user'
  }
  const answer = await api.getOwner(owner, token)
  if (answer.kind === 'ok') return answer.type === 'Organization' ? 'org' : 'user'
  return answer
}

function repositoryVisibility(ctx: RunContext): string | undefined {
  const repo = ctx.event.repository as { visibility?: unknown; private?: unknown } | undefined
  if (typeof repo?.visibility === 'string') return repo.visibility
  if (typeof repo?.private === 'boolean') return repo.private ? 'private' : 'public'
  return undefined
}

/** Everything within the post step's deadline; a late API is a notice, not a wait. */
async function withDeadline(work: Promise<PostFacts>, state: PostState): Promise<PostFacts> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<PostFacts>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          state,
          place: { serverUrl: '', repository: '', registry: state.registry },
          askedWith: 'none',
          packages: [],
          problem: `The GitHub API did not answer within ${POST_DEADLINE_MS / 1000} s, so nothing was checked after the push. The push is not affected.`,
        }),
      POST_DEADLINE_MS + 500,
    )
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
