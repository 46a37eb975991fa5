// Which causes a registry refusal is consistent with, most likely first, and what each fact
// rules out. Many answers do not name their cause: "installation not allowed to Write
// organization package" is what a job without `packages: write`, a fork pull request, a Dependabot
// run and a package that does not list the repository all get (research ghcr-failure-modes §9);
// a bare "403 Forbidden" says even less. classify.ts names the cause when the words (and the
// facts it is given) settle it; this lists the others, so a finding can say what else fits.
//
// The order is the frequency in real reports (corpus/failures/, research §9, and the runbook this
// project started from: "Check Repository Workflow Permissions First … the most common cause of
// 403 errors"), adjusted by the step that was refused: a refused *read* (a HEAD on a blob) is
// not a missing write permission, since a token with `packages: read` may read its own owner's
// packages.

import type { FindingId } from '../findings/types.js'
import type { PrintedRefusal } from './refusal-text.js'

export type CredentialUsed = 'github-token' | 'fallback-token' | 'none'

export interface CauseFacts {
  /** Which credential was refused, when known. */
  credential?: CredentialUsed
  /** The run token's packages permission, when known (the log's list or the workflow file). */
  packages?: 'write' | 'not-write'
  /** Which of the two permission findings the facts settle (a block without packages, or none). */
  permission?: 'packages-permission-missing' | 'packages-permission-undeclared'
  /** The run is a fork pull request or a Dependabot run ('none': known to be neither). */
  untrusted?: 'fork-pull-request' | 'dependabot-run' | 'none'
  /** Whether the job logged in to the registry before the push, when known. */
  loggedIn?: boolean
  /** The run is on another GitHub instance than the registry (GHES/GHE.com vs ghcr.io). */
  otherInstance?: boolean
}

const PERMISSION: FindingId[] = ['packages-permission-undeclared', 'packages-permission-missing']
const RUN_TOKEN_ONLY = new Set<FindingId>([
  ...PERMISSION,
  'fork-pull-request',
  'dependabot-run',
  'registry-login-missing',
  'image-owner-mismatch',
  'org-package-create-denied',
  'org-package-write-denied',
  'github-token-denied',
])
const CREDENTIAL_ONLY = new Set<FindingId>([
  'fallback-token-invalid',
  'fallback-token-scopes',
  'fallback-token-fine-grained',
  'fallback-token-app-token',
  'fallback-token-sso',
  'fallback-token-owner-mismatch',
  'org-forbids-classic-pat',
])

