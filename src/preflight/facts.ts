// The one typed value between gathering (all I/O) and judging (pure): everything the preflight
// learnt in this run, as it was answered, and no secret. `judge(facts)` turns it into a verdict;
// a test can build it by hand to ask "given these answers, which verdict?" without any HTTP.

import type { Finding, Place } from '../findings/types.js'
import type { OrgResult, PackageResult, RateLimitResult, UserResult } from '../github/api.js'
import type { CheckedImage } from '../image/check.js'
import type { OnUntrusted } from '../inputs.js'
import type { ProbeAllResult } from '../registry/probe-all.js'
import type { Check } from '../report/types.js'
import type { Untrusted } from '../run/events.js'
import type { TokenKind } from '../token/kind.js'
import type { WorkflowFacts } from '../workflow-facts.js'

export type OwnerKind = 'user' | 'org' | 'unknown'

/** What is known before any request: from the inputs and the run's context alone (plan.ts). */
export interface RunPlan {
  place: Place
  registry: string
  /** Registry host, image, event and input findings, in that order. */
  findings: Finding[]
  /** The summary rows for image names and the run event. */
  checks: Check[]
  /** The images to probe: normalised, on the registry, without duplicates. */
  images: CheckedImage[]
  /** An image cannot be pushed as written (invalid, typo'd host, Docker Hub), or there is none. */
  imageBlocked: boolean
  untrusted?: Untrusted
  /**
   * The registry belongs to another GitHub instance than the run (registry-host-mismatch): the
   * run's token is not sent there, and this instance's REST API knows nothing of its packages
   * or of a token issued by the other instance, so it is not asked.
   */
  registryOnOtherInstance: boolean
  /** The run's token is non-empty and belongs to this registry's GitHub: it is probed. */
  runTokenUsable: boolean
  /** The fallback-token input is non-empty. */
  fallbackGiven: boolean
  /** The registry probe runs (probe: true and something probeable). */
  probeEnabled: boolean
  /** github.actor, or github-actions[bot]: the run token's username. */
  actor: string
  /** GITHUB_REPOSITORY, its owner and the actor as the runner gave them (case kept): what
   * `${{ github.repository }}` and friends expand to in this run's image names. */
  names: { repository: string; owner: string; actor: string }
  /** The `image` input as written (empty: the default image). */
  imageInputs: string[]
  /** GITHUB_JOB, when set. */
  job?: string
  /** The owner whose organisation checks apply to the fallback: the first image's. */
  fallbackOwner: string
}

/** What GitHub's REST API said about the fallback token (undefined: not asked). */
export interface FallbackAnswers {
  /** classifyToken(fallback value, run token). */
  kind: TokenKind
  rateLimit?: RateLimitResult
  user?: UserResult
  org?: OrgResult
}

/** GET …/packages/container/{name} for one image, and with which token it was asked. */
export interface PackageAnswer {
  image: string
  owner: string
  ownerType: 'user' | 'org'
  name: string
  /** Asked with the run's token (its 404 proves nothing), else with the verified fallback PAT. */
  askedWithRunToken: boolean
  answer: PackageResult
}

export interface PreflightFacts {
  plan: RunPlan
  onUntrusted: OnUntrusted
  /** The `probe` input: false is reported as probe-disabled. */
  probeInput: boolean
  /** The fallback-username input, when given. */
  fallbackUsername?: string
  workflow: WorkflowFacts
  /** Each image owner's kind, from the event payload or GET /users/{owner}. */
  ownerKinds: Record<string, OwnerKind>
  /** The registry's answers; undefined when the probe did not run. */
  probe?: ProbeAllResult
  /** Present when a fallback is configured (in the input or the workflow file). */
  fallback?: FallbackAnswers
  /** Package links, when looked up in time. */
  packages: PackageAnswer[]
  /** When the facts were gathered (token expiry is judged against it). */
  now: Date
}
