// The preflight itself: gathers the facts (image names, run event, workflow file, fallback
// token, registry probe, package link) with every independent request in flight together, then
// hands them to the pure decision. Takes its I/O by injection so tests can drive it.
//
// Critical path: the registry's challenge, the token request and the upload POST (3 sequential
// round trips); the REST calls (workflow file, owner type, fallback checks, package link) run
// beside them.

import { decide, type CandidateFacts, type ProbeVerdict } from './decision/decide.js'
import { resolveRunTokenFindings } from './decision/causes.js'
import { mergeFallbackFindings, settleSeverities, sortFindings } from './decision/severities.js'
import type { RunContext } from './context.js'
import { makeFinding } from './findings/catalogue.js'
import type { Finding, Place } from './findings/types.js'
import { checkFallback } from './fallback/check.js'
import type { FallbackAssessment } from './fallback/assess.js'
import type { GitHubApi } from './github/api.js'
import type { HttpClient } from './http/types.js'
import type { CheckedImage } from './image/check.js'
import { normaliseImages } from './image/inputs.js'
import { judgePushLogin } from './image/push-login.js'
import { judgePushNames } from './image/push-names.js'
import { checkRegistryHost } from './image/registry-host.js'
import type { Inputs } from './inputs.js'
import { checkPackageLink, type PackageLink } from './package/linkage.js'
import { classifyProbe } from './registry/classify.js'
import { fetchChallenge } from './registry/challenge.js'
import { probeAll, type ProbeCredential, type ProbeResult } from './registry/probe-all.js'
import { fallbackCheck, probeChecks } from './report/checks.js'
import type { Check, Report } from './report/types.js'
import { checkEvent } from './run/events.js'
import { analyseWorkflow } from './workflow-facts.js'

export interface PreflightDeps {
  http: HttpClient
  api: GitHubApi
  /** Where the registry is reached (the GHCR_PREFLIGHT_REGISTRY_URL seam), else https://<registry>. */
  registryBaseUrl?: string
  mask: (secret: string) => void
  log: (line: string) => void
  now?: () => Date
}

export interface PreflightOutcome {
  report: Report
  /** The chosen credential; '' when none. Masked by the caller before it is set as an output. */
  password: string
}

type Namespace = 'user' | 'org' | 'unknown'

/** How long the package-link lookup may outlast the probe and the fallback checks. */
const LINK_GRACE_MS = 1500

