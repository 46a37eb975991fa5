// What the main step hands to its post step (runs.post), through the runner's state file: the
// verdict, the credential's source (never its value: the post step reads the token from its
// input again), the images and when the preflight ran. Also exported as GHCR_PREFLIGHT_RESULT
// so the action's `post-if` can keep the post step quiet when nothing was allowed to push.

import type { Report } from '../report/types.js'

export const STATE_NAME = 'ghcr-preflight'
export const RESULT_VARIABLE = 'GHCR_PREFLIGHT_RESULT'

export interface PostState {
  v: 1
  result: Report['result']
  credential: Report['credentialSource']
  registry: string
  /** Normalised image names (host/owner/name), no tags. */
  images: string[]
  /** ISO time the preflight finished: versions updated since then were pushed by this job. */
  at: string
}

export interface StateWriter {
  saveState: (name: string, value: string) => void
  exportVariable: (name: string, value: string) => void
}

export function savePostState(report: Report, w: StateWriter, now: Date = new Date()): void {
  const state: PostState = {
    v: 1,
    result: report.result,
    credential: report.credentialSource,
    registry: report.registry,
    images: report.images,
    at: now.toISOString(),
  }
  w.saveState(STATE_NAME, JSON.stringify(state))
  w.exportVariable(RESULT_VARIABLE, report.result)
}

/** The state the main step saved, or undefined (main failed early, or an older bundle). */
export function readPostState(raw: string): PostState | undefined {
  if (!raw) return undefined
  try {
    const s = JSON.parse(raw) as Partial<PostState>
    if (s.v !== 1 || typeof s.result !== 'string' || !Array.isArray(s.images)) return undefined
    if (typeof s.at !== 'string' || Number.isNaN(Date.parse(s.at))) return undefined
    return {
      v: 1,
      result: s.result,
      credential: s.credential ?? 'none',
      registry: typeof s.registry === 'string' ? s.registry : '',
      images: s.images.filter((i): i is string => typeof i === 'string'),
      at: s.at,
    }
  } catch {
    return undefined
  }
}
