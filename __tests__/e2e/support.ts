// Shared checks for the end-to-end tests of the built bundle (dist/index.js): the contract
// assertions every run must satisfy (outputs §3, findings §5, annotations, job summary, masking,
// no secret anywhere, no stack trace), a base run environment, and a loopback server that
// records any request, to prove the static cases use no network.

import { expect } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ActionRun, WorkflowCommand } from '../../scripts/lib/action-process.mjs'
import { FINDING_IDS, type Finding } from '../../src/findings/types.js'

export type Runtime = 'node20' | 'node24'
export const RUNTIMES: Runtime[] = ['node20', 'node24']

/** A realistic run-token value (never a real one). */
export const RUN_TOKEN = 'ghs_e2eRunTokenValue0123456789abcdefABCD'

const RESULTS = ['ready', 'fallback', 'skip', 'fail', 'unverified']
const SOURCES = ['github-token', 'fallback-token', 'none']
const SEVERITIES = ['error', 'warning', 'notice'] as const
const OUTPUT_NAMES = [
  'result',
  'can-push',
  'credential-source',
  'registry',
  'username',
  'password',
  'images',
  'findings',
]
const FINDING_KEYS = [
  'id',
  'severity',
  'title',
  'message',
  'fix',
  'file',
  'line',
  'column',
  'image',
]

export { runnerEnv } from '../../scripts/lib/action-process.mjs'

/**
 * The action's own clock: the preflight's duration as it reports it in the job summary ("(N ms)"
 * after the verdict). Absent when the run's deadline timer, or an early failure, wrote the report.
 * Tests bound deadlines with it rather than with wall time, which a loaded machine stretches.
 */
export function actionClockMs(run: Pick<ActionRun, 'summary'>): number | undefined {
  const m = /<sub>\((\d+) ms\)<\/sub>/.exec(run.summary)
  return m ? Number(m[1]) : undefined
}

/**
 * The action's slack past its deadline: main.ts keeps REPORT_MARGIN_MS (1 s) after
 * timeout-seconds to write the report, and its deadline timer takes over half-way into it.
 */
export const REPORT_MARGIN_MS = 1000

/**
 * The run kept its `timeout-seconds` by its own clock; without a duration, the deadline timer
 * wrote the report, and says so.
 */
export function expectWithinDeadline(
  run: Pick<ActionRun, 'summary'>,
  timeoutSeconds: number,
): void {
  const clock = actionClockMs(run)
  if (clock === undefined) expect(run.summary).toMatch(/deadline.*\d+ s reached/s)
  else expect(clock).toBeLessThanOrEqual(timeoutSeconds * 1000 + REPORT_MARGIN_MS)
}

/** 1-based line and column of the first non-blank character of the first line containing `needle`. */
export function lineOf(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n')
  const i = lines.findIndex((l) => l.includes(needle))
  if (i < 0) throw new Error(`fixture has no line containing ${JSON.stringify(needle)}`)
  return { line: i + 1, column: lines[i]!.search(/\S/) + 1 }
}

/** A loopback HTTP server that answers 503 to everything and remembers what it was asked. */
export async function startRecorder(): Promise<{
  url: string
  requests: string[]
  stop: () => Promise<void>
}> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    res.writeHead(503).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The `findings` output, checked against the contract's shape (§5), in its order. */
export function findingsOf(run: ActionRun): Finding[] {
  const parsed: unknown = JSON.parse(run.outputs.findings ?? 'null')
  expect(Array.isArray(parsed)).toBe(true)
  const findings = parsed as Finding[]
  for (const f of findings) {
    expect(Object.keys(f).filter((k) => !FINDING_KEYS.includes(k))).toEqual([])
    expect(FINDING_IDS).toContain(f.id)
    expect(SEVERITIES).toContain(f.severity)
    expect(typeof f.title).toBe('string')
    expect(f.title.length).toBeGreaterThan(0)
    expect(typeof f.message).toBe('string')
    expect(f.message.length).toBeGreaterThan(0)
    expect(Array.isArray(f.fix)).toBe(true)
    for (const step of f.fix) expect(typeof step).toBe('string')
    if (f.file !== undefined) {
      expect(f.file).not.toMatch(/^\/|\\/) // repository-relative POSIX
    }
    // A line means nothing without its file, a column nothing without its line.
    if (f.line !== undefined) {
      expect(f.file).toBeDefined()
      expect(Number.isInteger(f.line) && f.line >= 1).toBe(true)
    }
    if (f.column !== undefined) {
      expect(f.line).toBeDefined()
      expect(Number.isInteger(f.column) && f.column >= 1).toBe(true)
    }
  }
  // Errors first, then warnings, then notices.
  const ranks = findings.map((f) => SEVERITIES.indexOf(f.severity))
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
  return findings
}

