// Pure: a job that pushes must log in first. The preflight/preflight sub-action only checks, so a
// job that pushes (docker/build-push-action, docker push, …) with no login step, login command or
// inline credential pushes with no credential at all, whatever the preflight proved.

import { makeFinding } from '../findings/catalogue.js'
import type { Place } from '../findings/types.js'
import type { PushNameFacts, PushNameJudgement } from './push-names.js'

/**
 * A job that pushes but never logs in pushes with no credential at all, whatever this step
 * proved: "unauthorized: unauthenticated: User cannot be authenticated with the token provided."
 * (docker/build-push-action#617; bsubio/cli#153, where `container.credentials` was mistaken for a
 * login).
 */
export function judgePushLogin(facts: PushNameFacts | undefined, place: Place): PushNameJudgement {
  const at = facts?.unauthenticatedPush
  if (!facts || !at) return { findings: [], blocked: false }
  return {
    findings: [
      makeFinding('registry-login-missing', place, {
        message: `the job pushes to ${place.registry} (${at.description}) but nothing in it logs in to ${place.registry}: no docker/login-action or \`docker login\` step for it, and the ghcr-preflight/preflight step only checks. The push would go out without credentials and fail with "unauthorized: unauthenticated: User cannot be authenticated with the token provided."`,
        file: facts.file,
        line: at.line,
        column: at.column,
        // The fix logs in with the preflight step's outputs when the job has that step.
        ...(facts.inputAt
          ? {
              details: {
                preflightStep: facts.preflightId ?? 'ghcr',
                ...(facts.preflightId ? {} : { preflightNeedsId: 'yes' }),
              },
            }
          : {}),
      }),
    ],
    blocked: true,
  }
}
