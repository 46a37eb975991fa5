// `ghcr-preflight explain <id>`: one catalogue entry as plain text.

import { CATALOGUE } from '../findings/catalogue.js'
import { FINDING_IDS, type FindingId, type Place } from '../findings/types.js'
import { editDistance } from '../text/edit-distance.js'

export function isFindingId(id: string): id is FindingId {
  return (FINDING_IDS as readonly string[]).includes(id)
}

/** The id closest to a mistyped one, for "did you mean". */
export function closestFindingId(id: string): FindingId | undefined {
  let best: FindingId | undefined
  let bestScore = Infinity
  for (const candidate of FINDING_IDS) {
    const score = editDistance(id.toLowerCase(), candidate)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return bestScore <= Math.max(3, Math.floor(id.length / 3)) ? best : undefined
}

export function explainFinding(id: FindingId, place: Place): string {
  const entry = CATALOGUE[id]
  if (!entry) return `${id}\n\n(no catalogue entry yet)\n`
  const lines = [
    `${id} (${entry.severity}): ${entry.title}`,
    '',
    `When: ${entry.when}`,
    '',
    `Why: ${entry.why}`,
    '',
    'Fix:',
  ]
  entry.fix(place, {}).forEach((step, i) => {
    const [first, ...rest] = step.split('\n')
    lines.push(`  ${i + 1}. ${first}`)
    for (const r of rest) lines.push(r.trim() ? `     ${r}` : '')
  })
  if (entry.docs.length) {
    lines.push('', 'Docs:')
    for (const d of entry.docs) lines.push(`  - ${d.title}: ${d.url}`)
  }
  return lines.join('\n') + '\n'
}
