// Text output in actionlint's shape, `file:line:col: message [id]`, so editors and problem
// matchers can read it; the fix steps follow, indented. Colour only when asked for.

import type { Finding, Severity } from '../findings/types.js'

const COLOURS: Record<Severity, string> = { error: '31', warning: '33', notice: '36' }

export function formatText(findings: Finding[], files: number, colour: boolean): string {
  const paint = (code: string, s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s)
  const lines: string[] = []
  for (const f of findings) {
    const loc = location(f)
    lines.push(`${paint('1', loc)}: ${f.message} ${paint(COLOURS[f.severity], `[${f.id}]`)}`)
    lines.push(`  ${paint(COLOURS[f.severity], f.severity)}: ${f.title}`)
    f.fix.forEach((step, i) => {
      const [first, ...rest] = step.split('\n')
      const marker = `${i + 1}. `
      lines.push(`  ${marker}${first}`)
      for (const r of rest) lines.push(r.trim() ? `  ${' '.repeat(marker.length)}${r}` : '')
    })
  }
  lines.push(summaryLine(findings, files))
  return lines.join('\n') + '\n'
}

function location(f: Finding): string {
  const file = f.file ?? '(no file)'
  if (f.line === undefined) return file
  return `${file}:${f.line}:${f.column ?? 1}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function summaryLine(findings: Finding[], files: number): string {
  const where = `in ${plural(files, 'workflow file')}`
  if (findings.length === 0) return `no problems found ${where}`
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length
  const parts = [
    plural(count('error'), 'error'),
    plural(count('warning'), 'warning'),
    plural(count('notice'), 'notice'),
  ]
  return `${plural(findings.length, 'problem')} (${parts.join(', ')}) ${where}`
}
