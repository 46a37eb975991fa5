// Pure: the preflight's facts → the verdict, the findings and the summary's checks. No I/O and no
// secret: given the same answers, the same judgement. Never a false pass: `ready`/`fallback` come
// only from decide(), which needs a 202 for every image with that credential.

import { assessFallback, type FallbackAssessment } from '../fallback/assess.js'
import { makeFinding } from '../findings/catalogue.js'
import { judgePushLogin } from '../image/push-login.js'
import { judgePushNames } from '../image/push-names.js'
import type { Finding } from '../findings/types.js'
import { readPackageLink, type PackageLink } from '../package/linkage.js'
import type { PreflightFacts } from '../preflight/facts.js'
import { classifyProbe } from '../registry/classify.js'
import type { ProbeResult } from '../registry/probe-all.js'
import type { CredentialSource as ProbeSource } from '../registry/types.js'
import { fallbackCheck, probeChecks } from '../report/checks.js'
import type { Check, CredentialSource } from '../report/types.js'
import { resolveRunTokenFindings } from './causes.js'
import { decide, type Decision } from './decide.js'
import { mergeFallbackFindings, settleSeverities, sortFindings } from './severities.js'

export interface Judgement extends Decision {
  /** The login to pair with the chosen credential; '' when none. */
  username: string
  /** Severities settled by the verdict; errors first. */
  findings: Finding[]
  checks: Check[]
}

export function judge(f: PreflightFacts): Judgement {
  const fallback = fallbackAssessment(f)
  const links = f.packages.map((p) =>
    readPackageLink(
      {
        tokenIsRunToken: p.askedWithRunToken,
        ownerType: p.ownerType,
        owner: p.owner,
        name: p.name,
        runRepository: f.plan.place.repository,
        place: f.plan.place,
        image: p.image,
      },
      p.answer,
    ),
  )
  const run = resultsFor(f, 'github-token')
  const fb = resultsFor(f, 'fallback-token')
  const fallbackUsable = !!fallback?.candidate && f.plan.fallbackGiven
  const pushes = pushJudgements(f)

  const findings = [
    ...runTokenFindings(f, run, links, pushes.findings),
    ...(fallback
      ? mergeFallbackFindings(
          fallback.findings,
          fallbackUsable ? fb.flatMap((r) => classify(f, r)) : [],
          fb.map((r) => r.outcome),
        )
      : []),
    ...(f.probeInput ? [] : [makeFinding('probe-disabled', f.plan.place, {})]),
  ]
  const decision = decide({
    imageBlocked: f.plan.imageBlocked || pushes.blocked,
    ...(f.plan.untrusted ? { untrusted: f.plan.untrusted } : {}),
    onUntrusted: f.onUntrusted,
    probeEnabled: f.plan.probeEnabled,
    staticRunToken: f.workflow.packages,
    runToken: {
      source: 'github-token',
      usable: f.plan.runTokenUsable,
      probes: run.map((r) => r.outcome.verdict),
    },
    ...(f.plan.fallbackGiven
      ? {
          fallback: {
            source: 'fallback-token' as const,
            usable: fallbackUsable,
            probes: fb.map((r) => r.outcome.verdict),
          },
        }
      : {}),
  })
  const untrustedFailure =
    f.plan.untrusted && f.onUntrusted === 'fail' ? f.plan.untrusted : undefined
  return {
    ...decision,
    username: usernameFor(decision.credential, f, fallback),
    findings: sortFindings(
      settleSeverities(findings, decision.result, decision.credential, untrustedFailure),
    ),
    checks: [
      ...f.plan.checks,
      ...f.workflow.checks,
      ...probeChecks(run, fb, f.probeInput, f.plan.fallbackGiven),
      ...(fallback ? [fallbackCheck(fallback)] : []),
      ...links.map((l) => l.check),
    ],
  }
}

/**
 * What GitHub's answers say about the fallback token (undefined when none is configured). Also
 * used while gathering, to pick the token the package link is asked with.
 */
