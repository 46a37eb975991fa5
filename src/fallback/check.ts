// The I/O half of the fallback check: ask GitHub about the token (all questions at once, so
// the preflight costs one round-trip here), then hand the answers to the pure assessFallback.

import type { GitHubApi, OrgResult, RateLimitResult, UserResult } from '../github/api.js'
import type { Place } from '../findings/types.js'
import { classifyToken } from '../token/kind.js'
import { assessFallback, type FallbackAssessment, type NamespaceType } from './assess.js'

export interface CheckFallbackOptions {
  api: GitHubApi
  /** The fallback-token input's value ('' when empty). */
  token: string
  /** The run's own token (github-token input). */
  runToken: string
  /** The workflow passes a `fallback-token` input. */
  configured: boolean
  ownerType: NamespaceType
  owner: string
  place: Place
  actor: string
  usernameInput?: string
  untrusted?: 'fork-pull-request' | 'dependabot-run'
  now?: Date
  at?: { file: string; line?: number; column?: number }
}

/** Token kinds GitHub's REST API can tell us more about (scopes, expiry, owner, SSO). */
const ASKABLE = new Set(['classic', 'oauth', 'unknown'])

export async function checkFallback(o: CheckFallbackOptions): Promise<FallbackAssessment> {
  const kind = classifyToken(o.token, o.runToken)
  let rateLimit: RateLimitResult | undefined
  let user: UserResult | undefined
  let org: OrgResult | undefined
  if (ASKABLE.has(kind)) {
    // Independent questions: send them together. /orgs is skipped for a known user namespace.
    ;[rateLimit, user, org] = await Promise.all([
      o.api.rateLimit(o.token),
      o.api.getUser(o.token),
      o.ownerType === 'user' ? Promise.resolve(undefined) : o.api.getOrg(o.owner, o.token),
    ])
  }
  return assessFallback({
    kind,
    configured: o.configured,
    ...(o.untrusted ? { untrusted: o.untrusted } : {}),
    ownerType: o.ownerType,
    owner: o.owner,
    place: o.place,
    actor: o.actor,
    ...(o.usernameInput ? { usernameInput: o.usernameInput } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(user ? { user } : {}),
    ...(org ? { org } : {}),
    now: o.now ?? new Date(),
    ...(o.at ? { at: o.at } : {}),
  })
}