/** Every output of contracts §3, with legal values, consistent with each other. */
export function expectContractOutputs(run: ActionRun): Finding[] {
  const o = run.outputs
  expect(Object.keys(o).sort()).toEqual([...OUTPUT_NAMES].sort())
  expect(RESULTS).toContain(o.result)
  expect(['true', 'false']).toContain(o['can-push'])
  expect(SOURCES).toContain(o['credential-source'])
  const canPush = o['can-push'] === 'true'
  expect(canPush).toBe(o.result === 'ready' || o.result === 'fallback')
  if (o.result === 'ready') expect(o['credential-source']).toBe('github-token')
  if (o.result === 'fallback') expect(o['credential-source']).toBe('fallback-token')
  if (canPush) {
    expect(o.username).not.toBe('')
    expect(o.password).not.toBe('')
  }
  if (o.result === 'skip' || o.result === 'fail') expect(o.password).toBe('')
  for (const image of o.images!.split('\n').filter(Boolean)) {
    expect(image).toBe(image.toLowerCase())
    expect(image.startsWith(`${o.registry}/`)).toBe(true)
  }
  return findingsOf(run)
}

/** The exit rule of contracts §3. */
export function expectedExit(result: string | undefined, onUnverified = 'warn'): number {
  return result === 'fail' || (result === 'unverified' && onUnverified === 'fail') ? 1 : 0
}

function isFindingAnnotation(c: WorkflowCommand): boolean {
  return (
    (c.command === 'error' || c.command === 'warning' || c.command === 'notice') &&
    (FINDING_IDS as readonly string[]).includes(c.props.title ?? '')
  )
}

/**
 * Annotations: titled with the finding id, at most 10 per severity, errors first, each placed on
 * the finding's file/line/column — exactly the first 10 findings of each severity.
 */
