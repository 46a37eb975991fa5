// A job log as the user has it (downloaded with timestamps, copied from the web UI, with ANSI
// colours and ##[group]/##[error] markers) → plain lines that keep their original line numbers,
// so every finding can quote the exact line it rests on. Pure and bounded.

export interface LogLine {
  /** 1-based line number in the text given. */
  n: number
  /** The line without timestamp, colour codes, workflow-command marker or UI line number. */
  text: string
  /** The ##[…] marker the runner put on the line, if any (error, warning, group, endgroup, …). */
  marker?: string
  /** The step the line belongs to: the text after `##[group]Run ` of the step that printed it. */
  step?: string
}

/** Longest line kept: a minified blob on one line says nothing about a registry refusal. */
export const MAX_LINE_CHARS = 4000

/** `2026-01-02T03:04:05.1234567Z ` as the runner writes it in downloaded logs. */
const TIMESTAMP = /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/
// CSI sequences (colours, cursor moves) and OSC sequences; a lone ESC is dropped too.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b/g
// The web UI's rendering of the ##[…] markers, e.g. "Error: " for ##[error] (kept as the text).
const MARKER = /^##\[([a-z]+)\]/
/** A GitHub token printed unmasked (a secret the runner did not know): never repeated in a finding. */
const TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/g
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/**
 * Splits and cleans a log. A log copied from the web UI may start every line with its line
 * number; when almost every line does, with numbers counting up, the numbers are dropped.
 */
export function readLogLines(text: string): LogLine[] {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop()
  const numbered = hasUiLineNumbers(raw)
  const lines: LogLine[] = []
  let step: string | undefined
  raw.forEach((original, i) => {
    let t = original.length > MAX_LINE_CHARS ? original.slice(0, MAX_LINE_CHARS) : original
    t = t.replace(TIMESTAMP, '').replace(ANSI, '')
    if (numbered) t = t.replace(/^\s*\d+\s?/, '')
    t = t.replace(TIMESTAMP, '').replace(CONTROL, '').replace(TOKEN, '***')
    const line: LogLine = { n: i + 1, text: t }
    const m = MARKER.exec(t)
    if (m) {
      line.marker = m[1]!
      line.text = t.slice(m[0].length)
      if (m[1] === 'group' && /^Run /.test(line.text)) step = line.text.slice(4).trim()
    } else if (/^Post job cleanup\.|^Cleaning up orphan processes/.test(t)) {
      step = undefined
    }
    if (step !== undefined) line.step = step
    lines.push(line)
  })
  return lines
}

function hasUiLineNumbers(raw: string[]): boolean {
  const sample = raw.filter((l) => l.trim() !== '').slice(0, 40)
  if (sample.length < 5) return false
  let previous = 0
  let hits = 0
  for (const l of sample) {
    const m = /^\s*(\d+)\s/.exec(l.replace(TIMESTAMP, ''))
    if (!m) continue
    const n = Number(m[1])
    if (n > previous) {
      hits++
      previous = n
    }
  }
  return hits >= sample.length * 0.9
}
