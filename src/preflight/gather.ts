// All of the preflight's I/O: the registry probe, the workflow file, the owners' kinds, the
// fallback token's REST checks and the package links, with every independent request in flight
// together. Returns facts only; what they mean is judge()'s business.
//
// Critical path: the registry's challenge, the token request and the upload POST (3 sequential
// round trips); the REST calls run beside them.

import { fallbackAssessment } from '../decision/judge.js'
import { askAboutFallback } from '../fallback/check.js'
import type { GitHubApi } from '../github/api.js'
import type { HttpClient } from '../http/types.js'
import type { CheckedImage } from '../image/check.js'
import type { Inputs } from '../inputs.js'
import type { RunContext } from '../context.js'
import { fetchChallenge } from '../registry/challenge.js'
import { probeAll, type ProbeAllResult, type ProbeCredential } from '../registry/probe-all.js'
import { analyseWorkflow } from '../workflow-facts.js'
import type { FallbackAnswers, OwnerKind, PackageAnswer, PreflightFacts, RunPlan } from './facts.js'

export interface GatherDeps {
  http: HttpClient
  api: GitHubApi
  /** Where the registry is reached (the GHCR_PREFLIGHT_REGISTRY_URL seam), else https://<registry>. */
  registryBaseUrl?: string
  mask: (secret: string) => void
  now?: () => Date
}

/** How long the package-link lookup may outlast the probe and the fallback checks. */
const LINK_GRACE_MS = 1500

export async function gather(
  plan: RunPlan,
  inputs: Inputs,
  ctx: RunContext,
  deps: GatherDeps,
): Promise<PreflightFacts> {
  const runToken = plan.runTokenUsable ? inputs.githubToken : ''
  const fallbackToken = inputs.fallbackToken
  // The owner's kind only matters for REST calls; a static run makes none.
  // This instance's API knows nothing of another instance's registry: it is asked only about
  // its own.
  const askApi = !plan.registryOnOtherInstance
  const ownerKindsTask: Promise<Record<string, OwnerKind>> =
    askApi && (plan.probeEnabled || plan.fallbackGiven)
      ? ownerKindsOf(plan.images, ctx, deps.api, inputs.githubToken)
      : Promise.resolve({})
  const probeTask = plan.probeEnabled
    ? startProbes(plan, deps, credentialsFor(plan, inputs, runToken))
    : Promise.resolve(undefined)
  // Parsing the repository's workflow files is the run's heaviest CPU work: it starts once the
  // registry's requests are on the wire.
  const workflowTask = analyseWorkflow({
    inputs,
    ctx,
    api: deps.api,
    place: plan.place,
    registry: plan.registry,
  })
  const [workflow, ownerKinds] = await Promise.all([workflowTask, ownerKindsTask])

  const fallbackTask: Promise<FallbackAnswers | undefined> =
    plan.fallbackGiven || workflow.fallbackConfigured
      ? askAboutFallback({
          api: deps.api,
          token: fallbackToken,
          runToken,
          ownerType: ownerKinds[plan.fallbackOwner] ?? 'unknown',
          owner: plan.fallbackOwner,
          askApi,
        })
      : Promise.resolve(undefined)
  const now = deps.now?.() ?? new Date()
  const packagesTask =
    askApi && plan.probeEnabled
      ? fallbackTask.then((fallback) => {
          // Asked with the fallback once it is known to be a usable PAT (its 404 means "no such
          // package"), else with the run's token (whose 404 proves nothing).
          const assessed = fallbackAssessment({
            plan,
            fallback,
            ownerKinds,
            workflow,
            now,
            ...inputsFor(inputs),
          })
          const patUsable = !!fallbackToken && !!assessed?.candidate && !assessed.inconclusive
          const token = patUsable ? fallbackToken : runToken
          return token ? lookupPackages(plan, ownerKinds, deps.api, token, !patUsable) : []
        })
      : Promise.resolve([])
  const [probe, fallback] = await Promise.all([probeTask, fallbackTask])
  // The package link only adds detail to messages: once the verdict's facts are in, a slow API
  // may hold the step only a little longer.
  const packages = await settleWithin(packagesTask, LINK_GRACE_MS, [])

  return {
    plan,
    onUntrusted: inputs.onUntrusted,
    probeInput: inputs.probe,
    ...inputsFor(inputs),
    workflow,
    ownerKinds,
    ...(probe ? { probe } : {}),
    ...(fallback ? { fallback } : {}),
    packages,
    now,
  }
}