export function expectAnnotations(run: ActionRun, findings: Finding[]): WorkflowCommand[] {
  const annotations = run.commands.filter(isFindingAnnotation)
  const order = annotations.map((a) => SEVERITIES.indexOf(a.command as 'error'))
  expect(order).toEqual([...order].sort((a, b) => a - b))
  for (const severity of SEVERITIES) {
    const got = annotations.filter((a) => a.command === severity)
    const want = findings.filter((f) => f.severity === severity).slice(0, 10)
    expect(got.length).toBeLessThanOrEqual(10)
    expect(
      got.map((a) => ({
        id: a.props.title,
        file: a.props.file,
        line: a.props.line,
        col: a.props.col,
        // A skip's cause says the skip first (main.ts), then its own message.
        first: a.message.split('\n')[0]!.replace(/^ghcr-preflight skipped the push: /, ''),
      })),
    ).toEqual(
      want.map((f) => ({
        id: f.id,
        file: f.file,
        line: f.line === undefined ? undefined : String(f.line),
        col: f.column === undefined ? undefined : String(f.column),
        first: f.message.split('\n')[0],
      })),
    )
  }
  return annotations
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

function unescape(s: string): string {
  return s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
}

/** Status of each row of the summary's checks table, by check name. */
export function summaryChecks(summary: string): Record<string, string> {
  const table = /<h3>Checks<\/h3>\n<table>(.*?)<\/table>/s.exec(summary)
  expect(table).not.toBeNull()
  const rows: Record<string, string> = {}
  for (const m of table![1]!.matchAll(
    /<tr><td>[^<]*?(pass|fail|warn|skip|info)<\/td><td>([^<]*)<\/td>/g,
  )) {
    rows[unescape(m[2]!)] = m[1]!
  }
  expect(Object.keys(rows).length).toBeGreaterThan(0)
  return rows
}

/**
 * The job summary: the verdict line, the checks table, and one section per finding with its
 * title, every fix step, and every link its text names.
 */
export function expectSummary(run: ActionRun, findings: Finding[]): void {
  const s = run.summary
  const result = run.outputs.result!
  const verdict = /<p><strong>([^<]*)<\/strong>/.exec(s)
  expect(verdict).not.toBeNull()
  expect(verdict![1]).toContain(`${result}:`)
  expect(verdict![1]).toContain(run.outputs.registry!)
  summaryChecks(s)
  const sections = s.split('<h4>').slice(1)
  expect(sections).toHaveLength(findings.length)
  findings.forEach((f, i) => {
    const section = sections[i]!
    expect(section).toContain(`<code>${f.id}</code> ${esc(f.title)}`)
    if (f.file) expect(section).toContain(`<code>${esc(f.file)}${f.line ? `:${f.line}` : ''}`)
    const items = section.match(/<li>/g) ?? []
    expect(items).toHaveLength(f.fix.length)
    // Prose URLs become links; URLs inside `code` or an indented code block stay text.
    const prose = [f.message, ...f.fix]
      .join('\n')
      .replace(/`[^`]+`/g, '')
      .replace(/^ {4}.*$/gm, '')
    for (const url of prose.match(/https?:\/\/[^\s<>"'`]+/g) ?? []) {
      const clean = url.replace(/[.,;:)]+$/, '')
      expect(section).toContain(`href="${esc(clean)}"`)
    }
  })
}

/** Every encoding of a secret a careless program could print. */
function secretForms(secret: string, users: string[]): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)]
  for (const u of users) forms.push(Buffer.from(`${u}:${secret}`).toString('base64'))
  return forms
}

/** No secret, nor its base64, nor user:secret base64, anywhere but the masked password output. */
export function expectNoSecrets(run: ActionRun, secrets: string[], users: string[]): void {
  const { password: _password, ...outputs } = run.outputs
  const places: Record<string, string> = {
    // The mask commands, and the password output when outputs go to stdout, are meant to hold it.
    stdout: run.stdout.replace(/^::(add-mask|set-output name=password)::.*$/gm, ''),
    stderr: run.stderr,
    summary: run.summary,
    state: run.state,
    env: run.envFile,
    outputs: JSON.stringify(outputs),
  }
  for (const secret of secrets.filter((x) => x.length >= 8)) {
    for (const form of secretForms(secret, users)) {
      for (const [where, text] of Object.entries(places)) {
        if (text.includes(form))
          throw new Error(`a secret (or an encoding of it) appears in ${where}`)
      }
    }
  }
}

/**
 * Masking: each secret input is masked before the step prints anything else, and a non-empty
 * password output is one of the masked values.
 */
export function expectMasked(run: ActionRun, secretInputs: string[]): void {
  const lines = run.stdout.split('\n').filter((l) => l !== '')
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'))
  const leading = lines.slice(0, firstOther < 0 ? lines.length : firstOther)
  for (const secret of secretInputs.filter(Boolean)) {
    expect(leading).toContain(`::add-mask::${secret}`)
  }
  const password = run.outputs.password ?? ''
  if (password !== '') {
    const masked = run.commands.filter((c) => c.command === 'add-mask').map((c) => c.message)
    expect(masked).toContain(password)
  }
}

/** No JavaScript stack frame in anything the step printed. */
export function expectNoStackTrace(run: ActionRun): void {
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/)
  expect(run.stdout + run.stderr).not.toMatch(/\b(TypeError|ReferenceError|SyntaxError):/)
}

/** The one `::error::` line setFailed printed (no title: it is the step's failure, not a finding). */
export function failureMessage(run: ActionRun): string | undefined {
  const failures = run.commands.filter((c) => c.command === 'error' && !c.props.title)
  expect(failures.length).toBeLessThanOrEqual(1)
  return failures[0]?.message
}
