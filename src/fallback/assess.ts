// Pure: what the GitHub API said about the fallback token → findings, the username to log in
// with, and whether the token is still worth a registry probe. No I/O here (see check.ts).
// Research: ghcr-failure-modes.md §5 (PATs, scopes, expiry, SSO, org PAT policy), §1.2, §3.5.

import { makeFinding } from '../findings/catalogue.js'
import { dependabotSecretsUrl, newClassicPatUrl } from '../findings/links.js'
import type { Finding, FindingFacts, FindingId, Place } from '../findings/types.js'
import type { OrgResult, RateLimitResult, UserResult } from '../github/api.js'
import type { TokenKind } from '../token/kind.js'

export type { TokenKind }

export type NamespaceType = 'user' | 'org' | 'unknown'

/** Days before expiry from which a warning is given: one working week to rotate the secret. */
export const EXPIRY_WARNING_DAYS = 7

export interface FallbackFacts {
  /** classifyToken(fallback value, run token). */
  kind: TokenKind
  /** The workflow passes a `fallback-token` input (whatever its value in this run). */
  configured: boolean
  /** Why secrets may be empty in this run. */
  untrusted?: 'fork-pull-request' | 'dependabot-run'
  /** The image namespace the token must push to. */
  ownerType: NamespaceType
  owner: string
  place: Place
  /** github.actor: the last-resort username. */
  actor: string
  /** The fallback-username input, when given. */
  usernameInput?: string
  /** Undefined when the API was not asked (token kinds that need no API check). */
  rateLimit?: RateLimitResult
  user?: UserResult
  org?: OrgResult
  now: Date
  /** Where the `fallback-token:` input is written, so annotations land on it. */
  at?: { file: string; line?: number; column?: number }
}

export interface FallbackAssessment {
  kind: TokenKind
  /** Still worth a registry probe: nothing already proves it cannot push. */
  candidate: boolean
  /** The login to pair with the token; undefined when there is no token. */
  username?: string
  usernameSource?: 'input' | 'token-owner' | 'actor'
  /** The token owner's login from GET /user, when known. */
  login?: string
  /** From X-OAuth-Scopes; undefined when GitHub did not say. */
  scopes?: string[]
  /** ISO 8601 expiry from GitHub-Authentication-Token-Expiration, when known. */
  expiresAt?: string
  /** Some API check could not be made; nothing was denied on its account. */
  inconclusive: boolean
  findings: Finding[]
}

const DAY_MS = 24 * 60 * 60 * 1000

type Add = (id: FindingId, facts: FindingFacts) => void

export function assessFallback(f: FallbackFacts): FallbackAssessment {
  const findings: Finding[] = []
  // Annotations land on the workflow's `fallback-token:` line when it is known.
  const add: Add = (id, facts) =>
    findings.push(
      makeFinding(id, f.place, {
        ...facts,
        ...(f.at
          ? {
              file: f.at.file,
              ...(f.at.line !== undefined ? { line: f.at.line } : {}),
              ...(f.at.column !== undefined ? { column: f.at.column } : {}),
            }
          : {}),
      }),
    )
  const result: FallbackAssessment = {
    kind: f.kind,
    candidate: false,
    inconclusive: false,
    findings,
  }
  if (ruledOutByKind(f, result, add)) return result

  // Classic PAT, OAuth token, or a value without a known prefix (e.g. a pre-2021 40-hex PAT):
  // what GitHub said about it.
  result.candidate = true
  const inconclusive = [
    ...readRateLimit(f, result, add),
    ...readUser(f, result),
    ...readOrg(f, result, add),
  ]
  checkNamespaceOwner(f, result, add)
  if (inconclusive.length > 0 && result.candidate) {
    result.inconclusive = true
    add('probe-inconclusive', {
      severity: 'warning',
      message:
        `Could not check the fallback token with the GitHub API (${inconclusive.join('; ')}). ` +
        'Nothing is concluded from that; the registry probe decides whether the token can push.',
      details: { checks: inconclusive.join('; ') },
    })
  }
  pickUsername(f, result, result.login)
  return result
}

