// Pure: which of the run token's problems is the cause. The registry's answer and the workflow
// file often describe the same failure twice (a job without packages: write gets "installation
// not allowed to Create organization package"); the user should see one cause, on the workflow
// line, with the registry's words as confirmation, not two contradictory fixes.

import type { Finding, FindingId } from '../findings/types.js'
import type { ProbeOutcome } from '../registry/types.js'

export interface RunTokenCauseFacts {
  /** classifyProbe() output for the run token's probes. */
  registryFindings: Finding[]
  /** The run token's probe outcomes that were not 202. */
  registryAnswers: ProbeOutcome[]
  /** Everything found so far (workflow, images, event, ...). */
  staticFindings: Finding[]
  /** Package-link hints from the REST API. */
  linkFindings: Finding[]
  untrusted: 'fork-pull-request' | 'dependabot-run' | undefined
  runProven: boolean
  staticPackages: 'write' | 'not-write' | 'unknown'
}

const PERMISSION_IDS: readonly FindingId[] = [
  'packages-permission-missing',
  'packages-permission-undeclared',
]

/** Registry findings that only restate "this token has no packages: write". */
const RESTATES_PERMISSION: readonly FindingId[] = [
  'org-package-create-denied',
  'org-package-write-denied',
  'github-token-denied',
  'package-not-linked',
]

function registrySaid(answers: ProbeOutcome[]): string | undefined {
  const refusal = answers.find((a) => a.verdict === 'denied' || a.verdict === 'unauthorized')
  if (!refusal) return undefined
  const text = [refusal.status, refusal.code, refusal.message].filter(Boolean).join(' ')
  return text
    ? `The registry confirmed it: it refused this run's upload with "${text}".`
    : undefined
}

/** Appends a sentence to a message that may or may not end with a full stop. */
export function appendSentence(message: string, sentence: string): string {
  const m = message.trimEnd()
  return `${m}${/[.!?]$/.test(m) ? '' : '.'} ${sentence}`
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const key = `${f.id}|${f.image ?? ''}|${f.file ?? ''}|${f.line ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function resolveRunTokenFindings(f: RunTokenCauseFacts): { findings: Finding[] } {
  if (f.runProven) {
    // The registry accepted the upload: link hints are moot, and a "missing" permission means the
    // file analysed is not what runs (or a default grants write): keep it, as a notice.
    const findings = f.staticFindings.map((s) =>
      s.id === 'packages-permission-missing'
        ? {
            ...s,
            severity: 'notice' as const,
            message: appendSentence(
              s.message,
              "Yet the registry accepted an upload from this run's token, so this run is not affected; check that the analysed file is the one that runs.",
            ),
          }
        : s,
    )
    return { findings: dedupe(findings) }
  }

  const confirmation = registrySaid(f.registryAnswers)
  const refused = confirmation !== undefined

  if (refused && f.untrusted === 'fork-pull-request') {
    // A fork's token is read-only whatever the file says: the fork is the cause.
    const findings = f.staticFindings.map((s) =>
      s.id === 'fork-pull-request' ? { ...s, message: appendSentence(s.message, confirmation) } : s,
    )
    const keep = f.registryFindings.filter((r) => !RESTATES_PERMISSION.includes(r.id))
    return { findings: dedupe([...findings, ...keep, ...f.linkFindings]) }
  }

  const permission = f.staticFindings.find((s) => PERMISSION_IDS.includes(s.id))
  if (refused && permission) {
    // The job's permissions are the cause; the registry's text becomes the proof.
    const findings = f.staticFindings.map((s) =>
      s === permission
        ? { ...s, severity: 'error' as const, message: `${s.message}. ${confirmation}` }
        : s,
    )
    const keep = f.registryFindings.filter((r) => !RESTATES_PERMISSION.includes(r.id))
    return { findings: dedupe([...findings, ...keep, ...f.linkFindings]) }
  }

  // The file allows write (or cannot tell): the registry's reason stands. Prefer the REST API's
  // link finding (it names the linked repository) over the registry's generic one.
  const linkIds = new Set(f.linkFindings.map((l) => `${l.id}|${l.image ?? ''}`))
  const registry = f.registryFindings.filter((r) => !linkIds.has(`${r.id}|${r.image ?? ''}`))
  return { findings: dedupe([...f.staticFindings, ...registry, ...f.linkFindings]) }
}