function inputsFor(inputs: Inputs): { fallbackUsername?: string } {
  return inputs.fallbackUsername ? { fallbackUsername: inputs.fallbackUsername } : {}
}

function credentialsFor(plan: RunPlan, inputs: Inputs, runToken: string): ProbeCredential[] {
  const credentials: ProbeCredential[] = []
  if (runToken) {
    credentials.push({ source: 'github-token', username: plan.actor, password: runToken })
  }
  // The fallback is probed at once with the best username known now; ghcr.io is not known to
  // check it (research §2.2), and the PAT owner's login from GET /user is what gets exported.
  if (inputs.fallbackToken) {
    credentials.push({
      source: 'fallback-token',
      username: inputs.fallbackUsername ?? plan.actor,
      password: inputs.fallbackToken,
    })
  }
  return credentials
}

function startProbes(
  plan: RunPlan,
  deps: GatherDeps,
  credentials: ProbeCredential[],
): Promise<ProbeAllResult | undefined> {
  if (credentials.length === 0) return Promise.resolve(undefined)
  const baseUrl = deps.registryBaseUrl ?? `https://${plan.registry}`
  return probeAll({
    http: deps.http,
    baseUrl,
    registryHost: plan.registry,
    targets: plan.images.map((i) => ({ image: i.name, repository: i.path })),
    credentials,
    challenge: fetchChallenge(deps.http, baseUrl),
    onSecret: deps.mask,
  })
}

async function lookupPackages(
  plan: RunPlan,
  ownerKinds: Record<string, OwnerKind>,
  api: GitHubApi,
  token: string,
  askedWithRunToken: boolean,
): Promise<PackageAnswer[]> {
  const known = plan.images.flatMap((image) => {
    const ownerType = ownerKinds[image.owner]
    return ownerType === 'user' || ownerType === 'org' ? [{ image, ownerType }] : []
  })
  return Promise.all(
    known.map(async ({ image, ownerType }): Promise<PackageAnswer> => {
      const name = image.path.slice(image.owner.length + 1)
      return {
        image: image.name,
        owner: image.owner,
        ownerType,
        name,
        askedWithRunToken,
        answer: await api.getPackage(ownerType, image.owner, name, token),
      }
    }),
  )
}

/** Each image owner's kind (user or organisation): from the event payload when it names the
 * owner, else the API (one request per other owner, all at once). */
async function ownerKindsOf(
  images: CheckedImage[],
  ctx: RunContext,
  api: GitHubApi,
  token: string,
): Promise<Record<string, OwnerKind>> {
  const owners = [...new Set(images.map((i) => i.owner))]
  const repo = ctx.event.repository as { owner?: { login?: string; type?: string } } | undefined
  const kinds = await Promise.all(
    owners.map(async (owner): Promise<OwnerKind> => {
      if (repo?.owner?.login && repo.owner.login.toLowerCase() === owner && repo.owner.type) {
        return repo.owner.type === 'Organization' ? 'org' : 'user'
      }
      if (!token) return 'unknown'
      const answer = await api.getOwner(owner, token)
      if (answer.kind !== 'ok') return 'unknown'
      return answer.type === 'Organization' ? 'org' : 'user'
    }),
  )
  return Object.fromEntries(owners.map((o, i) => [o, kinds[i]!]))
}

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
