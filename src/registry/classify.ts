// Pure: turns one probe outcome into findings. The registry's refusal text names the cause,
// so each known message maps to one finding id; every message quotes the registry's exact answer
// (a text no rule knows is kept word for word) and names the image and the credential.
//
// What each text means comes from real failure reports (corpus/failures/, replayed by the test
// suite), which outrank the research notes where they disagree:
// - "installation not allowed to Create|Write organization package" is the run's own installation
//   refused, in personal namespaces too (macbre/push-to-ghcr#31); almost always a token without
//   packages: write (a missing permission, a fork, Dependabot);
// - the same words behind "permission_denied: " come from another GitHub App's installation
//   token (product-os/flowzone#516);
// - "permission_denied: write_package" is a token that may write packages but not this existing
//   package: its access list (tuna-os/tunaOS#642, danger/danger-js#1414);
// - "permission_denied: The requested installation does not exist." is a namespace with no
//   installation for the token: another account's personal namespace (PwnKit-Labs/pwnkit#184).

import { makeFinding } from '../findings/catalogue.js'
import { orgPackageSettingsUrl, packageSettingsUrl } from '../findings/links.js'
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
   * run: the usual cause of an installation refusal (no write) is ruled out.
   */
  runTokenHasWrite?: boolean
  /** The workflow passes `github-token:` something other than the run's own token (as written,
   * e.g. `${{ steps.app.outputs.token }}`): the first suspect of an unexplained refusal. */
  githubTokenInput?: string
  /** For the fix texts: the running job, its workflow file, and whether the file grants the
   * job packages: write ('yes' / 'no'; absent when the file could not be read). */
  job?: string
  file?: string
  jobGrantsWrite?: 'yes' | 'no'
}

interface Rule {
  match: RegExp
  id: (ctx: ClassifyContext) => FindingId
  explain: (ctx: ClassifyContext, who: string) => string
  /** Fix steps that replace the catalogue's, where they do not fit this credential. */
  fix?: (ctx: ClassifyContext) => string[] | undefined
}

const RUN_TOKEN = "the run's GITHUB_TOKEN"
const FALLBACK = 'the fallback token (fallback-token input)'

const isRun = (ctx: ClassifyContext): boolean => ctx.credential === 'github-token'