export function fallbackAssessment(
  f: Pick<
    PreflightFacts,
    'plan' | 'fallback' | 'fallbackUsername' | 'ownerKinds' | 'workflow' | 'now'
  >,
): FallbackAssessment | undefined {
  if (!f.fallback) return undefined
  const { kind, rateLimit, user, org } = f.fallback
  const at = f.workflow.fallbackAt
  return assessFallback({
    kind,
    configured: true,
    ...(f.plan.untrusted ? { untrusted: f.plan.untrusted } : {}),
    ownerType: f.ownerKinds[f.plan.fallbackOwner] ?? 'unknown',
    owner: f.plan.fallbackOwner,
    place: f.plan.place,
    actor: f.plan.actor,
    ...(f.fallbackUsername ? { usernameInput: f.fallbackUsername } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(user ? { user } : {}),
    ...(org ? { org } : {}),
    now: f.now,
    ...(at ? { at } : {}),
  })
}

function resultsFor(f: PreflightFacts, source: ProbeSource): ProbeResult[] {
  return f.probe?.results.filter((r) => r.credential === source) ?? []
}

/** The registry's answer for one image and credential → findings naming its cause. */
function classify(f: PreflightFacts, r: ProbeResult): Finding[] {
  const image = f.plan.images.find((i) => i.name === r.image)
  const owner = image?.owner ?? f.plan.fallbackOwner
  const ownerType = f.ownerKinds[owner] ?? 'unknown'
  return classifyProbe(r.outcome, {
    credential: r.credential,
    image: r.image,
    owner,
    ...(ownerType !== 'unknown' ? { ownerType } : {}),
    packageName: r.repository.split('/').slice(1).join('/'),
    place: f.plan.place,
    runRepository: f.plan.place.repository,
    runTokenHasWrite: f.workflow.packages === 'write' && !f.plan.untrusted,
    ...fixContext(f),
    ...(f.workflow.pushNames?.githubTokenInput
      ? { githubTokenInput: f.workflow.pushNames.githubTokenInput }
      : {}),
  })
}

/**
 * What the workflow's own push steps settle whatever the registry says: a name with capitals in
 * this run that Docker refuses (the probe checked the lower-cased name, which only counts when
 * the push uses it), and a push with no login at all.
 */
function pushJudgements(f: PreflightFacts): { findings: Finding[]; blocked: boolean } {
  const names = judgePushNames({
    facts: f.workflow.pushNames,
    imageInputs: f.plan.imageInputs,
    run: f.plan.names,
    place: f.plan.place,
    inputFindings: f.plan.findings.filter((x) => x.id === 'image-name-uppercase'),
  })
  const login = judgePushLogin(f.workflow.pushNames, f.plan.place)
  return {
    findings: [...names.findings, ...login.findings],
    blocked: names.blocked || login.blocked,
  }
}

/** The plan's and the workflow's findings merged with what the registry said to the run's token. */
function runTokenFindings(
  f: PreflightFacts,
  run: ProbeResult[],
  links: PackageLink[],
  pushFindings: Finding[],
): Finding[] {
  const githubTokenInput = f.workflow.pushNames?.githubTokenInput
  return resolveRunTokenFindings({
    registryFindings: run.flatMap((r) => classify(f, r)),
    registryAnswers: run.filter((r) => r.outcome.verdict !== 'allowed').map((r) => r.outcome),
    // The push judgements replace the image input's capitals findings.
    staticFindings: [
      ...f.plan.findings.filter((x) => x.id !== 'image-name-uppercase'),
      ...f.workflow.findings,
      ...pushFindings,
    ],
    linkFindings: links.flatMap((l) => l.findings),
    untrusted: f.plan.untrusted,
    runProven: run.length > 0 && run.every((r) => r.outcome.verdict === 'allowed'),
    staticPackages: f.workflow.packages,
    ...(githubTokenInput ? { githubTokenInput } : {}),
  }).findings
}

/** What the fix texts need to name the job: its id, its file, and whether the file grants write. */
function fixContext(f: PreflightFacts): {
  job?: string
  file?: string
  jobGrantsWrite?: 'yes' | 'no'
} {
  const file = f.workflow.pushNames?.file
  const grants = f.workflow.packages
  return {
    ...(f.plan.job ? { job: f.plan.job } : {}),
    ...(file ? { file } : {}),
    ...(grants === 'write' ? { jobGrantsWrite: 'yes' as const } : {}),
    ...(grants === 'not-write' ? { jobGrantsWrite: 'no' as const } : {}),
  }
}

function usernameFor(
  credential: CredentialSource,
  f: PreflightFacts,
  fallback: FallbackAssessment | undefined,
): string {
  if (credential === 'github-token') return f.plan.actor
  if (credential === 'fallback-token') {
    return fallback?.username ?? f.fallbackUsername ?? f.plan.actor
  }
  return ''
}
