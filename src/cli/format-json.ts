// JSON output: { "findings": [ … ] } with the fields of contracts §5, in a stable order.

import type { Finding } from '../findings/types.js'

export function formatJson(findings: Finding[]): string {
  const out = findings.map((f) => {
    const o: Record<string, unknown> = {
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
    return o
  })
  return JSON.stringify({ findings: out }, null, 2) + '\n'
}
