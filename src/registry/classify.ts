// Pure: turns one probe outcome into findings. The registry's refusal text names the cause
// (research ghcr-failure-modes §1, §9), so each known message maps to one finding id; every
// message quotes the registry's exact answer and names the image and the credential.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, FindingId, Place } from '../findings/types.js'
import type { CredentialSource, ProbeOutcome } from './types.js'

export interface ClassifyContext {
  credential: CredentialSource
  /** The normalised image reference, e.g. ghcr.io/acme/app. */
  image: string
  /** The image's namespace, e.g. acme. */
  owner: string
  ownerType?: 'user' | 'org'
  packageName: string
  place: Place
  /** owner/repo of the run. */
  runRepository: string
  /**
   * The workflow grants the run's token packages: write and the run is not a fork or Dependabot
   * run: of the causes behind "Write organization package", only the package's access list is left.
   */
  runTokenHasWrite?: boolean
}

interface Rule {
  match: RegExp
  id: (credential: CredentialSource, ctx: ClassifyContext) => FindingId
  explain: (ctx: ClassifyContext, who: string) => string
}

const RUN_TOKEN = "the run's GITHUB_TOKEN"
const FALLBACK = 'the fallback token (fallback-token input)'

// First match wins; specific registry texts before the generic verdicts.
const RULES: Rule[] = [
  {
    match: /installation not allowed to Create organization package/i,
    id: () => 'org-package-create-denied',
    explain: (ctx, who) =>
      `The organisation ${ctx.owner} does not let ${who} create the new package ${ctx.packageName}: the job's token lacks packages: write, or the organisation's package creation policy forbids it.`,
  },
  {
    match: /installation not allowed to Write organization package/i,
    id: (credential, ctx) =>
      credential === 'github-token' && ctx.runTokenHasWrite
        ? 'package-not-linked'
        : 'org-package-write-denied',
    explain: (ctx, who) =>
      who === RUN_TOKEN && ctx.runTokenHasWrite
        ? `The organisation package ${ctx.owner}/${ctx.packageName} exists, the job grants packages: write and the run is not read-only, so ${ctx.runRepository} lacks the Write role under the package's "Manage Actions access" (or is not the repository the package is connected to).`
        : `The organisation package ${ctx.owner}/${ctx.packageName} exists and ${who} may not write to it: the job's token lacks packages: write, the run is read-only (fork or Dependabot), or ${ctx.runRepository} has no write role under the package's "Manage Actions access".`,
  },
  {
    match: /permission_denied: write_package/i,
    id: () => 'package-not-linked',
    explain: (ctx, who) =>
      who === RUN_TOKEN
        ? `The package ${ctx.owner}/${ctx.packageName} exists but the repository ${ctx.runRepository} has no write access to it: it is linked to another repository or was created by a manual push, and ${ctx.runRepository} is not in its "Manage Actions access" list with the Write role.`
        : `The package ${ctx.owner}/${ctx.packageName} exists and the account that owns ${who} has no write access to it.`,
  },
  {
    match: /permission_denied: create_package/i,
    id: (credential) =>
      credential === 'github-token' ? 'image-owner-mismatch' : 'fallback-token-owner-mismatch',
    explain: (ctx, who) =>
      ctx.ownerType === 'org'
        ? `${capitalise(who)} may not create a package in the organisation ${ctx.owner}: its owner must be a member the organisation lets create packages (organisation settings → Packages → Package creation).`
        : `${capitalise(who)} may not create a package in the namespace ${ctx.owner}: only that namespace's owner (or an organisation it belongs to) can create packages there.`,
  },
  {
    match: /forbids access via a personal access token \(classic\)/i,
    id: () => 'org-forbids-classic-pat',
    explain: (ctx) =>
      `The organisation ${ctx.owner} blocks classic personal access tokens, and GitHub Packages does not accept fine-grained ones: only the run's GITHUB_TOKEN can push there.`,
  },
  {
    match: /does not match expected scopes/i,
    id: (credential) =>
      credential === 'fallback-token' ? 'fallback-token-scopes' : 'github-token-denied',
    explain: (_ctx, who) =>
      `${capitalise(who)} lacks the write:packages scope (a fine-grained token, or a classic one created without it).`,
  },
  // Answers that name the image, not the token (real reports in corpus/failures/).
  {
    // PwnKit-Labs/pwnkit#184, grafana/k6: a namespace with no installation for the token.
    match: /The requested installation does not exist/i,
    id: (credential) =>
      credential === 'github-token' ? 'image-owner-mismatch' : 'fallback-token-app-token',
    explain: (ctx, who) =>
      `The namespace ${ctx.owner} has no installation for ${who}: it is not the owner of ${ctx.runRepository}, and a run's token can push only to packages of its own repository's owner.`,
  },
  {
    // alex-on-ai/WebReaper: ghcr.io does not follow an account rename for the old namespace.
    match: /not_found:\s*owner not found/i,
    id: () => 'image-owner-mismatch',
    explain: (ctx) =>
      `There is no account ${ctx.owner} on ${ctx.place.registry} (renamed or deleted): push to the current owner's namespace.`,
  },
  {
    match: /\bname invalid\b|invalid repository name/i,
    id: () => 'image-name-invalid',
    explain: (ctx) =>
      `${ctx.place.registry} does not accept ${ctx.image} as a repository name (a missing owner segment, an empty part, or characters no name may hold).`,
  },
  {
    // Docker Hub's refusal: ghcr.io never says this, so the push did not go to ghcr.io at all.
    match: /requested access to the resource is denied/i,
    id: () => 'image-registry-mismatch',
    explain: () =>
      'This is Docker Hub\'s answer, not ghcr.io\'s: the image reference has no "ghcr.io/" prefix, so the push went to docker.io.',
  },
]

