// The I/O half of the fallback check: ask GitHub about the token, all questions at once so the
// preflight costs one round trip here. The answers are facts; assessFallback (pure) reads them.

import type { GitHubApi } from '../github/api.js'
import type { FallbackAnswers, OwnerKind } from '../preflight/facts.js'
import { classifyToken } from '../token/kind.js'

export interface AskAboutFallbackOptions {
  api: GitHubApi
  /** The fallback-token input's value ('' when empty). */
  token: string
  /** The run's own token as it is sent ('' when it is not). */
  runToken: string
  ownerType: OwnerKind
  owner: string
  /** False when the API belongs to another GitHub instance than the registry: the token is not sent. */
  askApi: boolean
}

/** Token kinds GitHub's REST API can tell us more about (scopes, expiry, owner, SSO). */
const ASKABLE = new Set(['classic', 'oauth', 'unknown'])

export async function askAboutFallback(o: AskAboutFallbackOptions): Promise<FallbackAnswers> {
  const kind = classifyToken(o.token, o.runToken)
  if (!o.askApi || !ASKABLE.has(kind)) return { kind }
  // Independent questions: sent together. /orgs is skipped for a known user namespace.
  const [rateLimit, user, org] = await Promise.all([
    o.api.rateLimit(o.token),
    o.api.getUser(o.token),
    o.ownerType === 'user' ? Promise.resolve(undefined) : o.api.getOrg(o.owner, o.token),
  ])
  return { kind, rateLimit, user, ...(org ? { org } : {}) }
}
