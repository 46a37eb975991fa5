// The verdict (contracts §3), from facts only. Never a false pass: `ready`/`fallback` need a
// 202 from the registry for every image with that credential; anything unproven is
// `unverified`, and a definite refusal of every candidate is `fail`.

import type { CredentialSource, Result } from '../report/types.js'

export type ProbeVerdict = 'allowed' | 'denied' | 'unauthorized' | 'inconclusive' | 'not-run'

export interface CandidateFacts {
  source: Exclude<CredentialSource, 'none'>
  /** False when checks before the probe already ruled it out (empty, fine-grained, invalid, ...). */
  usable: boolean
  /** One verdict per image, in image order; empty when the probe did not run. */
  probes: ProbeVerdict[]
}

export interface DecisionFacts {
  /** An image problem no credential can fix (invalid name, another registry): fail. */
  imageBlocked: boolean
  untrusted?: 'fork-pull-request' | 'dependabot-run'
  onUntrusted: 'skip' | 'fail'
  probeEnabled: boolean
  /** What the workflow file says the run token's packages permission is. */
  staticRunToken: 'write' | 'not-write' | 'unknown'
  runToken: CandidateFacts
  fallback?: CandidateFacts
}

export interface Decision {
  result: Result
  credential: CredentialSource
  canPush: boolean
  /** One line for logs and the summary. */
  reason: string
}

const allAllowed = (c?: CandidateFacts): boolean =>
  !!c && c.usable && c.probes.length > 0 && c.probes.every((v) => v === 'allowed')

/** Definitely cannot push: ruled out before probing, or refused for at least one image. */
const refused = (c?: CandidateFacts): boolean =>
  !c || !c.usable || c.probes.some((v) => v === 'denied' || v === 'unauthorized')

export function decide(f: DecisionFacts): Decision {
  if (f.imageBlocked) {
    return {
      result: 'fail',
      credential: 'none',
      canPush: false,
      reason: 'an image reference cannot be pushed as written',
    }
  }

  if (allAllowed(f.runToken)) {
    return {
      result: 'ready',
      credential: 'github-token',
      canPush: true,
      reason: "the run's token can push every image",
    }
  }
  if (allAllowed(f.fallback)) {
    return {
      result: 'fallback',
      credential: 'fallback-token',
      canPush: true,
      reason: "the run's token cannot push; the fallback token can",
    }
  }

  // A fork pull request or Dependabot run whose token was not proven: its token is read-only
  // unless an admin or a permissions block raised it, and its secrets are empty. Pushing is not
  // expected there, so the default is a green skip with a notice rather than a red build.
  if (f.untrusted) {
    const what = f.untrusted === 'fork-pull-request' ? 'fork pull request' : 'Dependabot run'
    return f.onUntrusted === 'skip'
      ? {
          result: 'skip',
          credential: 'none',
          canPush: false,
          reason: `${what}: no credential is proven to push, so the push is skipped`,
        }
      : {
          result: 'fail',
          credential: 'none',
          canPush: false,
          reason: `${what}: no credential can push (on-untrusted: fail)`,
        }
  }

  // The workflow file is authoritative for the token GitHub mints: a job without packages: write
  // cannot push, whether or not the registry could be asked. Only a 202 (above) outranks it, since
  // then the file analysed is evidently not the one that runs.
  const fileRefusesRunToken = f.staticRunToken === 'not-write'
  const runRefused =
    fileRefusesRunToken || (f.probeEnabled ? refused(f.runToken) : !f.runToken.usable)
  const fallbackRefused = f.fallback ? refused(f.fallback) : true

  if (runRefused && fallbackRefused) {
    return {
      result: 'fail',
      credential: 'none',
      canPush: false,
      reason:
        fileRefusesRunToken && !refused(f.runToken)
          ? "the job's permissions do not grant packages: write, and no other credential is proven"
          : 'no credential can push',
    }
  }

  // Something was not proven either way. can-push stays false (it means "proven"), but the best
  // unrefused candidate is still exported so a workflow may choose to push anyway.
  const candidate: CredentialSource = !runRefused
    ? 'github-token'
    : f.fallback && !fallbackRefused
      ? 'fallback-token'
      : 'none'
  return {
    result: 'unverified',
    credential: candidate,
    canPush: false,
    reason: f.probeEnabled
      ? 'the registry could not be asked, so push rights are unproven'
      : 'the push probe is disabled (probe: false), so push rights are unproven',
  }
}
