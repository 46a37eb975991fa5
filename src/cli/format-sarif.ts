// SARIF 2.1.0 for github/codeql-action/upload-sarif: one rule per finding id that occurs, one
// result per finding, locations relative to %SRCROOT% (the repository root in code scanning).

import { CATALOGUE } from '../findings/catalogue.js'
import type { Finding, FindingId, Severity } from '../findings/types.js'

export const TOOL_NAME = 'ghcr-preflight'
export const INFORMATION_URI = 'https://github.com/craigedmunds/ghcr-preflight'
const DOCS_URI = `${INFORMATION_URI}/blob/main/docs/findings.md`

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  notice: 'note',
}

export function formatSarif(findings: Finding[], version: string): string {
  const ids = [...new Set(findings.map((f) => f.id))].sort()
  const index = new Map(ids.map((id, i) => [id, i]))
  const rules = ids.map((id) =>
    rule(
      id,
      findings.find((f) => f.id === id)!,
    ),
  )
  const results = findings.map((f) => {
    const text = f.fix.length
      ? `${f.message}\n\nFix:\n${f.fix.map((s, i) => `${i + 1}. ${s}`).join('\n')}`
      : f.message
    const region: Record<string, number> = { startLine: f.line ?? 1 }
    if (f.column !== undefined) region.startColumn = f.column
    const result: Record<string, unknown> = {
      ruleId: f.id,
      ruleIndex: index.get(f.id)!,
      level: LEVEL[f.severity],
      message: { text },
      locations: [
        {
          physicalLocation: {
            artifactLocation: {
              uri: encodeUri(f.file ?? '.github/workflows'),
              uriBaseId: '%SRCROOT%',
            },
            region,
          },
        },
      ],
    }
    // The lines the finding rests on (each push or login), so code scanning can show them too.
    if (f.related?.length) {
      result.relatedLocations = f.related.map((r, id) => ({
        id,
        message: { text: r.message },
        physicalLocation: {
          artifactLocation: { uri: encodeUri(r.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: r.line, startColumn: r.column },
        },
      }))
    }
    return result
  })
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, informationUri: INFORMATION_URI, version, rules } },
        results,
      },
    ],
  }
  return JSON.stringify(sarif, null, 2) + '\n'
}

function rule(id: FindingId, example: Finding) {
  const entry = CATALOGUE[id]
  const title = entry?.title ?? example.title
  const when = entry?.when ?? title
  return {
    id,
    name: id
      .split('-')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: title },
    fullDescription: { text: when },
    helpUri: `${DOCS_URI}#${id}`,
    help: { text: `${when}\n\n${entry?.why ?? ''}`.trim() },
    defaultConfiguration: { level: LEVEL[entry?.severity ?? example.severity] },
  }
}

/** A relative URI reference: each path segment percent-encoded, slashes kept. */
function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}