/** Token kinds settled by their prefix alone (no API call). True when nothing more is to learn. */
function ruledOutByKind(f: FallbackFacts, result: FallbackAssessment, add: Add): boolean {
  switch (f.kind) {
    case 'empty':
      if (f.configured) add('fallback-token-missing', missingFacts(f))
      return true
    case 'actions':
      // The same value as the run's token adds nothing: the run's token is probed on its own.
      add('input-invalid', {
        severity: 'warning',
        message:
          "fallback-token is the run's own token (github.token), so it cannot help when that token is refused",
        details: {
          input: 'fallback-token',
          expected:
            'pass a classic personal access token with `write:packages`, e.g. `${{ secrets.GHCR_TOKEN }}`, or remove the input',
        },
      })
      return true
    case 'fine-grained':
      add('fallback-token-fine-grained', {
        message:
          'The fallback token is a fine-grained personal access token (github_pat_…). GitHub Packages ' +
          'accepts only personal access tokens (classic), so ghcr.io refuses it whatever permissions it ' +
          'was given ("The token provided does not match expected scopes").',
        details: { tokenKind: 'fine-grained' },
      })
      return true
    case 'app':
    case 'user-to-server':
      appToken(f, result, add)
      return true
    default:
      return false
  }
}

/**
 * Research §1.2 (cause 5) and §5.3: GitHub Packages accepts no GitHub App token except the run's
 * own GITHUB_TOKEN; for organisation packages several projects confirm the refusal, so there
 * the token is ruled out. For a user namespace no report proves either way, so it stays a
 * candidate with a warning and the registry probe decides (never a pass on belief alone).
 */
function appToken(f: FallbackFacts, result: FallbackAssessment, add: Add): void {
  const org = f.ownerType === 'org'
  const what =
    f.kind === 'app'
      ? "a GitHub App installation token (ghs_…) other than this run's GITHUB_TOKEN"
      : 'a GitHub App user-to-server token (ghu_…)'
  add('fallback-token-app-token', {
    severity: org ? 'error' : 'warning',
    message: org
      ? `The fallback token is ${what}. GitHub Packages does not accept GitHub App tokens for ` +
        `organisation packages (only the run's own GITHUB_TOKEN): ghcr.io answers "installation not ` +
        `allowed to Create organization package" or "…Write organization package" for ${f.owner}.`
      : `The fallback token is ${what}. GitHub Packages documents no support for GitHub App tokens ` +
        `other than the run's GITHUB_TOKEN; the registry probe will show whether ${f.owner}'s ` +
        `namespace accepts it.`,
    details: { tokenKind: f.kind, owner: f.owner, ownerType: f.ownerType },
  })
  result.candidate = !org
  result.username = f.usernameInput || f.actor
  result.usernameSource = f.usernameInput ? 'input' : 'actor'
}

/** GET /rate_limit: validity (401), scopes and expiry. Returns what could not be checked. */
function readRateLimit(f: FallbackFacts, result: FallbackAssessment, add: Add): string[] {
  const rl = f.rateLimit
  if (!rl) return []
  if (rl.kind === 'http-error' && rl.status === 401) {
    result.candidate = false
    add('fallback-token-invalid', {
      message:
        'GitHub rejected the fallback token (GET /rate_limit answered 401' +
        (rl.message ? ` "${rl.message}"` : '') +
        '): it has expired, was revoked, or the secret does not hold a token.',
      details: { status: '401' },
    })
    return []
  }
  if (rl.kind !== 'ok') return [`GET /rate_limit: ${describe(rl)}`]
  if (rl.scopes) result.scopes = rl.scopes
  if (rl.expiration) result.expiresAt = rl.expiration.toISOString()
  if (rl.scopes && !rl.scopes.includes('write:packages')) {
    result.candidate = false
    const has =
      rl.scopes.length > 0 ? `has the scopes ${rl.scopes.join(', ')}` : 'has no scopes at all'
    add('fallback-token-scopes', {
      message:
        `The fallback token ${has} but not write:packages, which pushing to ${f.place.registry} needs ` +
        '(ghcr.io answers "The token provided does not match expected scopes").',
      // The catalogue's steps cover both kinds; lead with the one for this kind.
      fix:
        f.kind === 'oauth'
          ? [
              `This is a GitHub CLI/OAuth token: run \`gh auth refresh -h ${hostOf(f.place.serverUrl)} --scopes write:packages\`, then store the new \`gh auth token\` in the secret.`,
            ]
          : [],
      details: { scopes: rl.scopes.join(', '), tokenKind: f.kind },
    })
  }
  if (rl.expiration) expiringSoon(f, rl.expiration, add)
  return []
}

