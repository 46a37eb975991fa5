// The action's orchestration: parse inputs and context once, run the preflight within the
// deadline, report (annotations, job summary, outputs), and own the one setFailed.

import * as core from './runner/core.js'
import { ContextError, readRunContext } from './context.js'
import { makeFinding } from './findings/catalogue.js'
import { createGitHubApi } from './github/api.js'
import { createHttpClient } from './http/client.js'
import { Deadline } from './http/deadline.js'
import { getInputs, InputError, type Inputs } from './inputs.js'
import { savePostState } from './post/state.js'
import { preflight, type PreflightOutcome } from './preflight/preflight.js'
import { emitAnnotations, isAnnotated } from './report/annotations.js'
import { setOutputs } from './report/outputs.js'
import { writeSummary } from './report/summary.js'
import type { Report } from './report/types.js'

/** Per-attempt timeout of a REST call. */
const API_TIMEOUT_MS = 5000

/** Time kept after the deadline to write the report, so the whole step ends within timeout-seconds + 2 s. */
const REPORT_MARGIN_MS = 1000

export async function run(): Promise<void> {
  let inputs: Inputs
  try {
    inputs = getInputs()
  } catch (e) {
    return failEarly(e)
  }
  try {
    const ctx = readRunContext()
    const deadline = new Deadline(inputs.timeoutSeconds * 1000)
    const http = createHttpClient({ deadline })
    // The REST API only adds facts around the registry's verdict: shorter attempts and one retry,
    // so a slow API cannot hold the step for the whole deadline.
    // 2 MiB of body: the contents API sends a workflow file (up to 1 MiB) as base64 inside JSON.
    const apiHttp = createHttpClient({
      deadline,
      timeoutMs: API_TIMEOUT_MS,
      retries: 1,
      maxBodyBytes: 2 * 1024 * 1024,
    })
    const api = createGitHubApi({ apiUrl: ctx.apiUrl, http: apiHttp, timeoutMs: API_TIMEOUT_MS })
    const seam = process.env.GHCR_PREFLIGHT_REGISTRY_URL?.trim()
    const work = preflight(inputs, ctx, {
      http,
      api,
      ...(seam ? { registryBaseUrl: seam.replace(/\/+$/, '') } : {}),
      mask: (s) => core.setSecret(s),
      log: (line) => core.info(line),
    })
    const outcome = await withinDeadline(work, inputs, deadline, ctx)
    await report(outcome, inputs)
  } catch (e) {
    failEarly(e)
  }
}

/** The findings that can make a run `skip` (decide.ts): the skip is said on their annotation. */
const SKIP_CAUSES = ['fork-pull-request', 'dependabot-run']

async function report({ report, password }: PreflightOutcome, inputs: Inputs): Promise<void> {
  // A skip is said once: on its cause's annotation when that is annotated, else on its own.
  const skipCause =
    report.result === 'skip'
      ? SKIP_CAUSES.find((id) => isAnnotated(report.findings, id))
      : undefined
  emitAnnotations(
    report.findings,
    undefined,
    skipCause ? { on: skipCause, text: 'ghcr-preflight skipped the push:' } : undefined,
  )
  await writeSummary(report)
  setOutputs(report, password)
  // For the post step (runs.post): the verdict and images, never a token.
  savePostState(report, { saveState: core.saveState, exportVariable: core.exportVariable })
  const errors = report.findings.filter((f) => f.severity === 'error')
  const first = errors[0] ? ` First cause [${errors[0].id}]: ${headline(errors[0].message)}.` : ''
  switch (report.result) {
    case 'ready':
    case 'fallback':
      core.info(`ghcr-preflight: ${report.result} — ${report.reason}.`)
      break
    case 'skip':
      if (skipCause) core.info(`ghcr-preflight: skip — ${report.reason}.`)
      else {
        core.notice(`ghcr-preflight skipped the push: ${report.reason}. See the job summary.`, {
          title: 'ghcr-preflight: skip',
        })
      }
      break
    case 'unverified':
      if (inputs.onUnverified === 'fail') {
        core.setFailed(
          `ghcr-preflight could not prove this run can push to ${report.registry}: ${report.reason} (on-unverified: fail).`,
        )
      } else {
        core.warning(
          `ghcr-preflight could not prove this run can push to ${report.registry}: ${report.reason}. See the job summary.`,
          {
            title: 'ghcr-preflight: unverified',
          },
        )
      }
      break
    case 'fail':
      core.setFailed(
        errors.length > 0
          ? `ghcr-preflight: this run cannot push to ${report.registry} (${errors.length} problem${errors.length === 1 ? '' : 's'}).${first} See the annotations and the job summary for the fix.`
          : `ghcr-preflight: this run cannot push to ${report.registry}: ${report.reason}. See the job summary.`,
      )
      break
  }
}

