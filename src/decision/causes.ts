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
  /** The workflow passes `github-token:` a token other than the run's own (as written): the
   * job's permissions do not govern it, so they cannot be what the registry refused. */
  githubTokenInput?: string
}

const PERMISSION_IDS: readonly FindingId[] = [
  'packages-permission-missing',
  'packages-permission-undeclared',
]

/**
 * Registry findings that only restate "this token has no packages: write": ghcr.io's
 * installation refusal ("installation not allowed to Create|Write organization package", in
 * personal namespaces too: macbre/push-to-ghcr#31) and refusals without a known reason. Not
 * `package-not-linked`: "permission_denied: write_package" is mostly the package's access list
 * (tuna-os/tunaOS#642, danger/danger-js#1414), so it is never folded into a permission finding.
 */
const RESTATES_PERMISSION: readonly FindingId[] = [
  'org-package-create-denied',
  'org-package-write-denied',
  'github-token-denied',
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

/** One finding per id, image and place: the same cause met twice is said once. */
export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const key = `${f.id}|${f.image ?? ''}|${f.file ?? ''}|${f.line ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * A registry finding with a located twin (same id and image: the image check's
 * `image-owner-mismatch`, the REST API's `package-not-linked` naming the linked repository)
 * adds its words to the twin instead of repeating it.
 */
function mergeTwins(located: Finding[], registry: Finding[]): Finding[] {
  const out = [...located]
  const extra: Finding[] = []
  for (const r of registry) {
    const i = out.findIndex((l) => l.id === r.id && (l.image ?? '') === (r.image ?? ''))
    if (i < 0) {
      extra.push(r)
      continue
    }
    const twin = out[i]!
    out[i] = {
      ...twin,
      severity: r.severity === 'error' ? 'error' : twin.severity,
      message: appendSentence(twin.message, `The registry confirmed it: ${r.message}`),
    }
  }
  return [...out, ...extra]
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
  // The link finding from the REST API names the linked repository: it replaces its twin.
  const registry = (keep: Finding[]): Finding[] =>
    mergeTwins([...f.linkFindings], keep).filter((x) => !f.staticFindings.includes(x))
  const withStatic = (statics: Finding[], keep: Finding[]): Finding[] => {
    const merged = mergeTwins(statics, registry(keep))
    return dedupe(merged)
  }

  if (refused && f.untrusted === 'fork-pull-request') {
    // A fork's token is read-only whatever the file says: the fork is the cause.
    const findings = f.staticFindings.map((s) =>
      s.id === 'fork-pull-request' ? { ...s, message: appendSentence(s.message, confirmation) } : s,
    )
    const keep = f.registryFindings.filter((r) => !RESTATES_PERMISSION.includes(r.id))
    return { findings: withStatic(findings, keep) }
  }

  const permission = f.staticFindings.find((s) => PERMISSION_IDS.includes(s.id))
  // Only an upload refused for want of write confirms the permission; a specific refusal (another
  // App's token, a namespace, write_package, a rejected credential) is a cause of its own.
  const uploadDenied = f.registryAnswers.some((a) => a.verdict === 'denied' && a.step === 'upload')
  const installationRefusal =
    uploadDenied &&
    !f.githubTokenInput &&
    f.registryFindings.some((r) => RESTATES_PERMISSION.includes(r.id))
  const writePackage = f.registryFindings.some((r) => r.id === 'package-not-linked')
  if (refused && permission && installationRefusal) {
    // The job's permissions are the cause; the registry's text becomes the proof.
    const findings = f.staticFindings.map((s) =>
      s === permission
        ? { ...s, severity: 'error' as const, message: `${s.message}. ${confirmation}` }
        : s,
    )
    const keep = f.registryFindings.filter((r) => !RESTATES_PERMISSION.includes(r.id))
    return { findings: withStatic(findings, keep) }
  }
  if (refused && permission && writePackage && !f.githubTokenInput) {
    // "write_package" with no write in the file: real runs got it for a package without this
    // repository under Manage Actions access (tuna-os/tunaOS#642) and for a token without
    // packages: write alike (GoogleCloudPlatform/cloud-foundation-fabric#998, no permissions
    // block; grafana/beyla#2649, packages: read). Both are errors. The package's access comes
    // first when the token's grant is unknown (no block: the default may allow write); when the
    // file or the job log shows the token lacked write, that is the first thing to fix.
    const findings = f.staticFindings.map((s) =>
      s === permission
        ? {
            ...s,
            severity: 'error' as const,
            message: appendSentence(
              s.message,
              `The registry answered "permission_denied: write_package", which real runs get both for a token without packages: write and for a package that lacks this repository under Manage Actions access: fix the permissions, then check the package if the push still fails`,
            ),
          }
        : s,
    )
    const all = withStatic(findings, f.registryFindings)
    if (f.staticPackages === 'not-write') return { findings: all }
    const access = all.filter((x) => x.id === 'package-not-linked')
    return { findings: [...access, ...all.filter((x) => x.id !== 'package-not-linked')] }
  }

  // The file allows write (or cannot tell): the registry's reason stands.
  return { findings: withStatic(f.staticFindings, f.registryFindings) }
}
