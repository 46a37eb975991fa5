// Pure: never a false pass on a name Docker refuses (issue 9 item 4). The action probes the
// lower-cased name, which is right only when the workflow's push uses a lower-cased name too.
// A push reference whose name has capitals in this run (literal, or `${{ github.repository }}`
// and friends with an owner such as "RiverOnVenus") stops Docker before it sends anything:
// "invalid reference format: repository name must be lowercase" (LunaTechLab/MoonTV#191). So
// unless the workflow file shows the push uses a lower-cased name, capitals fail the preflight.

import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'

/** One image reference a push step of the running job uses, as the workflow file writes it. */
export interface PushReference {
  /** After substituting literal `env:` values (`${{ env.X }}`, `$X`). */
  raw: string
  /** As written in the file. */
  written: string
  line: number
  column: number
  /** What pushes it: `docker/build-push-action tags`, `docker push`, … */
  via: string
  /** The workflow lower-cases this name before the push (docker/metadata-action, `${VAR,,}`,
   * `tr`, the preflight's `images` output). */
  lowercased: boolean
}

/** What the running job's workflow file says about the names it pushes. */
export interface PushNameFacts {
  /** Repository-relative path of the workflow file. */
  file: string
  /** The job's push references (not the preflight's own `image` input). */
  pushes: PushReference[]
  /** The job pushes in a way no reference could be read from (e.g. `docker push "$IMAGE"`). */
  unnamedPush: boolean
  /** Where the preflight step's `image:` input is written (else its `uses:` line). */
  inputAt?: { line: number; column: number }
  /** The preflight step's `id:`, when the job has one that sets it. */
  preflightId?: string
  /** The job lower-cases names somewhere (`${VAR,,}`, `tr '[:upper:]' '[:lower:]'`, a
   * lower-case action) or reads the preflight's `images` output. */
  lowercasing: boolean
  /** The job's first push to the registry, when nothing in the job logs in to it (no
   * docker/login-action or login command for it, no login by the composite ghcr-preflight, no
   * inline credentials). */
  unauthenticatedPush?: { line: number; column: number; description: string }
  /** The preflight step's `github-token:` as written, when it is not the run's own token
   * (`${{ github.token }}`, `${{ secrets.GITHUB_TOKEN }}`). */
  githubTokenInput?: string
}

export interface RunNames {
  /** GITHUB_REPOSITORY as the runner gives it, case kept. */
  repository: string
  /** GITHUB_REPOSITORY_OWNER. */
  owner: string
  actor: string
}

export interface PushNameJudgement {
  /** image-name-uppercase findings: they replace the input check's ones. */
  findings: Finding[]
  /** A push will be refused by Docker itself: the result is `fail`. */
  blocked: boolean
}

const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g

/** `${{ github.x }}` and `$GITHUB_X` / `${GITHUB_X}` whose values this run knows. */
function runValues(run: RunNames): Array<[RegExp, string]> {
  const [owner = run.owner, name = ''] = run.repository.split('/')
  return [
    [/\$\{\{\s*github\.repository\s*\}\}/g, run.repository],
    [/\$\{\{\s*github\.repository_owner\s*\}\}/g, run.owner || owner],
    [/\$\{\{\s*github\.event\.repository\.name\s*\}\}/g, name],
    [/\$\{\{\s*github\.actor\s*\}\}/g, run.actor],
    [/\$\{GITHUB_REPOSITORY\}|\$GITHUB_REPOSITORY(?![\w])/g, run.repository],
    [/\$\{GITHUB_REPOSITORY_OWNER\}|\$GITHUB_REPOSITORY_OWNER(?![\w])/g, run.owner || owner],
    [/\$\{GITHUB_ACTOR\}|\$GITHUB_ACTOR(?![\w])/g, run.actor],
  ]
}

/**
 * The name part (host and tag removed) of a reference as it is in this run: known values put in,
 * anything unknown (other expressions, shell variables, command substitutions) blanked out.
 * Returns the capitals found and whether they come from the run's values.
 */
