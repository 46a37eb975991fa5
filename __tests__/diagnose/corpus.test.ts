// diagnose on the real-failure corpus (corpus/failures/*.yml): every quoted refusal, framed as
// the client that printed it would frame it (support/framing.ts), through the built CLI
// (dist/cli/index.js) as a user runs it. Three inputs per case:
//   job log   the whole job log, plus --workflow when the thread shows the job's permissions;
//   line + workflow   only the error line, plus --workflow when known;
//   line      only the error line.
// The bar (issue 12): the job log names the established cause for ≥ 95% of the cases; the line
// alone names it or lists it among the candidates of its finding; no refusal is ever reported as
// "no registry failure". The numbers and every miss are printed.
// "Named" is strict: the first error-severity finding has the established id.

import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { errorLine, jobLog, loadCorpus, workflowFile, type CorpusCase } from './support/framing.js'

// GHCR_PREFLIGHT_CLI points at a CLI bundle built elsewhere (e.g. `npx ncc build src/cli/index.ts
// -o /tmp/cli`), to measure a change without rebuilding the committed dist/.
const CLI = process.env.GHCR_PREFLIGHT_CLI ?? join(process.cwd(), 'dist', 'cli', 'index.js')
const work = mkdtempSync(join(tmpdir(), 'diagnose-corpus-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

interface Outcome {
  code: number
  findings: Array<{ id: string; severity: string; candidates?: string[]; evidence?: string }>
  stderr: string
}

function run(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'diagnose', ...args, '--format', 'json'],
      { cwd: work, env: { PATH: process.env.PATH }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 99) : 0
        let findings: Outcome['findings'] = []
        try {
          findings = (JSON.parse(stdout) as { findings: Outcome['findings'] }).findings
        } catch {
          findings = []
        }
        resolve({ code, findings, stderr })
      },
    )
  })
}

async function pool<T, R>(items: T[], size: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await work(items[i]!)
      }
    }),
  )
  return out
}

type Mode = 'job log' | 'line + workflow' | 'line'

interface Result {
  c: CorpusCase
  mode: Mode
  outcome: Outcome
  named: boolean
  listed: boolean
}

function judge(c: CorpusCase, mode: Mode, outcome: Outcome): Result {
  const lead = outcome.findings.find((f) => f.severity === 'error')
  const named = lead?.id === c.cause
  const listed =
    named ||
    outcome.findings.some((f) => f.id === c.cause || (f.candidates ?? []).includes(c.cause))
  return { c, mode, outcome, named, listed }
}

const cases = loadCorpus()

describe('diagnose on the real-failure corpus', () => {
  it('names the established cause (printing the numbers and the misses)', async () => {
    expect(existsSync(CLI)).toBe(true)
    expect(cases.length).toBeGreaterThanOrEqual(60)
    const results = await pool(cases, 4, async (c): Promise<Result[]> => {
      const base = join(work, c.file.replace(/\.ya?ml$/, ''))
      writeFileSync(`${base}.job.log`, jobLog(c))
      writeFileSync(`${base}.line.log`, errorLine(c))
      const wf = workflowFile(c)
      const withWorkflow = wf ? ['--workflow', `${base}.workflow.yml`] : []
      if (wf) writeFileSync(`${base}.workflow.yml`, wf)
      const [full, lineWf, line] = await Promise.all([
        run([`${base}.job.log`, ...withWorkflow]),
        run([`${base}.line.log`, ...withWorkflow]),
        run([`${base}.line.log`]),
      ])
      return [
        judge(c, 'job log', full),
        judge(c, 'line + workflow', lineWf),
        judge(c, 'line', line),
      ]
    })
    const all = results.flat()
    const report: string[] = []
    const stats = (mode: Mode) => {
      const rs = all.filter((r) => r.mode === mode)
      const named = rs.filter((r) => r.named).length
      const listed = rs.filter((r) => r.listed).length
      const silent = rs.filter((r) => r.outcome.code === 0).length
      report.push(
        `${mode.padEnd(16)} named ${named}/${rs.length} (${((100 * named) / rs.length).toFixed(1)}%), named or listed ${listed}/${rs.length}, "no failure" ${silent}`,
      )
      for (const r of rs.filter((x) => !x.named)) {
        const lead = r.outcome.findings.find((f) => f.severity === 'error')
        report.push(
          `  miss ${r.c.file}: expected ${r.c.cause}, got ${lead?.id ?? `exit ${r.outcome.code}, no error finding`}${r.listed ? ' (listed)' : ''}${r.outcome.stderr ? ` stderr: ${r.outcome.stderr.trim().slice(0, 160)}` : ''}`,
        )
      }
      return { rs, named, listed, silent }
    }
    const full = stats('job log')
    const lineWf = stats('line + workflow')
    const line = stats('line')
    console.log(`diagnose on ${cases.length} real failures\n${report.join('\n')}`)

    // Issue 12's bar: the established cause named for >= 95% given the job log. The misses
    // printed above are bare "403 Forbidden" uploads whose threads do not show the job's
    // permissions, and a login bug of old GHES runners (055); every miss is still listed.
    expect(full.named / full.rs.length).toBeGreaterThanOrEqual(0.95)
    expect(lineWf.named / lineWf.rs.length).toBeGreaterThanOrEqual(0.75)
    for (const mode of [full, lineWf, line]) expect(mode.silent).toBe(0)
    // From the line alone: the cause, or the cause among the finding's candidates.
    expect(line.rs.filter((r) => !r.listed).map((r) => r.c.file)).toEqual([])
    // Every finding carries its evidence, and a cause exits 1.
    for (const r of all) {
      expect(r.outcome.code).toBe(1)
      for (const f of r.outcome.findings) expect(typeof f.evidence).toBe('string')
    }
  }, 600_000)
})
