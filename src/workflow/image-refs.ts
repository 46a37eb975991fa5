// The image references a job's push steps use, and whether the workflow visibly lower-cases each
// one before Docker sees it (issue 9 item 4): the action lower-cases and probes the `image` input,
// which is right only when the push uses a lower-cased name too. Pure: the analysed job in, the
// references with their positions out.

import type { JobModel, WorkflowModel } from './model.js'
import { findPushes, type PushOptions } from './pushers.js'

export interface PushImage {
  /** The reference as the file writes it (`ghcr.io/${{ github.repository }}:latest`). */
  written: string
  /** After env, inputs and earlier step outputs are substituted; may still hold expressions. */
  resolved: string
  /** 1-based position of the reference (or of the step that uses it). */
  line: number
  column: number
  /** The step it belongs to (0-based index in the job's steps). */
  stepIndex?: number
  /** What uses it: `docker/build-push-action tags`, `docker push`, `ghcr-preflight image`, … */
  via: string
  /** The name holds an expression or shell variable: its value (and capitals) is known only at run time. */
  dynamic: boolean
  /**
   * Every variable part of the name goes through a lower-casing the workflow shows, so capitals
   * in those values cannot reach Docker. Always false for a literal name (its capitals are
   * visible in the text).
   */
  lowercased: boolean
  /** How: `docker/metadata-action`, `${VAR,,}`, `tr '[:upper:]' '[:lower:]'`, `ghcr-preflight's images output`, … */
  lowercasedBy: string[]
}

export interface JobImages {
  images: PushImage[]
  /** Some push reference goes through a visible lower-casing. */
  lowercasesVisibly: boolean
}

/** The references the job's push steps use (this action's `image` input included). */
export function pushImageReferences(
  model: WorkflowModel,
  job: JobModel,
  registry: string,
  options: PushOptions = {},
): JobImages {
  const pushes = findPushes(model, job, registry, options)
  const images = pushes.images.map((r): PushImage => ({
    written: r.written,
    resolved: r.raw,
    line: r.line,
    column: r.column,
    ...(r.stepIndex !== undefined ? { stepIndex: r.stepIndex } : {}),
    via: r.via,
    dynamic: r.expression,
    lowercased: r.lowercased === true,
    lowercasedBy: r.lowercasedBy ?? [],
  }))
  return { images, lowercasesVisibly: images.some((i) => i.lowercased) }
}
