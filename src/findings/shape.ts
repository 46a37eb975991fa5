// A finding in exactly the shape and key order of contracts §5: what the `findings` output and
// `lint --format json` print. Anything a detector kept beside it stays out.

import type { Finding } from './types.js'

export function contractShape(f: Finding): Finding {
  const o: Finding = {
    id: f.id,
    severity: f.severity,
    title: f.title,
    message: f.message,
    fix: f.fix,
  }
  if (f.file !== undefined) o.file = f.file
  if (f.line !== undefined) o.line = f.line
  if (f.column !== undefined) o.column = f.column
  if (f.image !== undefined) o.image = f.image
  // Set by `diagnose` only; the action's `findings` output never carries them.
  if (f.evidence !== undefined) o.evidence = f.evidence
  if (f.candidates !== undefined) o.candidates = f.candidates
  return o
}