// First match wins; specific registry texts before the generic verdicts. The App-token form
// ("permission_denied: installation not allowed …") must come before the run token's own.
const RULES: Rule[] = [
  {
    match:
      /permission_denied:\s*installation not allowed to (?:Create|Write|Read) organization package/i,
    id: (ctx) => (isRun(ctx) ? 'github-token-app-token' : 'fallback-token-app-token'),
    explain: (ctx) =>
      `The "permission_denied:" prefix is ghcr.io's answer to a GitHub App installation token that is not a run's own GITHUB_TOKEN (e.g. one from actions/create-github-app-token): GitHub Packages accepts no such token, whatever permissions the App has${isRun(ctx) ? ", so the token passed as `github-token` is not this run's GITHUB_TOKEN" : ''}.`,
  },
  {
    match: /The requested installation does not exist/i,
    id: (ctx) => (isRun(ctx) ? 'image-owner-mismatch' : 'fallback-token-app-token'),
    explain: (ctx, who) =>
      isRun(ctx)
        ? `The namespace ${ctx.owner} has no installation for ${who}: it is ${ctx.ownerType === 'org' ? 'an organisation' : 'a personal account'} other than the owner of ${ctx.runRepository}, and a run's token can only push to packages of its own repository's owner.`
        : `The namespace ${ctx.owner} has no installation for ${who}: it is an installation token of another account, and GitHub Packages accepts no App token but a run's own GITHUB_TOKEN.`,
  },
  {
    // A namespace GitHub does not know: the account was renamed or deleted, and ghcr.io does not
    // follow renames (alex-on-ai/WebReaper#254: "denied: not_found: owner not found").
    match: /not_found:\s*owner not found/i,
    id: () => 'image-owner-mismatch',
    explain: (ctx) =>
      `There is no account ${ctx.owner} on GitHub: it was renamed or deleted, and ghcr.io does not follow renames to the new name. Push under the account's current name (for the run's own owner: \`\${{ github.repository_owner }}\`, lower-cased).`,
  },
  {
    match: /installation not allowed to Create organization package/i,
    id: (ctx) =>
      ctx.ownerType === 'user' && isRun(ctx) ? 'github-token-denied' : 'org-package-create-denied',
    explain: (ctx, who) =>
      ctx.runTokenHasWrite && isRun(ctx)
        ? `${capitalise(who)} was refused although the job grants packages: write and the run is not read-only. ${installationCandidates(ctx, 'Create')}`
        : `${capitalise(who)} may not create the package ${ctx.owner}/${ctx.packageName}: this is the answer to a token without packages: write (the job's permissions, or a read-only fork or Dependabot run)${ctx.ownerType === 'user' ? '' : `, or an organisation whose package creation policy forbids it`}; a typo in the image name asks for a new package and gets the same answer.`,
  },
  {
    match: /installation not allowed to Write organization package/i,
    id: (ctx) =>
      ctx.ownerType === 'user' && isRun(ctx) ? 'github-token-denied' : 'org-package-write-denied',
    explain: (ctx, who) =>
      ctx.runTokenHasWrite && isRun(ctx)
        ? `${capitalise(who)} was refused although the job grants packages: write and the run is not read-only. ${installationCandidates(ctx, 'Write')}`
        : `The package ${ctx.owner}/${ctx.packageName} exists and ${who} may not write to it: this is the answer to a token without packages: write (the job's permissions, or a read-only fork or Dependabot run).`,
  },
  {
    match: /permission_denied:\s*write_package/i,
    id: () => 'package-not-linked',
    explain: (ctx, who) =>
      isRun(ctx)
        ? `This is the answer to a token that may write packages but not this one: the package ${ctx.owner}/${ctx.packageName} exists and ${ctx.runRepository} has no Write role under its "Manage Actions access" (it was first pushed by hand or from another repository, or is connected to another repository).`
        : `The package ${ctx.owner}/${ctx.packageName} exists and the account that owns ${who} has no write access to it.`,
    // A PAT acts as its owner's account: the repository's Actions access does not apply to it.
    fix: (ctx) =>
      isRun(ctx)
        ? undefined
        : [
            `Give the account that owns the fallback token the Write role on the package: ${packageSettingsUrl(ctx.place, ctx.ownerType === 'user' ? 'user' : 'org', ctx.owner, ctx.packageName)} → "Manage access" (an organisation owner or the package's admin can add it; an organisation member's own role does not give write to every package)`,
            `Or push with the run's own GITHUB_TOKEN instead: give the job \`permissions: { packages: write }\` and ${ctx.runRepository} the Write role under the package's "Manage Actions access"`,
          ],
  },
  {
    match: /permission_denied:\s*create_package/i,
    id: (ctx) => (isRun(ctx) ? 'image-owner-mismatch' : 'fallback-token-owner-mismatch'),
    explain: (ctx, who) =>
      ctx.ownerType === 'org'
        ? `${capitalise(who)} may not create a package in the organisation ${ctx.owner}: its owner must be a member the organisation lets create packages (organisation settings → Packages → Package creation).`
        : `${capitalise(who)} may not create a package in the namespace ${ctx.owner}: only that namespace's owner (or an organisation it belongs to) can create packages there.`,
    // The catalogue's steps are for a personal namespace (a PAT of its owner); in an
    // organisation the way out is the organisation's package creation setting.
    fix: (ctx) =>
      !isRun(ctx) && ctx.ownerType === 'org'
        ? [
            `An organisation owner can let members create packages at ${orgPackageSettingsUrl(ctx.place, ctx.owner)} ("Package creation"), or create ${ctx.owner}/${ctx.packageName} once and give the fallback token's owner the Write role in its settings`,
            `Or push with the run's own GITHUB_TOKEN, which can create packages in its repository's organisation: give the job \`permissions: { packages: write }\``,
          ]
        : undefined,
  },
  {
    // The organisation's maximum-lifetime policy for classic PATs, not a ban (its exact words are
    // not on record: "lifetime" is what tells it apart): a shorter-lived classic PAT works.
    match: /forbids access via a personal access token \(classic\).*lifetime/i,
    id: () => 'org-forbids-classic-pat',
    explain: (ctx, who) =>
      `The organisation ${ctx.owner} limits how long a personal access token (classic) may live, and ${who} lives longer: create one whose expiration is within the organisation's maximum lifetime, or push with the run's own GITHUB_TOKEN.`,
  },
  {
    match: /forbids access via a personal access token \(classic\)/i,
    id: () => 'org-forbids-classic-pat',
    explain: (ctx) =>
      `The organisation ${ctx.owner} blocks classic personal access tokens, and GitHub Packages does not accept fine-grained ones: only the run's GITHUB_TOKEN can push there.`,
  },
  {
    match: /does not match expected scopes/i,
    id: (ctx) => (isRun(ctx) ? 'github-token-denied' : 'fallback-token-scopes'),
    explain: (_ctx, who) =>
      `${capitalise(who)} lacks the write:packages scope (a fine-grained token, or a classic one created without it).`,
  },
  // Answers that name the image, not the token (real reports in corpus/failures/).
  {
    // schlagmichdoch/PairDrop#53: "ERROR: name invalid" for a reference with no owner segment.
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

/**
 * "installation not allowed to …" although the job grants write and the run is trusted: the
 * candidates in the order real reports show them, each with how to tell it apart.
 */
function installationCandidates(ctx: ClassifyContext, what: 'Create' | 'Write'): string {
  const repo = ctx.runRepository
  const list = [
    ctx.githubTokenInput
      ? `the token passed as \`github-token\` (\`${ctx.githubTokenInput}\`) is not this run's GITHUB_TOKEN: a GitHub App installation token cannot push to GitHub Packages (SlyBase/helm-charts#595, atlanhq/application-sdk#2681); pass \`\${{ github.token }}\``
      : `a token other than this run's GITHUB_TOKEN, such as a GitHub App installation token (SlyBase/helm-charts#595, atlanhq/application-sdk#2681): check that \`github-token\` and the login step's \`password\` are \`\${{ github.token }}\``,
    ...(ctx.ownerType === 'user'
      ? []
      : [
          `an organisation policy (airbus/sen#173): the answer stays the same after ${repo} is given the Write (even Admin) role under the package's "Manage Actions access"; an organisation owner must check the organisation's Packages and Actions settings`,
        ]),
    'a run from a fork that the event does not show (a re-run, workflow_run or workflow_call from a fork pull request): its token is read-only whatever the file asks for',
    what === 'Write'
      ? `the package's access list: ${repo} lacks the Write role under "Manage Actions access" (granting it fixes the next push at once)`
      : `a package name the organisation does not let this repository create (a typo, or package creation limited by the organisation)`,
  ]
  return `Real reports show these causes, most frequent first: ${list.map((c, i) => `(${i + 1}) ${c}`).join('; ')}.`
}

/**
 * A refusal without a reason (podman and older clients print only "403 (Forbidden)"; a registry
 * may send only a code): the likely causes in the order real reports show them, with how to
 * tell them apart. Package access comes first when the job is known to grant write.
 */
function bareRefusalCauses(ctx: ClassifyContext): string {
  const repo = ctx.runRepository
  const permission =
    "the job's token lacks packages: write (no permissions block with a read-only default, packages: read, or a fork or Dependabot run): the job's permissions block and the event show it"
  const access = `the package ${ctx.owner}/${ctx.packageName} exists and ${repo} lacks the Write role under its "Manage Actions access" (a package first pushed by hand or from another repository): the package settings page shows it`
  const namespace = `the namespace ${ctx.owner} is not ${repo.split('/')[0]}, the owner of the repository: the image name shows it`
  const other = ctx.githubTokenInput
    ? `the token passed as \`github-token\` (\`${ctx.githubTokenInput}\`) is not this run's GITHUB_TOKEN: a GitHub App installation token cannot push to GitHub Packages (camunda/camunda-platform-helm#5521)`
    : "the token is not this run's GITHUB_TOKEN (a GitHub App installation token or an expired PAT passed as `github-token`)"
  // A github-token the workflow sets itself is the first suspect; then the real-report order.
  const list = ctx.githubTokenInput
    ? [other, ...(ctx.runTokenHasWrite ? [access, namespace] : [permission, access])]
    : ctx.runTokenHasWrite
      ? [access, other, namespace]
      : [permission, access, other]
  return `The registry gave no reason. Likely causes, most frequent first in real reports: ${list.map((c, i) => `(${i + 1}) ${c}`).join('; ')}.`
}

export function classifyProbe(outcome: ProbeOutcome, ctx: ClassifyContext): Finding[] {
  if (outcome.verdict === 'allowed') return []
  const who = isRun(ctx) ? RUN_TOKEN : FALLBACK
  const details: Record<string, string | undefined> = {
    owner: ctx.owner,
    ownerType: ctx.ownerType,
    package: ctx.packageName,
    credential: ctx.credential,
    repository: ctx.runRepository,
    status: outcome.status === undefined ? undefined : String(outcome.status),
    registryCode: outcome.code,
    registryMessage: outcome.message,
    job: ctx.job,
    file: ctx.file,
    jobGrantsWrite: ctx.jobGrantsWrite,
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
    const fix = rule.fix?.(ctx)
    return [
      makeFinding(rule.id(ctx), ctx.place, {
        ...base,
        message: `${refused} ${rule.explain(ctx, who)}`,
        ...(fix ? { fix, fixReplaces: true } : {}),
      }),
    ]
  }

  // No rule knows the text (or there is none): the exact answer is in `refused`.
  const tokenService = outcome.step === 'token'
  const bare = !outcome.message || /^(?:denied|forbidden|unauthorized)$/i.test(outcome.message)
  if (ctx.credential === 'fallback-token') {
    if (outcome.verdict === 'unauthorized') {
      return [
        makeFinding('fallback-token-invalid', ctx.place, {
          ...base,
          message: `${refused} The ${tokenService ? 'token service' : 'registry'} did not accept the token: it is expired, revoked or wrong, or not authorised for the organisation's SAML single sign-on.`,
        }),
      ]
    }
    // Authenticated but refused with no known text (distribution: 401 insufficient_scope):
    // the token's grant does not include push for this repository.
    return [
      makeFinding('fallback-token-scopes', ctx.place, {
        ...base,
        message: `${refused} The token was accepted but its grant does not include push to ${ctx.owner}/${ctx.packageName}: it lacks the write:packages scope, or its owner has no write access to the package.`,
      }),
    ]
  }

  const why =
    outcome.verdict === 'unauthorized'
      ? `The ${tokenService ? 'token service' : 'registry'} did not accept the token passed as \`github-token\` at all: it is not a valid token for ${ctx.place.registry} (an expired or revoked PAT, or a token of another GitHub instance).`
      : bare
        ? bareRefusalCauses(ctx)
        : `The run's token was accepted but may not push to ${ctx.owner}/${ctx.packageName}; ghcr-preflight does not know this answer, so its exact words are quoted above.`
  return [makeFinding('github-token-denied', ctx.place, { ...base, message: `${refused} ${why}` })]
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
