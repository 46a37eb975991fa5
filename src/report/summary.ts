// The job summary: the verdict, the checks, and every finding with its fix steps and links.
// Image names, file names and messages can hold user-controlled text, so all of it is escaped.

import * as core from '../runner/core.js'
import { CATALOGUE } from '../findings/catalogue.js'
import type { Finding, Severity } from '../findings/types.js'
import { splitStep } from './fix-steps.js'
import type { Check, Report, Result } from './types.js'

const SEVERITY_ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' }
const CHECK_ICON: Record<Check['status'], string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  skip: '⏭️',
  info: 'ℹ️',
}

export function verdictLine(report: Report): string {
  const r = report.registry
  const lines: Record<Result, string> = {
    ready: `✅ ready: the run's token can push to ${r}`,
    fallback: `✅ fallback: the run's token cannot push to ${r}, the fallback token can`,
    skip: `⏭️ skip: this run cannot push to ${r} (untrusted trigger); push steps should be skipped`,
    fail: `❌ fail: this run cannot push to ${r}`,
    unverified: `⚠️ unverified: push rights to ${r} could not be proven`,
  }
  return lines[report.result]
}

export function renderSummary(report: Report): string {
  const out: string[] = []
  out.push('<h2>ghcr-preflight</h2>')
  const took =
    report.durationMs !== undefined ? ` <sub>(${Math.round(report.durationMs)} ms)</sub>` : ''
  const reason = report.reason ? `<br>${inline(report.reason)}` : ''
  out.push(`<p><strong>${esc(verdictLine(report))}</strong>${took}${reason}</p>`)

  const facts: [string, string][] = [
    ['Registry', `<code>${esc(report.registry)}</code>`],
    ['Credential', `<code>${esc(report.credentialSource)}</code>`],
    ['Username', report.username ? `<code>${esc(report.username)}</code>` : '–'],
    ['Can push', report.canPush ? 'yes' : 'no'],
    [
      'Images',
      report.images.length ? report.images.map((i) => `<code>${esc(i)}</code>`).join('<br>') : '–',
    ],
  ]
  out.push(
    `<table>${facts.map(([k, v]) => `<tr><th align="left">${k}</th><td>${v}</td></tr>`).join('')}</table>`,
  )

  if (report.checks.length > 0) {
    out.push('<h3>Checks</h3>')
    const rows = report.checks.map(
      (c) =>
        `<tr><td>${CHECK_ICON[c.status]} ${esc(c.status)}</td><td>${esc(c.name)}</td><td>${inline(c.detail)}</td></tr>`,
    )
    out.push(`<table><tr><th>Status</th><th>Check</th><th>Detail</th></tr>${rows.join('')}</table>`)
  }

  const counts = (['error', 'warning', 'notice'] as const)
    .map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`)
  out.push(`<h3>Findings${counts.length ? ` (${counts.join(', ')})` : ''}</h3>`)
  if (report.findings.length === 0) out.push('<p>No problems found.</p>')
  const order: Severity[] = ['error', 'warning', 'notice']
  for (const severity of order) {
    for (const f of report.findings.filter((x) => x.severity === severity))
      out.push(renderFinding(f))
  }
  const patch = patchSection(report)
  if (patch) out.push(patch)
  return out.join('\n') + '\n'
}

/**
 * The permission fix as a `diff` block ready for `git apply` (the edit `ghcr-preflight lint --fix`
 * makes), while a permission finding still stands. Markdown, so blank lines around the fence.
 */
function patchSection(report: Report): string | undefined {
  const patch = report.permissionPatch
  if (!patch) return undefined
  const stands = report.findings.some((f) =>
    ['packages-permission-missing', 'packages-permission-undeclared'].includes(f.id),
  )
  if (!stands) return undefined
  // A fence longer than any backtick run in the patch, so the file's text cannot close it.
  const longest = Math.max(2, ...[...patch.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  return [
    '<h3>Fix</h3>',
    '',
    'Save this as <code>fix.patch</code> and run <code>git apply fix.patch</code> (or run <code>npx ghcr-preflight lint --fix</code> in the repository):',
    '',
    `${fence}diff`,
    patch.replace(/\n$/, ''),
    fence,
    '',
  ].join('\n')
}

function renderFinding(f: Finding): string {
  const parts: string[] = []
  parts.push(`<h4>${SEVERITY_ICON[f.severity]} <code>${esc(f.id)}</code> ${esc(f.title)}</h4>`)
  const where: string[] = []
  if (f.file) where.push(`<code>${esc(location(f))}</code>`)
  if (f.image) where.push(`image <code>${esc(f.image)}</code>`)
  if (where.length) parts.push(`<p>${where.join(' · ')}</p>`)
  parts.push(`<p>${inline(f.message)}</p>`)
  if (f.fix.length) {
    const items = f.fix.map((step) => `<li>${renderStep(step)}</li>`)
    parts.push(`<p><strong>Fix</strong></p><ol>${items.join('')}</ol>`)
  }
  const docs = CATALOGUE[f.id]?.docs ?? []
  if (docs.length) {
    parts.push(
      `<p>Docs: ${docs.map((d) => `<a href="${esc(d.url)}">${esc(d.title)}</a>`).join(' · ')}</p>`,
    )
  }
  return parts.join('\n')
}

function renderStep(step: string): string {
  return splitStep(step)
    .map((p) => (p.kind === 'text' ? inline(p.text) : `<pre><code>${esc(p.code)}</code></pre>`))
    .join('')
}

function location(f: Finding): string {
  return `${f.file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}`
}

/** Escapes text, renders `code` spans, and links bare https URLs. */
export function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((seg) =>
      seg.length > 2 && seg.startsWith('`') && seg.endsWith('`')
        ? `<code>${esc(seg.slice(1, -1))}</code>`
        : linkify(seg),
    )
    .join('')
}

function linkify(text: string): string {
  const re = /https?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:)]/g
  let out = ''
  let last = 0
  for (const m of text.matchAll(re)) {
    out += esc(text.slice(last, m.index))
    out += `<a href="${esc(m[0])}">${esc(m[0])}</a>`
    last = m.index + m[0].length
  }
  return out + esc(text.slice(last))
}

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Appends the summary; without GITHUB_STEP_SUMMARY (or on a write error) it logs instead of failing. */
export async function writeSummary(report: Report): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('GITHUB_STEP_SUMMARY is not set, so no job summary was written')
    return
  }
  try {
    await core.summary.addRaw(renderSummary(report)).write()
  } catch (e) {
    core.summary.emptyBuffer()
    core.info(`the job summary could not be written: ${(e as Error).message}`)
  }
}