/** The first sentence of a finding's message, short enough for the failure line. */
export function headline(message: string, max = 240): string {
  // A sentence ends at . ! or ? before a capital or a quote, not inside "e.g. the" or "v4.6.0".
  const first = message.split(/(?<=[^.](?<!\be\.g|\bi\.e)[.!?])\s+(?=[A-Z"`(])/)[0]!
  const sentence = first.replace(/[.!?]$/, '')
  if (sentence.length <= max) return sentence
  // Cut at the last space that fits, never inside a word.
  const cut = sentence.slice(0, max - 1).replace(/\s+\S*$/, '')
  return `${cut.replace(/[\s,;:]+$/, '')}…`
}

/** The run's deadline is absolute: if anything still hangs, report `unverified` instead of waiting. */
async function withinDeadline(
  work: Promise<PreflightOutcome>,
  inputs: Inputs,
  deadline: Deadline,
  ctx: ReturnType<typeof readRunContext>,
): Promise<PreflightOutcome> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<PreflightOutcome>((resolve) => {
    timer = setTimeout(
      () => {
        const registry = inputs.registry ?? ctx.defaultRegistry
        const place = { serverUrl: ctx.serverUrl, repository: ctx.repository, registry }
        const report: Report = {
          result: 'unverified',
          canPush: false,
          credentialSource: 'none',
          registry,
          username: '',
          images: [],
          findings: [
            makeFinding('probe-inconclusive', place, {
              message: `the preflight did not finish within timeout-seconds (${inputs.timeoutSeconds} s): the registry or the GitHub API did not answer in time, so nothing was proven`,
            }),
          ],
          checks: [
            { name: 'deadline', status: 'fail', detail: `${inputs.timeoutSeconds} s reached` },
          ],
          place,
          reason: `the ${inputs.timeoutSeconds} s deadline was reached before the registry answered`,
        }
        resolve({ report, password: '' })
      },
      deadline.remainingMs() + REPORT_MARGIN_MS / 2,
    )
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

function failEarly(e: unknown): void {
  const known = e instanceof InputError || e instanceof ContextError
  const message = e instanceof Error ? e.message : String(e)
  const place = {
    serverUrl: process.env.GITHUB_SERVER_URL?.trim() || 'https://github.com',
    repository: process.env.GITHUB_REPOSITORY?.trim() || 'OWNER/REPO',
    registry: '',
  }
  const findings = !known
    ? []
    : e instanceof InputError
      ? [makeFinding('input-invalid', place, { message, details: { input: e.input } })]
      : [
          makeFinding('input-invalid', place, {
            message,
            details: { environment: 'yes' },
            fix: [
              'Run ghcr-preflight as a step of a GitHub Actions job (the runner sets GITHUB_REPOSITORY and the other GITHUB_* variables)',
              'To check workflow files on your own machine, run `npx ghcr-preflight lint` instead',
            ],
          }),
        ]
  core.setOutput('result', 'fail')
  core.setOutput('can-push', 'false')
  core.setOutput('credential-source', 'none')
  core.setOutput('findings', JSON.stringify(findings))
  // A bug of ours: the stack helps us and is shown only with step debug logging on.
  if (!known && e instanceof Error && e.stack) core.debug(e.stack)
  core.setFailed(
    known
      ? `ghcr-preflight: ${message}`
      : `ghcr-preflight failed unexpectedly: ${message}. Please report this at https://github.com/craigedmunds/ghcr-preflight/issues`,
  )
}