/** The promise's value, or `late` when it takes longer than `ms`. */
async function settleWithin<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export async function preflight(
  inputs: Inputs,
  ctx: RunContext,
  deps: PreflightDeps,
): Promise<PreflightOutcome> {
  const started = Date.now()
  const registry = inputs.registry ?? ctx.defaultRegistry
  const place: Place = { serverUrl: ctx.serverUrl, repository: ctx.repository, registry }
  const findings: Finding[] = []
  const checks: Check[] = []

  // Static facts first: pure and instant.
  const hostFindings = checkRegistryHost(ctx.serverUrl, registry, place)
  findings.push(...hostFindings)
  // A token of one GitHub instance is not valid on another's registry: it is not even sent there.
  const foreignRegistry = hostFindings.some((f) => f.severity === 'error')
  const { images, imageBlocked, imageFindings } = normaliseImages(inputs.images, {
    registry,
    repository: ctx.repository,
    owner: ctx.owner,
    place,
  })
  findings.push(...imageFindings)
  checks.push({
    name: 'image names',
    status: imageBlocked ? 'fail' : imageFindings.length > 0 ? 'warn' : 'pass',
    detail: images.map((i) => i.name).join(', ') || 'no usable image',
  })
  const event = checkEvent(ctx, place)
  findings.push(...event.findings)
  checks.push({
    name: 'run event',
    status: event.untrusted ? 'warn' : 'pass',
    detail: event.untrusted
      ? `${event.untrusted} (${ctx.eventName})`
      : `${ctx.eventName || 'unknown event'} by ${ctx.actor || 'unknown actor'}`,
  })

  const runToken = foreignRegistry ? '' : inputs.githubToken
  const fallbackToken = inputs.fallbackToken
  if (!inputs.githubToken) {
    findings.push(
      makeFinding('input-invalid', place, {
        severity: fallbackToken ? 'warning' : 'error',
        message:
          "the github-token input is empty, so the run's own token cannot be checked or used" +
          (fallbackToken ? '; only the fallback token is tried' : ''),
        details: {
          input: 'github-token',
          expected:
            'remove it (it defaults to `${{ github.token }}`) or pass `${{ github.token }}`',
        },
      }),
    )
  }
  const actor = ctx.actor || 'github-actions[bot]'
  const probeEnabled = inputs.probe && !imageBlocked && images.length > 0

  // Everything that needs the network starts now, together.
  // The owner's kind (user or organisation) only matters for REST calls; a static run makes none.
  const namespaceTask: Promise<Map<string, Namespace>> =
    probeEnabled || fallbackToken
      ? namespacesOf(images, ctx, deps.api, inputs.githubToken)
      : Promise.resolve(new Map())
  const base = deps.registryBaseUrl ?? `https://${registry}`
  const challenge = probeEnabled ? fetchChallenge(deps.http, base) : undefined
  const credentials: ProbeCredential[] = []
  if (runToken) credentials.push({ source: 'github-token', username: actor, password: runToken })
  // The fallback is probed at once with the best username known now; ghcr.io is not known to
  // check it (research §2.2), and the PAT owner's login from GET /user is what gets exported.
  if (fallbackToken) {
    credentials.push({
      source: 'fallback-token',
      username: inputs.fallbackUsername ?? actor,
      password: fallbackToken,
    })
  }
  const probeTask =
    probeEnabled && credentials.length > 0
      ? probeAll({
          http: deps.http,
          baseUrl: base,
          registryHost: registry,
          targets: images.map((i) => ({ image: i.name, repository: i.path })),
          credentials,
          challenge: challenge!,
          onSecret: deps.mask,
        })
      : Promise.resolve(undefined)

  // Parsing the repository's workflow files is the run's heaviest CPU work: it starts once the
  // registry's requests are on the wire.
  const workflowTask = analyseWorkflow({ inputs, ctx, api: deps.api, place, registry })
  const [workflow, namespaces] = await Promise.all([workflowTask, namespaceTask])
  const kindOf = (o: string): Namespace => namespaces.get(o) ?? 'unknown'
  // The fallback's organisation checks (SSO, classic-PAT policy) concern the first image's owner.
  const owner = images[0]?.owner ?? ctx.owner.toLowerCase()
  const namespace = kindOf(owner)
  const fallbackConfigured = fallbackToken !== '' || workflow.fallbackConfigured
  const fallbackTask: Promise<FallbackAssessment | undefined> = fallbackConfigured
    ? checkFallback({
        api: deps.api,
        token: fallbackToken,
        runToken,
        configured: true,
        ownerType: namespace,
        owner,
        place,
        actor,
        ...(inputs.fallbackUsername ? { usernameInput: inputs.fallbackUsername } : {}),
        ...(event.untrusted ? { untrusted: event.untrusted } : {}),
        ...(deps.now ? { now: deps.now() } : {}),
        ...(workflow.fallbackAt ? { at: workflow.fallbackAt } : {}),
      })
    : Promise.resolve(undefined)
  // Which repository the package is linked to: asked with the fallback once it is known to be a
  // usable PAT (its 404 means "no such package"), else with the run token (whose 404 proves
  // nothing). Only worth asking when the registry is asked too.
  const linkTask: Promise<PackageLink[]> = probeEnabled
    ? fallbackTask.then((fb) => {
        const usePat = !!fb && fb.candidate && !fb.inconclusive && fallbackToken !== ''
        const token = usePat ? fallbackToken : runToken
        if (!token) return []
        return Promise.all(
          images.flatMap((image) => {
            const ownerType = kindOf(image.owner)
            if (ownerType === 'unknown') return []
            return [
              checkPackageLink({
                api: deps.api,
                token,
                tokenIsRunToken: !usePat,
                ownerType,
                owner: image.owner,
                name: image.path.slice(image.owner.length + 1),
                runRepository: ctx.repository,
                place,
                image: image.name,
              }),
            ]
          }),
        )
      })
    : Promise.resolve([])
  const [probe, fallback] = await Promise.all([probeTask, fallbackTask])
  // The package link only adds detail to messages: once the verdict's facts are in, a slow API
  // may hold the step only a little longer.
  const links = await settleWithin(linkTask, LINK_GRACE_MS, [])

  findings.push(...workflow.findings)
  checks.push(...workflow.checks)
  // Never a false pass on a name Docker refuses: the probe checked the lower-cased name, which
  // only counts when the workflow's push uses it.
  const nameCase = judgePushNames({
    facts: workflow.pushNames,
    imageInputs: inputs.images,
    run: { repository: ctx.repository, owner: ctx.owner, actor: ctx.actor },
    place,
    inputFindings: findings.filter((f) => f.id === 'image-name-uppercase'),
  })
  // A job that pushes but never logs in pushes with no credential, whatever was proven here.
  const login = judgePushLogin(workflow.pushNames, place)
  findings.splice(
    0,
    findings.length,
    ...findings.filter((f) => f.id !== 'image-name-uppercase'),
    ...nameCase.findings,
    ...login.findings,
  )

  // Registry answers → findings per credential.
  const resultsFor = (source: ProbeCredential['source']): ProbeResult[] =>
    probe?.results.filter((r) => r.credential === source) ?? []
  const imageOwner = (r: ProbeResult): string =>
    images.find((i) => i.name === r.image)?.owner ?? owner
  const classify = (r: ProbeResult): Finding[] => {
    const ownerType = kindOf(imageOwner(r))
    return classifyProbe(r.outcome, {
      credential: r.credential,
      image: r.image,
      owner: imageOwner(r),
      ...(ownerType !== 'unknown' ? { ownerType } : {}),
      packageName: r.repository.split('/').slice(1).join('/'),
      place,
      runRepository: ctx.repository,
      runTokenHasWrite: workflow.packages === 'write' && !event.untrusted,
      ...(workflow.pushNames?.githubTokenInput
        ? { githubTokenInput: workflow.pushNames.githubTokenInput }
        : {}),
    })
  }
  const runResults = resultsFor('github-token')
  const fallbackResults = resultsFor('fallback-token')
  const runVerdicts: ProbeVerdict[] = runResults.map((r) => r.outcome.verdict)
  const fallbackVerdicts: ProbeVerdict[] = fallbackResults.map((r) => r.outcome.verdict)
  const runProven = runVerdicts.length > 0 && runVerdicts.every((v) => v === 'allowed')

  const linkFindings = links.flatMap((l) => l.findings)
  const runTokenFindings = resolveRunTokenFindings({
    registryFindings: runResults.flatMap(classify),
    registryAnswers: runResults
      .filter((r) => r.outcome.verdict !== 'allowed')
      .map((r) => r.outcome),
    staticFindings: findings,
    linkFindings,
    untrusted: event.untrusted,
    runProven,
    staticPackages: workflow.packages,
    ...(workflow.pushNames?.githubTokenInput
      ? { githubTokenInput: workflow.pushNames.githubTokenInput }
      : {}),
  })
  findings.splice(0, findings.length, ...runTokenFindings.findings)

  const fallbackCandidate = !!fallback && fallback.candidate && fallbackToken !== ''
  if (fallback) {
    findings.push(
      ...mergeFallbackFindings(
        fallback.findings,
        fallbackCandidate ? fallbackResults.flatMap(classify) : [],
        fallbackResults.map((r) => r.outcome),
      ),
    )
  }

  if (!inputs.probe) {
    findings.push(makeFinding('probe-disabled', place, {}))
  }

  const runFacts: CandidateFacts = {
    source: 'github-token',
    usable: runToken !== '',
    probes: runVerdicts,
  }
  const fallbackFacts: CandidateFacts | undefined = fallbackToken
    ? { source: 'fallback-token', usable: fallbackCandidate, probes: fallbackVerdicts }
    : undefined
  const decision = decide({
    imageBlocked: imageBlocked || nameCase.blocked || login.blocked || images.length === 0,
    ...(event.untrusted ? { untrusted: event.untrusted } : {}),
    onUntrusted: inputs.onUntrusted,
    probeEnabled,
    staticRunToken: workflow.packages,
    runToken: runFacts,
    ...(fallbackFacts ? { fallback: fallbackFacts } : {}),
  })

  // Severity follows the verdict: with a working credential, the other's problems are warnings
  // (root causes to fix so the PAT can be retired), not errors.
  const finalFindings = settleSeverities(
    findings,
    decision.result,
    decision.credential,
    event.untrusted && inputs.onUntrusted === 'fail' ? event.untrusted : undefined,
  )
  checks.push(...probeChecks(runResults, fallbackResults, inputs.probe, !!fallbackToken))
  if (fallback) checks.push(fallbackCheck(fallback))
  for (const l of links) if (l.check) checks.push(l.check)

  const username =
    decision.credential === 'github-token'
      ? actor
      : decision.credential === 'fallback-token'
        ? (fallback?.username ?? inputs.fallbackUsername ?? actor)
        : ''
  const password =
    decision.credential === 'github-token'
      ? runToken
      : decision.credential === 'fallback-token'
        ? fallbackToken
        : ''
  deps.log(`verdict: ${decision.result} (${decision.reason})`)
  if (probe)
    deps.log(
      `registry probe: ${probe.results.length} probe(s), ${probe.roundTrips} sequential round trip(s), ${probe.elapsedMs} ms`,
    )

  return {
    report: {
      result: decision.result,
      canPush: decision.canPush,
      credentialSource: decision.credential,
      registry,
      username,
      images: images.map((i) => i.name),
      findings: sortFindings(finalFindings),
      checks,
      durationMs: Date.now() - started,
      place,
      reason: decision.reason,
    },
    password,
  }
}

/** Each image owner's kind (user or organisation): from the event payload when it names the
 * owner, else the API (one request per other owner, all at once). Unknown owners are left out. */
async function namespacesOf(
  images: CheckedImage[],
  ctx: RunContext,
  api: GitHubApi,
  token: string,
): Promise<Map<string, Namespace>> {
  const owners = [...new Set(images.map((i) => i.owner))]
  const repo = ctx.event.repository as { owner?: { login?: string; type?: string } } | undefined
  const kinds = await Promise.all(
    owners.map(async (owner): Promise<Namespace> => {
      if (repo?.owner?.login && repo.owner.login.toLowerCase() === owner && repo.owner.type) {
        return repo.owner.type === 'Organization' ? 'org' : 'user'
      }
      if (!token) return 'unknown'
      const answer = await api.getOwner(owner, token)
      if (answer.kind !== 'ok') return 'unknown'
      return answer.type === 'Organization' ? 'org' : 'user'
    }),
  )
  return new Map(owners.map((o, i) => [o, kinds[i]!]))
}