function expiringSoon(f: FallbackFacts, expiration: Date, add: Add): void {
  const left = expiration.getTime() - f.now.getTime()
  if (left >= EXPIRY_WARNING_DAYS * DAY_MS) return
  const when = formatUtc(expiration)
  // Whole days, rounded: a token minted for 3 days reads "in 3 days" moments later.
  const days = left < DAY_MS ? 0 : Math.round(left / DAY_MS)
  add('fallback-token-expiring', {
    severity: 'warning',
    message:
      `The fallback token expires on ${when} (${days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`}); ` +
      'logins with it will fail from then on.',
    details: { expires: when },
  })
}

/** GET /user: the token owner's login. A 401 is already reported as an invalid token. */
function readUser(f: FallbackFacts, result: FallbackAssessment): string[] {
  const u = f.user
  if (!u) return []
  if (u.kind === 'ok') {
    result.login = u.login
    return []
  }
  // Anything but a server-side failure only costs us the login.
  if (u.kind === 'http-error' && (u.status === 401 || (u.status < 500 && u.status !== 429))) {
    return []
  }
  return [`GET /user: ${describe(u)}`]
}

/** GET /orgs/{org}: SAML SSO authorisation and the classic-PAT policy. */
function readOrg(f: FallbackFacts, result: FallbackAssessment, add: Add): string[] {
  const org = f.org
  if (f.ownerType === 'user' || !org) return []
  if (org.kind === 'sso-required') {
    result.candidate = false
    add('fallback-token-sso', {
      message:
        `The fallback token is not authorised for the SAML single sign-on of the ${f.owner} organisation ` +
        `(GET /orgs/${f.owner} answered ${org.status} with X-GitHub-SSO: required); ghcr.io answers "unauthorized".`,
      // The catalogue turns ssoUrl (or, without it, the tokens page) into the step.
      details: { org: f.owner, owner: f.owner, ownerType: 'org', ssoUrl: org.url },
    })
    return []
  }
  if (org.kind === 'forbids-classic-pat' && /lifetime/i.test(org.message)) {
    // The organisation's maximum-lifetime policy, not a ban (docs: "tokens with non-compliant
    // lifetimes are blocked from accessing your organization"): a shorter-lived classic PAT works.
    // GitHub's exact words are not on record here, so only the word "lifetime" tells them apart.
    result.candidate = false
    add('org-forbids-classic-pat', {
      message:
        `The ${f.owner} organisation limits how long a personal access token (classic) may live, and ` +
        `this token's lifetime is longer: GitHub refuses it there (GET /orgs/${f.owner}: "${org.message}").`,
      fix: [
        `Create a new classic PAT with \`write:packages\` whose expiration is within the organisation's maximum lifetime (${newClassicPatUrl(f.place)}), and store it as the secret the workflow passes as \`fallback-token\``,
        "Or push with the run's own GITHUB_TOKEN, which no PAT policy affects: give the job `permissions: { packages: write }` and remove `fallback-token`",
      ],
      fixReplaces: true,
      details: { org: f.owner, owner: f.owner, ownerType: 'org', policy: 'lifetime' },
    })
    return []
  }
  if (org.kind === 'forbids-classic-pat') {
    result.candidate = false
    add('org-forbids-classic-pat', {
      message:
        `The ${f.owner} organisation forbids personal access tokens (classic), and GitHub Packages does ` +
        "not accept fine-grained ones, so only the run's own GITHUB_TOKEN can push to its packages.",
      details: { org: f.owner, owner: f.owner, ownerType: 'org' },
    })
    return []
  }
  if (org.kind === 'unreachable' || org.kind === 'bad-response') {
    return [`GET /orgs/${f.owner}: ${describe(org)}`]
  }
  if (org.kind === 'http-error' && org.status !== 401) {
    return [`GET /orgs/${f.owner}: ${describe(org)}`]
  }
  return []
}

