// Findings as workflow annotations. GitHub shows at most 10 annotations per severity per step,
// so the most important ones are annotated (errors first) and the full list, with every fix
// step, goes to the log (and the job summary).

import * as core from '../runner/core.js'
import type { AnnotationProperties } from '../runner/core.js'
import { sortFindings } from '../decision/severities.js'
import type { Finding, Severity } from '../findings/types.js'

export interface AnnotationSink {
  error(message: string, properties?: AnnotationProperties): void
  warning(message: string, properties?: AnnotationProperties): void
  notice(message: string, properties?: AnnotationProperties): void
  info(message: string): void
}

/** GitHub's per-step cap for each annotation level. */
export const ANNOTATIONS_PER_SEVERITY = 10

const ORDER: Severity[] = ['error', 'warning', 'notice']

const DEFAULT_SINK: AnnotationSink = {
  error: core.error,
  warning: core.warning,
  notice: core.notice,
  info: core.info,
}

/**
 * Annotates up to 10 findings per severity, errors first; logs all of them. Returns how many were
 * annotated. `verdict` is a sentence added to one finding's annotation (the one whose id it
 * names), so that the outcome and its cause are one annotation instead of two; it is not added
 * when that finding is not annotated (the caller then annotates the outcome on its own).
 */
export function emitAnnotations(
  findings: Finding[],
  sink: AnnotationSink = DEFAULT_SINK,
  verdict?: { on: string; text: string },
): number {
  const annotated = annotatedFindings(findings)
  let verdictSaid = false
  for (const f of annotated) {
    const withVerdict = !verdictSaid && verdict?.on === f.id
    if (withVerdict) verdictSaid = true
    sink[f.severity](
      annotationMessage(f, withVerdict ? verdict.text : undefined),
      annotationProperties(f),
    )
  }

  if (findings.length > 0) {
    sink.info(`ghcr-preflight found ${plural(findings.length, 'problem')}:`)
    for (const f of sortFindings(findings)) sink.info(formatFinding(f))
  }
  const skipped = findings.length - annotated.length
  if (skipped > 0) {
    sink.info(
      `${plural(skipped, 'finding')} ${skipped === 1 ? 'was' : 'were'} not annotated (GitHub shows at most ${ANNOTATIONS_PER_SEVERITY} annotations per severity in a step); all are listed above and in the job summary`,
    )
  }
  return annotated.length
}

/** Whether emitAnnotations would annotate a finding with this id (the caps per severity). */
export function isAnnotated(findings: Finding[], id: string): boolean {
  return annotatedFindings(findings).some((f) => f.id === id)
}

/** The findings GitHub will show as annotations, in order: the first 10 of each severity. */
function annotatedFindings(findings: Finding[]): Finding[] {
  return ORDER.flatMap((s) =>
    findings.filter((f) => f.severity === s).slice(0, ANNOTATIONS_PER_SEVERITY),
  )
}

export function annotationProperties(f: Finding): AnnotationProperties {
  const props: AnnotationProperties = { title: f.id }
  // A line or column means nothing without the file it is in.
  if (f.file !== undefined) {
    props.file = f.file
    if (f.line !== undefined) {
      props.startLine = f.line
      if (f.column !== undefined) props.startColumn = f.column
    }
  }
  return props
}

export function annotationMessage(f: Finding, verdict?: string): string {
  const message = verdict ? `${verdict} ${f.message}` : f.message
  const first = f.fix[0]
  return first === undefined ? message : `${message}\nFix: ${first}`
}

/** The log form: actionlint-like head line, then the message and every fix step. */
export function formatFinding(f: Finding): string {
  const where = f.file
    ? `${f.file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}: `
    : ''
  const lines = [`${f.severity}: ${where}${f.title} [${f.id}]`, `  ${f.message}`]
  if (f.image) lines.push(`  image: ${f.image}`)
  f.fix.forEach((step, i) => {
    const [head, ...rest] = step.split('\n')
    lines.push(`  ${i + 1}. ${head}`)
    for (const r of rest) lines.push(`     ${r}`)
  })
  return lines.join('\n')
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
