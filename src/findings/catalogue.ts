// The one catalogue of findings: severity, title, why it happens, and how to fix it.
// docs/findings.md is generated from this file (scripts/gen-findings-doc.mjs); CI checks it is current.
// SKELETON: texts are being written; keep the exported API stable.

import type { Finding, FindingFacts, FindingId, Place, Severity } from './types.js'

export interface DocLink {
  title: string
  url: string
}

export interface CatalogueEntry {
  severity: Severity
  title: string
  /** When it fires, one sentence (rendered in docs/findings.md). */
  when: string
  /** Why it breaks the push; used as the message when a detector gives none. */
  why: string
  /** Fix steps for this place; details come from the detector (job, owner, ownerType, package, ...). */
  fix: (place: Place, details: Record<string, string | undefined>) => string[]
  docs: DocLink[]
}

export const CATALOGUE: Record<FindingId, CatalogueEntry> = {} as Record<FindingId, CatalogueEntry>

/** Builds a finding from the catalogue plus what the detector knows. */
export function makeFinding(id: FindingId, place: Place, facts: FindingFacts = {}): Finding {
  const entry = CATALOGUE[id]
  const details = facts.details ?? {}
  const finding: Finding = {
    id,
    severity: facts.severity ?? entry?.severity ?? 'error',
    title: entry?.title ?? id,
    message: facts.message ?? entry?.why ?? id,
    fix: [...(facts.fix ?? []), ...(entry ? entry.fix(place, details) : [])],
  }
  if (facts.file !== undefined) finding.file = facts.file
  if (facts.line !== undefined) finding.line = facts.line
  if (facts.column !== undefined) finding.column = facts.column
  if (facts.image !== undefined) finding.image = facts.image
  return finding
}