/** Only the namespace's owner can create packages in a user namespace (research §1.4). */
function checkNamespaceOwner(f: FallbackFacts, result: FallbackAssessment, add: Add): void {
  const login = result.login
  if (f.ownerType !== 'user' || !login || !result.candidate) return
  if (login.toLowerCase() === f.owner.toLowerCase()) return
  add('fallback-token-owner-mismatch', {
    severity: 'warning',
    message:
      `The fallback token belongs to ${login}, but the image is in the user namespace of ${f.owner}: only ` +
      `${f.owner} can create packages there ("permission_denied: create_package"), and an existing ` +
      `package accepts it only if ${f.owner} gave ${login} write access to it.`,
    details: { owner: f.owner, ownerType: 'user', login },
  })
}

function pickUsername(f: FallbackFacts, result: FallbackAssessment, login?: string): void {
  if (f.usernameInput) {
    result.username = f.usernameInput
    result.usernameSource = 'input'
  } else if (login) {
    result.username = login
    result.usernameSource = 'token-owner'
  } else {
    result.username = f.actor
    result.usernameSource = 'actor'
  }
}

function missingFacts(f: FallbackFacts): FindingFacts {
  if (f.untrusted === 'fork-pull-request') {
    return {
      // Expected in a fork pull request: reported, but the run-level finding carries the verdict.
      severity: 'warning',
      message:
        'The fallback-token input is empty because this run comes from a pull request from a fork: ' +
        'GitHub passes no secrets (other than a read-only GITHUB_TOKEN) to such runs.',
      fix: [
        'Fork pull requests never receive these secrets: skip the push for them, e.g. `if: github.event.pull_request.head.repo.full_name == github.repository` on the push steps.',
      ],
      details: { untrusted: f.untrusted },
    }
  }
  if (f.untrusted === 'dependabot-run') {
    return {
      severity: 'warning',
      message:
        'The fallback-token input is empty because Dependabot triggered this run: such runs receive ' +
        'only Dependabot secrets, never Actions secrets.',
      fix: [
        `Store the same token as a Dependabot secret with the same name at ${dependabotSecretsUrl(f.place)} (Actions secrets are not visible to Dependabot runs).`,
        "Or push with the run's token: Dependabot runs may raise it with `permissions: { packages: write }`.",
      ],
      details: { untrusted: f.untrusted },
    }
  }
  return {
    message:
      'The workflow passes a fallback-token, but its value is empty in this run: the secret it names is ' +
      `not defined for ${f.place.repository} (or is empty, or is misspelt).`,
    details: {},
  }
}

function describe(r: { kind: string; status?: number; reason?: string; message?: string }): string {
  if (r.kind === 'unreachable') return r.reason ?? 'no answer'
  if (r.kind === 'bad-response') return r.reason ?? `bad answer (HTTP ${r.status})`
  return `HTTP ${r.status}${r.message ? ` "${r.message}"` : ''}`
}

function hostOf(serverUrl: string): string {
  try {
    return new URL(serverUrl).host
  } catch {
    return 'github.com'
  }
}

/** 2027-10-12 09:00 UTC */
function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
