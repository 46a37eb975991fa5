// GET …/packages/container/{name}/versions: what was pushed to a package, for the post step.
// Same rules as github/api.ts: the injected HttpClient sends it (timeouts, bounded body), nothing
// throws for an HTTP status, and an HTML page is a bad response, never an empty list.

import { HttpFailure, type HttpClient } from '../http/types.js'
import type { ApiFailure, NotFound } from './api.js'

export interface PackageVersion {
  id: number
  /** The manifest digest (sha256:…). */
  digest: string
  tags: string[]
  createdAt: string
  updatedAt: string
  htmlUrl?: string
}

export type VersionsResult = { kind: 'ok'; versions: PackageVersion[] } | NotFound | ApiFailure

/** The newest 50 versions are plenty to find what one job pushed. */
const PER_PAGE = 50

export async function listPackageVersions(o: {
  http: HttpClient
  apiUrl: string
  ownerType: 'user' | 'org'
  owner: string
  name: string
  token: string
  timeoutMs?: number
}): Promise<VersionsResult> {
  const scope = o.ownerType === 'org' ? 'orgs' : 'users'
  const url = `${o.apiUrl.replace(/\/+$/, '')}/${scope}/${encodeURIComponent(o.owner)}/packages/container/${encodeURIComponent(o.name)}/versions?per_page=${PER_PAGE}&state=active`
  let res
  try {
    res = await o.http.request({
      method: 'GET',
      url,
      headers: {
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28',
        'User-Agent': 'ghcr-preflight',
        Authorization: `Bearer ${o.token}`,
      },
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    })
  } catch (e) {
    const reason = e instanceof HttpFailure ? e.message : String((e as Error)?.message ?? e)
    return { kind: 'unreachable', reason: reason.split(o.token).join('***') }
  }
  const text = res.body.trim()
  if (/text\/html/i.test(res.headers['content-type'] ?? '') || text.startsWith('<')) {
    return {
      kind: 'bad-response',
      status: res.status,
      reason: `HTTP ${res.status} with an HTML page, not a GitHub API answer`,
    }
  }
  let body: unknown
  try {
    body = JSON.parse(text || 'null')
  } catch {
    return { kind: 'bad-response', status: res.status, reason: `HTTP ${res.status}: not JSON` }
  }
  const message =
    body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message.slice(0, 300)
      : ''
  if (res.status === 404) return { kind: 'not-found', status: 404, message }
  if (res.status !== 200) return { kind: 'http-error', status: res.status, message }
  if (!Array.isArray(body)) {
    return { kind: 'bad-response', status: 200, reason: 'the versions answer is not a list' }
  }
  const versions: PackageVersion[] = []
  for (const raw of body) {
    const v = raw as Record<string, unknown>
    if (typeof v?.id !== 'number' || typeof v.name !== 'string') continue
    const tags = (v.metadata as { container?: { tags?: unknown } } | undefined)?.container?.tags
    const version: PackageVersion = {
      id: v.id,
      digest: v.name,
      tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
      createdAt: typeof v.created_at === 'string' ? v.created_at : '',
      updatedAt: typeof v.updated_at === 'string' ? v.updated_at : '',
    }
    if (typeof v.html_url === 'string') version.htmlUrl = v.html_url
    versions.push(version)
  }
  return { kind: 'ok', versions }
}
