// The scopes GitHub's `permissions` key accepts and the values each takes. GitHub validates every
// block before a run starts; anything else makes it reject the whole file.
//
// Source: GitHub's workflow schema, the `permissions-mapping` definition of
// actions/languageservices workflow-parser/src/workflow-v1.0.json (commit 00d83b85), which agrees
// with docs.github.com "Defining access for the GITHUB_TOKEN scopes"
// (data/reusables/actions/github-token-available-permissions.md): every scope takes read, write or
// none, except `id-token` and `copilot-requests` (write or none) and `models` and
// `vulnerability-alerts` (read or none). A block is a scope map (`{}` included), `read-all` or
// `write-all`. Some scopes exist only on github.com (models) or on newer GHES releases
// (artifact-metadata); they are accepted here as on github.com.

import { editDistance } from '../text/edit-distance.js'

export type ScopeLevel = 'read' | 'write' | 'none'

const ANY: readonly ScopeLevel[] = ['read', 'write', 'none']
const WRITE_OR_NONE: readonly ScopeLevel[] = ['write', 'none']
const READ_OR_NONE: readonly ScopeLevel[] = ['read', 'none']

export const PERMISSION_SCOPES: Readonly<Record<string, readonly ScopeLevel[]>> = {
  actions: ANY,
  'artifact-metadata': ANY,
  attestations: ANY,
  checks: ANY,
  contents: ANY,
  'copilot-requests': WRITE_OR_NONE,
  deployments: ANY,
  discussions: ANY,
  'id-token': WRITE_OR_NONE,
  issues: ANY,
  models: READ_OR_NONE,
  packages: ANY,
  pages: ANY,
  'pull-requests': ANY,
  'repository-projects': ANY,
  'security-events': ANY,
  statuses: ANY,
  'vulnerability-alerts': READ_OR_NONE,
}

export const BLOCK_SHORTHANDS = ['read-all', 'write-all'] as const

export function isKnownScope(scope: string): boolean {
  return Object.prototype.hasOwnProperty.call(PERMISSION_SCOPES, scope)
}

/** The values `scope` accepts, or undefined for a scope GitHub does not know. */
export function allowedLevels(scope: string): readonly ScopeLevel[] | undefined {
  return isKnownScope(scope) ? PERMISSION_SCOPES[scope] : undefined
}

/** The known scope closest to a mistyped one (`package` → `packages`), for "did you mean". */
export function closestScope(scope: string): string | undefined {
  const s = scope.toLowerCase().replace(/_/g, '-')
  if (isKnownScope(s)) return s
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of Object.keys(PERMISSION_SCOPES)) {
    const score = editDistance(s, candidate)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return bestScore <= Math.max(2, Math.floor(s.length / 4)) ? best : undefined
}
