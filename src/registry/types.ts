// Shapes shared by the registry probe (I/O edge) and its pure classifier.

/** What an anonymous GET <base>/v2/ said about how to authenticate. */
export type Challenge =
  /** 200: the registry needs no authentication. */
  | { kind: 'none' }
  /** Bearer: ask `realm` for a token. ghcr's placeholder scope is deliberately not kept. */
  | { kind: 'bearer'; realm: string; service?: string }
  | { kind: 'basic'; realm?: string }
  /** The registry could not be asked, or its answer was not a usable challenge. */
  | { kind: 'failed'; reason: string; status?: number }

export type ProbeVerdict = 'allowed' | 'denied' | 'unauthorized' | 'inconclusive'

export interface ProbeOutcome {
  verdict: ProbeVerdict
  /** The step that decided the verdict. */
  step: 'challenge' | 'token' | 'upload'
  status?: number
  /** The registry's errors[0].code, e.g. DENIED. */
  code?: string
  /** The registry's errors[0].message, sanitised and truncated. */
  message?: string
  /** Why the answer proves nothing (inconclusive), in words a user can act on. */
  reason?: string
  /** Status of the best-effort DELETE of the upload session after a 202, or why none was sent. */
  cleanup?: number | 'skipped'
  /** Sequential round trips on the verdict path (challenge, token, upload); the cleanup DELETE is not counted. */
  roundTrips: number
}

export type CredentialSource = 'github-token' | 'fallback-token'
