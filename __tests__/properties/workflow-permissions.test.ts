// Property: the workflow analysis agrees with an independent model of GitHub's permission rules
// on random workflows written in many YAML styles, and points each finding at the right key.

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parse as parseYaml } from 'yaml'
import type { Place } from '../../src/findings/types.js'
import { analyseRunningJob } from '../../src/workflow/analyse.js'
import { lintFiles } from '../../src/workflow/lint-files.js'
import { parseWorkflow } from '../../src/workflow/parse.js'
import { CASE_COUNTS, runs, TOTAL_CASES } from './support/fast-check-settings.js'
import { expectedFinding, packagesPermission } from './support/permission-model.js'
import {
  lineColumn,
  serialisedWorkflowArb,
  type SerialisedWorkflow,
} from './support/workflow-text.js'

const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}
const FILE = '.github/workflows/build.yml'
const PERMISSION_IDS = ['packages-permission-missing', 'packages-permission-undeclared']

/** Where the finding for `jobId` must point, from the offsets recorded while writing the text. */
function expectedPosition(
  w: SerialisedWorkflow,
  jobId: string,
  level: string,
): { line: number; column: number } {
  if (level === 'default') return lineColumn(w.text, w.jobKeyOffsets.get(jobId)!)
  const block = level === 'job' ? w.jobBlocks.get(jobId)! : w.workflowBlock!
  return lineColumn(w.text, block.packagesKeyOffset ?? block.keyOffset)
}

describe('workflow permissions agree with the reference model', () => {
  it('the generator writes YAML that loads back to the plain value it meant', () => {
    // Guards the model's input: if the text meant something else, agreement would prove nothing.
    fc.assert(
      fc.property(serialisedWorkflowArb, (w) => {
        expect(parseYaml(w.text, { uniqueKeys: true })).toEqual(w.plain)
      }),
      runs(CASE_COUNTS.workflowGeneratorSanity),
    )
  })

  it('analyseRunningJob: same value, level, finding id and finding position for every job', () => {
    fc.assert(
      fc.property(serialisedWorkflowArb, (w) => {
        const parsed = parseWorkflow(w.text, FILE)
        if (!parsed.ok) throw new Error(`not parsed: ${parsed.message}\n${w.text}`)
        const jobs = w.plain.jobs as Record<string, unknown>
        expect(parsed.workflow.jobs.map((j) => j.id)).toEqual(Object.keys(jobs))
        for (const jobId of Object.keys(jobs)) {
          const model = packagesPermission(w.plain, jobId)
          const got = analyseRunningJob(parsed.workflow, jobId, place, FILE)
          expect(got.jobFound).toBe(true)
          expect({ job: jobId, value: got.packages?.value, level: got.packages?.level }).toEqual({
            job: jobId,
            value: model.value,
            level: model.level,
          })
          const want = expectedFinding(model)
          const found = got.findings
            .filter((f) => PERMISSION_IDS.includes(f.id))
            .map((f) => ({ job: jobId, id: f.id, file: f.file, line: f.line, column: f.column }))
          expect(found).toEqual(
            want
              ? [
                  {
                    job: jobId,
                    id: want,
                    file: FILE,
                    ...expectedPosition(w, jobId, model.level),
                  },
                ]
              : [],
          )
        }
      }),
      runs(CASE_COUNTS.workflowAnalysis),
    )
  })

  it('lintFiles reports the same permission findings for the jobs that push', () => {
    fc.assert(
      fc.property(serialisedWorkflowArb, (w) => {
        const findings = lintFiles([{ path: FILE, text: w.text }], { place })
        const jobs = w.plain.jobs as Record<string, { steps: Array<{ run?: string }> }>
        const want: string[] = []
        for (const [jobId, job] of Object.entries(jobs)) {
          if (!job.steps.some((s) => s.run?.startsWith('docker push '))) continue
          const model = packagesPermission(w.plain, jobId)
          const id = expectedFinding(model)
          // An invalid value makes GitHub reject the file: permissions-invalid says so instead.
          if (!id || model.value === 'invalid') continue
          const at = expectedPosition(w, jobId, model.level)
          want.push(`${id} job "${jobId}" ${at.line}:${at.column}`)
        }
        const got = findings
          .filter((f) => PERMISSION_IDS.includes(f.id))
          .map((f) => `${f.id} job "${/job "([^"]+)"/.exec(f.message)?.[1]}" ${f.line}:${f.column}`)
        expect(got.sort()).toEqual(want.sort())
        // The only other errors: the blocks GitHub rejects, exactly when one is written.
        const others = findings.filter(
          (f) => f.severity === 'error' && !PERMISSION_IDS.includes(f.id),
        )
        expect(others.filter((f) => f.id !== 'permissions-invalid')).toEqual([])
        const blocks = [
          ...('permissions' in w.plain ? [w.plain.permissions] : []),
          ...Object.values(w.plain.jobs as Record<string, Record<string, unknown>>)
            .filter((j) => 'permissions' in j)
            .map((j) => j.permissions),
        ]
        expect(others.length > 0).toBe(blocks.some(isRejectedBlock))
      }),
      runs(CASE_COUNTS.workflowLint),
    )
  })
})

/** A permissions value GitHub rejects, by the reference model's rules (only packages varies). */
function isRejectedBlock(block: unknown): boolean {
  if (typeof block === 'string') return block !== 'read-all' && block !== 'write-all'
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return true
  const packages = (block as Record<string, unknown>).packages
  return packages !== undefined && !['read', 'write', 'none'].includes(packages as string)
}

describe('the property suite', () => {
  it('generates at least 10,000 cases in all', () => {
    expect(TOTAL_CASES).toBeGreaterThanOrEqual(10_000)
  })
})