/** Every cause the refusal's words and step allow, most likely first, before any fact. */
export function causesOfRefusal(r: PrintedRefusal): FindingId[] {
  const m = r.message ?? ''
  if (r.source === 'client') {
    switch (r.reason) {
      // The login step had no secret to send: a fork or Dependabot run withholds it, else the
      // secret does not exist or is not passed to this workflow.
      case 'no-credential':
        return ['fallback-token-missing', 'fork-pull-request', 'dependabot-run']
      case 'workflow-permission':
        return ['reusable-workflow-permission-ceiling']
      case 'unknown-host':
      case 'other-registry':
        return ['image-registry-mismatch']
      default:
        return /lowercase/i.test(m) ? ['image-name-uppercase'] : ['image-name-invalid']
    }
  }
  // The client asked for a token without credentials: nothing logged it in to this registry.
  if (r.anonymous) return ['registry-login-missing']
  if ((r.status ?? 0) >= 500 || r.status === 429 || r.code === 'TOOMANYREQUESTS' || r.unreachable) {
    return ['probe-inconclusive']
  }
  if (/permission_denied:\s*installation not allowed/i.test(m)) return ['fallback-token-app-token']
  if (/installation not allowed to Create organization package/i.test(m)) {
    return [
      ...PERMISSION,
      'fork-pull-request',
      'dependabot-run',
      'fallback-token-app-token',
      'org-package-create-denied',
    ]
  }
  if (/installation not allowed to (?:Write|Read) organization package/i.test(m)) {
    return [
      ...PERMISSION,
      'fork-pull-request',
      'dependabot-run',
      'package-not-linked',
      'fallback-token-app-token',
    ]
  }
  if (/permission_denied:\s*(?:write|read)_package/i.test(m)) {
    return ['package-not-linked', ...PERMISSION, 'fallback-token-owner-mismatch']
  }
  if (/permission_denied:\s*create_package/i.test(m)) {
    return ['image-owner-mismatch', 'fallback-token-owner-mismatch']
  }
  if (/does not match expected scopes/i.test(m)) {
    return ['fallback-token-scopes', 'fallback-token-fine-grained']
  }
  if (/forbids access via a personal access token/i.test(m)) return ['org-forbids-classic-pat']
  if (/requested installation does not exist/i.test(m)) {
    return ['image-owner-mismatch', 'fallback-token-app-token']
  }
  if (/owner not found/i.test(m)) return ['image-owner-mismatch']
  if (/requested access to the resource is denied/i.test(m)) {
    // Docker Hub's words for a name it does not let you push; ghcr.io says the same to a client
    // that asks without credentials (or for a package it cannot see).
    return r.host && /^(?:ghcr\.io|containers\.)/i.test(r.host)
      ? ['registry-login-missing', 'image-owner-mismatch', 'fallback-token-invalid']
      : ['image-registry-mismatch', 'registry-login-missing']
  }
  if (/\bname invalid\b|invalid repository name/i.test(m) || r.code === 'NAME_INVALID') {
    return ['image-name-invalid']
  }
  if (r.step === 'login' || r.step === 'token') {
    return ['fallback-token-invalid', 'fallback-token-sso', 'registry-host-mismatch']
  }
  if (
    /unauthenticated|cannot be authenticated|authentication required/i.test(m) ||
    r.status === 401
  ) {
    return [
      'registry-login-missing',
      'fallback-token-invalid',
      'registry-host-mismatch',
      'fallback-token-sso',
    ]
  }
  if (/^unauthorized$/i.test(m.trim())) return ['fallback-token-sso', 'fallback-token-invalid']
  if (/^denied$/i.test(m.trim())) {
    // ghcr.io's bare "denied: denied": a refused login, or a name with an empty part (ghcr.io//app).
    return ['fallback-token-invalid', 'image-name-invalid', 'fallback-token-sso']
  }
  if (r.step === 'read') {
    return ['package-not-linked', 'fallback-token-app-token', ...PERMISSION, 'image-owner-mismatch']
  }
  // containerd's "push access denied" is any registry's refusal: without a host on the line, the
  // push may have gone to Docker Hub (a name without ghcr.io/).
  if (/push access denied/i.test(m) && !r.host) {
    return [
      ...PERMISSION,
      'package-not-linked',
      'image-owner-mismatch',
      'fork-pull-request',
      'image-registry-mismatch',
    ]
  }
  return [
    ...PERMISSION,
    'package-not-linked',
    'image-owner-mismatch',
    'fork-pull-request',
    'fallback-token-app-token',
  ]
}

/**
 * The causes left once the facts are applied, most likely first. Never empty for a refusal the
 * words allow at all: a fact narrows the list, it does not invent a cause.
 */
export function rankCauses(r: PrintedRefusal, facts: CauseFacts): FindingId[] {
  let causes = causesOfRefusal(r)
  const keep = (next: FindingId[]) => {
    if (next.length > 0) causes = next
  }
  if (facts.credential === 'github-token') keep(causes.filter((c) => !CREDENTIAL_ONLY.has(c)))
  if (facts.credential === 'fallback-token' || facts.credential === 'none') {
    keep(
      causes.filter(
        (c) => !RUN_TOKEN_ONLY.has(c) || c === 'registry-login-missing' || c.startsWith('image-'),
      ),
    )
  }
  if (facts.loggedIn === true) keep(causes.filter((c) => c !== 'registry-login-missing'))
  if (facts.loggedIn === false) causes = first(causes, ['registry-login-missing'])
  if (facts.otherInstance) causes = first(causes, ['registry-host-mismatch'])
  if (facts.packages === 'write') {
    keep(causes.filter((c) => !PERMISSION.includes(c)))
  } else if (facts.packages === 'not-write') {
    causes = first(causes, PERMISSION)
  }
  if (facts.permission) {
    const other = PERMISSION.find((p) => p !== facts.permission)
    keep(causes.filter((c) => c !== other))
  }
  const untrusted = facts.untrusted
  if (untrusted === 'fork-pull-request' || untrusted === 'dependabot-run') {
    keep(
      causes.filter((c) =>
        c === 'fork-pull-request' || c === 'dependabot-run' ? c === untrusted : true,
      ),
    )
    causes = first(causes, [untrusted])
  } else if (untrusted === 'none') {
    keep(causes.filter((c) => c !== 'fork-pull-request' && c !== 'dependabot-run'))
  }
  return causes
}

/** Moves the listed causes (those present) to the front, in the given order. */
function first(causes: FindingId[], front: FindingId[]): FindingId[] {
  const lead = front.filter((c) => causes.includes(c))
  return [...lead, ...causes.filter((c) => !lead.includes(c))]
}
