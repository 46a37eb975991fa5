// Renders the catalogue as docs/findings.md (`ghcr-preflight findings --format markdown`).
// Fix steps are shown for placeholder names; in a run they carry the real ones.

import { splitStep } from '../report/fix-steps.js'
import { CATALOGUE } from './catalogue.js'
import { FINDING_IDS, type Place } from './types.js'

/** The place and details the docs show instead of a real run's. */
export const DOC_PLACE: Place = {
  serverUrl: 'https://github.com',
  repository: 'OWNER/REPO',
  registry: 'ghcr.io',
}
export const DOC_DETAILS: Record<string, string> = {
  job: 'JOB',
  owner: 'OWNER',
  org: 'ORG',
  package: 'IMAGE',
  image: 'ghcr.io/OWNER/IMAGE',
  callee: 'OWNER/REPO/.github/workflows/WORKFLOW.yml@REF',
  expires: 'EXPIRY-DATE',
  login: 'TOKEN-OWNER',
  input: 'INPUT',
}

export function renderFindingsMarkdown(): string {
  const out: string[] = []
  out.push('# Findings')
  out.push('')
  out.push(
    '<!-- Generated from src/findings/catalogue.ts by `ghcr-preflight findings --format markdown`. Do not edit by hand. -->',
  )
  out.push('')
  out.push(
    'Every problem ghcr-preflight reports is a finding with a stable id, shown as the annotation title, in the job summary and in the `findings` output. ' +
      `The fix steps below are written for the repository \`${DOC_PLACE.repository}\` on ${DOC_PLACE.serverUrl}, job \`JOB\` and package \`OWNER/IMAGE\`; ` +
      "in a run they name your repository, job and package, and the links point at your server's settings pages.",
  )
  out.push('')
  out.push('| id | severity | title |')
  out.push('|---|---|---|')
  for (const id of FINDING_IDS) {
    const e = CATALOGUE[id]
    out.push(`| [\`${id}\`](#${id}) | ${e.severity} | ${cell(e.title)} |`)
  }
  for (const id of FINDING_IDS) {
    const e = CATALOGUE[id]
    out.push('')
    out.push(`## \`${id}\``)
    out.push('')
    out.push(`**${e.severity}**: ${text(e.title)}`)
    out.push('')
    out.push(`**When:** ${text(e.when)}`)
    out.push('')
    out.push(`**Why:** ${text(e.why)}`)
    out.push('')
    out.push('**Fix:**')
    out.push('')
    e.fix(DOC_PLACE, DOC_DETAILS).forEach((step, i) => {
      const lead = `${i + 1}. `
      const pad = ' '.repeat(lead.length)
      splitStep(step).forEach((part, j) => {
        if (part.kind === 'text') out.push(`${j === 0 ? lead : pad}${text(part.text)}`)
        else {
          if (j === 0) out.push(lead.trimEnd())
          out.push(`${pad}\`\`\``, ...part.code.split('\n').map((l) => pad + l), `${pad}\`\`\``)
        }
      })
    })
    if (e.docs.length > 0) {
      out.push('')
      out.push(
        `**Docs:** ${e.docs.map((d) => `[${d.title.replace(/[[\]]/g, '')}](${d.url})`).join(' · ')}`,
      )
    }
  }
  return out.join('\n') + '\n'
}

/** Markdown for prose: code spans kept, bare URLs as autolinks, the rest escaped. */
function text(s: string): string {
  return s
    .split(/(`[^`]+`)/)
    .map((seg) => {
      if (seg.length > 2 && seg.startsWith('`') && seg.endsWith('`')) return seg
      return seg
        .split(/(https?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:)])/)
        .map((part, i) => (i % 2 === 1 ? `<${part}>` : part.replace(/([\\*_<>[\]])/g, '\\$1')))
        .join('')
    })
    .join('')
}

function cell(s: string): string {
  return text(s).replace(/\|/g, '\\|')
}