export function capitalsInRun(
  raw: string,
  run: RunNames,
): { capitals: string[]; fromRun: string[]; evaluated: string } {
  const fromRun: string[] = []
  let s = raw
  for (const [re, value] of runValues(run)) {
    s = s.replace(re, () => {
      if (/[A-Z]/.test(value)) fromRun.push(value)
      return value
    })
  }
  // Unknown parts: never a reason to fail, so they become neutral lower-case text.
  const evaluated = s
  s = s
    .replace(EXPRESSION, 'x')
    .replace(/\$\([^)]*\)|`[^`]*`/g, 'x')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, 'x')
  // Drop the digest and the tag (capitals are legal in tags), then a host.
  s = s.split('@')[0]!
  const slash = s.lastIndexOf('/')
  const colon = s.indexOf(':', slash + 1)
  if (colon >= 0) s = s.slice(0, colon)
  const parts = s.split('/')
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift()
  const capitals = parts.filter((p) => /[A-Z]/.test(p))
  return { capitals, fromRun: [...new Set(fromRun)], evaluated }
}

const DOCKER_SAYS = '"invalid reference format: repository name must be lowercase"'

export function judgePushNames(o: {
  /** undefined: the workflow file or the running job could not be read. */
  facts: PushNameFacts | undefined
  /** The `image` input as this run gives it (expressions already evaluated). */
  imageInputs: string[]
  run: RunNames
  place: Place
  /** The input check's image-name-uppercase findings (warnings). */
  inputFindings: Finding[]
}): PushNameJudgement {
  const { facts, run, place } = o
  const findings: Finding[] = []

  for (const ref of facts?.pushes ?? []) {
    if (ref.lowercased) continue
    const { capitals, fromRun, evaluated } = capitalsInRun(ref.raw, run)
    if (capitals.length === 0) continue
    const because =
      fromRun.length > 0 && evaluated !== ref.raw
        ? `, which is ${JSON.stringify(evaluated)} in this run`
        : ''
    findings.push(
      makeFinding('image-name-uppercase', place, {
        severity: 'error',
        message: `${ref.via} at line ${ref.line} pushes ${JSON.stringify(ref.written)}${because}: Docker refuses a name with capitals (${capitals.map((c) => JSON.stringify(c)).join(', ')}) with ${DOCKER_SAYS} before it sends anything. ghcr-preflight probed the lower-cased name, but this push does not use it`,
        file: facts!.file,
        line: ref.line,
        column: ref.column,
        image: withoutTag(evaluated).toLowerCase(),
        details: { image: evaluated },
      }),
    )
  }
  if (findings.length > 0) return { findings: [...findings, ...o.inputFindings], blocked: true }

  // The pushes the file shows are fine; what about capitals in the `image` input itself?
  const upper = o.imageInputs.filter((i) => /[A-Z]/.test(nameOnly(i)))
  if (upper.length === 0) return { findings: o.inputFindings, blocked: false }
  const shown =
    facts !== undefined &&
    (facts.lowercasing ||
      facts.pushes.some((p) => p.lowercased) ||
      // Every push the job makes is named, and none has capitals: the input's capitals never
      // reach Docker.
      (facts.pushes.length > 0 && !facts.unnamedPush))
  if (shown) return { findings: o.inputFindings, blocked: false }

  const where = facts
    ? `the job's push is not in ${facts.file} (or not readable from it)`
    : 'the workflow file could not be read to see which name the push uses'
  const located = facts?.inputAt
    ? { file: facts.file, line: facts.inputAt.line, column: facts.inputAt.column }
    : {}
  const lowered = upper.map((i) => i.toLowerCase())
  return {
    findings: upper.map((input, i) =>
      makeFinding('image-name-uppercase', place, {
        severity: 'error',
        message: `the image input ${JSON.stringify(input)} has capitals, and ${where}: a push of this name fails with ${DOCKER_SAYS}. ghcr-preflight probed ${JSON.stringify(lowered[i])}; push that name (use this step's \`images\` output, docker/metadata-action, or \`\${GITHUB_REPOSITORY,,}\`)`,
        ...located,
        image: withoutTag(lowered[i]!),
        details: { image: lowered[i] },
      }),
    ),
    blocked: true,
  }
}

/** The reference without its tag or digest. */
function withoutTag(ref: string): string {
  const noDigest = ref.split('@')[0]!
  const colon = noDigest.indexOf(':', noDigest.lastIndexOf('/') + 1)
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest
}

/** The reference without host, tag or digest, for the capitals test. */
function nameOnly(ref: string): string {
  const parts = withoutTag(ref).split('/')
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift()
  return parts.join('/')
}
