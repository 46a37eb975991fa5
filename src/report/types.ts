// What one preflight run concluded: the verdict, the chosen credential (never its value),
// and everything found on the way. Rendered into outputs, annotations and the job summary.

import type { Finding, Place } from '../findings/types.js'

export type Result = 'ready' | 'fallback' | 'skip' | 'fail' | 'unverified'
export type CredentialSource = 'github-token' | 'fallback-token' | 'none'

export interface Check {
  name: string
  status: 'pass' | 'fail' | 'warn' | 'skip' | 'info'
  detail: string
}

export interface Report {
  result: Result
  /** Why this verdict, one clause (e.g. "the registry accepted an upload with the run's token"). */
  reason: string
  canPush: boolean
  credentialSource: CredentialSource
  registry: string
  username: string
  images: string[]
  findings: Finding[]
  checks: Check[]
  durationMs?: number
  place: Place
  /** A unified diff of the workflow file that grants the missing permission (`lint --fix`'s edit). */
  permissionPatch?: string
}