export function classifyProbe(outcome: ProbeOutcome, ctx: ClassifyContext): Finding[] {
  if (outcome.verdict === 'allowed') return []
  const who = ctx.credential === 'github-token' ? RUN_TOKEN : FALLBACK
  const details: Record<string, string | undefined> = {
    owner: ctx.owner,
    ownerType: ctx.ownerType,
    package: ctx.packageName,
    credential: ctx.credential,
    repository: ctx.runRepository,
    status: outcome.status === undefined ? undefined : String(outcome.status),
    registryCode: outcome.code,
    registryMessage: outcome.message,
  }
  const base = { image: ctx.image, details }

  if (outcome.verdict === 'inconclusive') {
    const reason = outcome.reason ?? 'the registry gave no usable answer'
    return [
      makeFinding('probe-inconclusive', ctx.place, {
        ...base,
        severity: 'warning',
        message: `Could not prove whether ${who} can push ${ctx.image}: ${reason}. Nothing was concluded from this probe.`,
        details: { ...details, reason },
      }),
    ]
  }

  const answer = registryAnswer(outcome)
  const refused = `${ctx.place.registry} refused ${who} for ${ctx.image}: ${answer}.`
  const rule = RULES.find((r) => r.match.test(outcome.message ?? ''))
  if (rule) {
    return [
      makeFinding(rule.id(ctx.credential, ctx), ctx.place, {
        ...base,
        message: `${refused} ${rule.explain(ctx, who)}`,
      }),
    ]
  }

  if (ctx.credential === 'fallback-token') {
    if (outcome.verdict === 'unauthorized') {
      return [
        makeFinding('fallback-token-invalid', ctx.place, {
          ...base,
          message: `${refused} The registry did not accept the token: it is expired, revoked or wrong, or not authorised for the organisation's SAML single sign-on.`,
        }),
      ]
    }
    // Authenticated but refused with no known text (distribution: 401 insufficient_scope):
    // the token's grant does not include push for this repository.
    return [
      makeFinding('fallback-token-scopes', ctx.place, {
        ...base,
        message: `${refused} The token was accepted but its grant does not include push to ${ctx.owner}/${ctx.packageName}.`,
      }),
    ]
  }

  return [
    makeFinding('github-token-denied', ctx.place, {
      ...base,
      message:
        outcome.verdict === 'unauthorized'
          ? `${refused} The registry did not accept the run's token at all.`
          : `${refused} The run's token was accepted but may not push to ${ctx.owner}/${ctx.packageName}.`,
    }),
  ]
}

/** The registry's answer as the user would see it: step, status, code and exact message. */
export function registryAnswer(outcome: ProbeOutcome): string {
  const where = outcome.step === 'token' ? 'the token service answered' : 'starting an upload got'
  const status = outcome.status === undefined ? 'no status' : String(outcome.status)
  const code = outcome.code ? ` ${outcome.code}` : ''
  const message = outcome.message ? ` "${outcome.message}"` : ''
  return `${where} ${status}${code}${message}`
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}
