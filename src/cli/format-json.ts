// JSON output: { "findings": [ … ] } with the fields of contracts §5, in a stable order.

import { contractShape } from '../findings/shape.js'
import type { Finding } from '../findings/types.js'

export function formatJson(findings: Finding[]): string {
  return JSON.stringify({ findings: findings.map(contractShape) }, null, 2) + '\n'
}
