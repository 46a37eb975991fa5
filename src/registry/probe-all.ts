// Runs every (image × credential) probe at once after the single shared challenge, so the run's
// critical path is at most three sequential round trips (challenge, token, upload) however many
// images and credentials there are.

import type { HttpClient } from '../http/types.js'
import { fetchChallenge } from './challenge.js'
import { probePush } from './probe.js'
import type { Challenge, CredentialSource, ProbeOutcome } from './types.js'

export interface ProbeTarget {
  /** The normalised image reference, e.g. ghcr.io/acme/app. */
  image: string
  /** Path after the registry host, lower-case, e.g. acme/app. */
  repository: string
}

export interface ProbeCredential {
  source: CredentialSource
  username: string
  password: string
}

export interface ProbeResult {
  image: string
  repository: string
  credential: CredentialSource
  outcome: ProbeOutcome
}

export interface ProbeAllOptions {
  http: HttpClient
  baseUrl: string
  registryHost: string
  targets: readonly ProbeTarget[]
  credentials: readonly ProbeCredential[]
  /** The run's shared challenge; fetched here when not given. */
  challenge?: Promise<Challenge>
  onSecret?: (secret: string) => void
}

export interface ProbeAllResult {
  results: ProbeResult[]
  /** Measured: the longest chain of sequential round trips over all probes. */
  roundTrips: number
  elapsedMs: number
}

export async function probeAll(opts: ProbeAllOptions): Promise<ProbeAllResult> {
  const started = Date.now()
  const challenge = opts.challenge ?? fetchChallenge(opts.http, opts.baseUrl)
  const jobs = opts.targets.flatMap((target) =>
    opts.credentials.map(async (cred): Promise<ProbeResult> => {
      const outcome = await probePush({
        http: opts.http,
        baseUrl: opts.baseUrl,
        registryHost: opts.registryHost,
        repository: target.repository,
        username: cred.username,
        password: cred.password,
        challenge,
        onSecret: opts.onSecret,
      })
      return {
        image: target.image,
        repository: target.repository,
        credential: cred.source,
        outcome,
      }
    }),
  )
  const results = await Promise.all(jobs)
  return {
    results,
    roundTrips: results.reduce((max, r) => Math.max(max, r.outcome.roundTrips), 0),
    elapsedMs: Date.now() - started,
  }
}
