// `ghcr-preflight diagnose`: the file-system and network edge of the log diagnosis. Reads the log
// (a file, standard input, or --run from the REST API), the workflow file when given, and prints
// the findings with lint's renderers. Exit 1 when a cause is named, 0 when the log shows no
// registry failure, 2 on usage errors (contracts §6).

import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import {
  diagnoseDocuments,
  evidenceLineOf,
  type JobDiagnosis,
  type WorkflowInput,
} from '../diagnose/diagnose.js'
import { documentsFrom, MAX_INPUT_BYTES, type LogDocument } from '../diagnose/read-input.js'
import type { Finding } from '../findings/types.js'
import { MAX_WORKFLOW_CHARS } from '../workflow/parse.js'
import {
  DIAGNOSE_HELP,
  DIAGNOSE_USAGE,
  parseDiagnoseArgs,
  type DiagnoseCommand,
} from './diagnose-args.js'
import { fetchRun, parseRunUrl } from './diagnose-run.js'
import { formatJson } from './format-json.js'
import { formatSarif } from './format-sarif.js'
import { formatText, summaryLine } from './format-text.js'
import { toRelative } from './lint.js'
import { defaultIo, type CliIo } from './main.js'
import { detectRepository } from './repository.js'
import { VERSION } from './version.js'

export interface DiagnoseIo extends CliIo {
  /** Standard input, read up to `limit` bytes (+1, so an overflow is noticed). */
  readStdin: (limit: number) => Promise<Buffer>
  stdinIsTTY: boolean
}

export async function runDiagnose(argv: string[], io: DiagnoseIo): Promise<number> {
  const parsed = parseDiagnoseArgs(argv)
  if (!parsed.ok) return usage(io, parsed.error)
  if (parsed.command.kind === 'help') {
    io.stdout(DIAGNOSE_HELP)
    return 0
  }
  try {
    return await diagnose(parsed.command, io)
  } catch (e) {
    // A bug of ours: one line, never a stack trace.
    io.stderr(`ghcr-preflight diagnose: ${(e as Error).message ?? String(e)}\n`)
    return 2
  }
}

function usage(io: CliIo, error: string): number {
  io.stderr(`ghcr-preflight diagnose: ${error}; ${DIAGNOSE_USAGE}\n`)
  return 2
}

async function diagnose(command: DiagnoseCommand, io: DiagnoseIo): Promise<number> {
  let workflow: WorkflowInput | undefined
  if (command.workflow) {
    const read = readWorkflowFile(command.workflow, io.cwd)
    if ('error' in read) return usage(io, read.error)
    workflow = command.job ? { ...read, job: command.job } : read
  }

  let documents: LogDocument[]
  let run: ((job: string) => import('../diagnose/diagnose.js').RunInfo) | undefined
  const notes: string[] = []
  if (command.run) {
    const url = parseRunUrl(command.run)
    if (!url.ok) return usage(io, url.error)
    const token = io.env.GH_TOKEN?.trim() || io.env.GITHUB_TOKEN?.trim()
    if (!token) {
      return usage(
        io,
        "--run needs a token in GH_TOKEN or GITHUB_TOKEN with read access to the repository's Actions (e.g. GH_TOKEN=$(gh auth token))",
      )
    }
    const fetched = await fetchRun({ target: url.target, token, env: io.env })
    if (!fetched.ok) {
      io.stderr(`ghcr-preflight diagnose: ${fetched.error}\n`)
      return 2
    }
    documents = fetched.fetched.documents
    notes.push(...fetched.fetched.notes)
    if (documents.length === 0) {
      io.stderr(
        `ghcr-preflight diagnose: no job of this run failed${fetched.fetched.skipped.length ? ` (${fetched.fetched.skipped.join(', ')})` : ''}\n`,
      )
    }
    if (!workflow && fetched.fetched.workflow) {
      workflow = command.job
        ? { ...fetched.fetched.workflow, job: command.job }
        : fetched.fetched.workflow
    }
    const info = fetched.fetched.run
    run = (job) => ({ ...info, jobName: job })
  } else {
    const input = command.input ?? (io.stdinIsTTY ? undefined : '-')
    if (input === undefined)
      return usage(io, 'give the job log as FILE (or - for standard input), or --run URL')
    const read = await readInput(input, io)
    if ('error' in read) return usage(io, read.error)
    documents = read.documents
  }

  const serverUrl = (io.env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '')
  let repository: string | undefined
  try {
    repository = detectRepository(io.cwd, io.env, serverUrl)
  } catch {
    repository = undefined
  }
  const results = diagnoseDocuments(documents, {
    ...(workflow ? { workflow } : {}),
    ...(run ? { run } : {}),
    defaults: { serverUrl, ...(repository ? { repository } : {}) },
  })
  for (const note of notes) io.stderr(`ghcr-preflight diagnose: note: ${note}\n`)
  print(command, results, io)
  return results.some((r) => r.diagnosis.findings.some((f) => f.severity === 'error')) ? 1 : 0
}

function print(command: DiagnoseCommand, results: JobDiagnosis[], io: CliIo): void {
  const findings = results.flatMap((r) => r.diagnosis.findings)
  if (command.format === 'json') {
    io.stdout(formatJson(findings))
    return
  }
  if (command.format === 'sarif') {
    // Code scanning shows the message: it carries the log line the finding rests on.
    const shown = findings.map((f) =>
      f.evidence ? { ...f, message: `${f.message}\n\nLog: ${f.evidence}` } : f,
    )
    io.stdout(formatSarif(shown, VERSION))
    return
  }
  io.stdout(text(results, io.isTTY && !io.env.NO_COLOR))
}

function text(results: JobDiagnosis[], colour: boolean): string {
  const out: string[] = []
  const several = results.length > 1
  for (const { job, diagnosis } of results) {
    if (several || diagnosis.clean) out.push(`== ${job}`)
    if (diagnosis.clean) {
      out.push('no registry refusal in this log')
      continue
    }
    out.push('Read from the log:')
    for (const fact of diagnosis.facts) out.push(`  ${fact}`)
    out.push('')
    // A finding without a workflow line points at the log line it rests on.
    const located = diagnosis.findings.map((f) => {
      const n = evidenceLineOf(f)
      return f.file || n === undefined ? f : { ...f, file: job, line: n }
    })
    const block = formatText(located, 0, colour)
    // formatText ends with lint's summary line ("… in 0 workflow files"): not ours.
    const tail = `${summaryLine(located, 0)}\n`
    out.push(block.endsWith(tail) ? block.slice(0, -tail.length).trimEnd() : block.trimEnd())
    const evidence = diagnosis.findings.find((f) => f.evidence)?.evidence
    if (evidence) out.push(`  evidence: ${evidence}`)
    const candidates = diagnosis.findings.find((f) => f.candidates)?.candidates
    if (candidates)
      out.push(`  the log fits these causes, most likely first: ${candidates.join(', ')}`)
    out.push('')
  }
  out.push(totals(results))
  return out.join('\n') + '\n'
}

function totals(results: JobDiagnosis[]): string {
  const findings: Finding[] = results.flatMap((r) => r.diagnosis.findings)
  const failed = results.filter((r) => !r.diagnosis.clean).length
  const jobs = `${results.length} job log${results.length === 1 ? '' : 's'}`
  if (failed === 0) return `no registry failure found in ${jobs}`
  const errors = findings.filter((f) => f.severity === 'error').length
  const warnings = findings.filter((f) => f.severity === 'warning').length
  const notices = findings.filter((f) => f.severity === 'notice').length
  return `${errors > 0 ? 'cause found' : 'no cause named'} in ${failed} of ${jobs} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${notices} notice${notices === 1 ? '' : 's'})`
}

async function readInput(
  input: string,
  io: DiagnoseIo,
): Promise<{ documents: LogDocument[] } | { error: string }> {
  let buf: Buffer
  let label: string
  if (input === '-') {
    label = 'standard input'
    buf = await io.readStdin(MAX_INPUT_BYTES)
  } else {
    const abs = isAbsolute(input) ? input : resolve(io.cwd, input)
    label = input
    try {
      const st = statSync(abs)
      if (st.isDirectory())
        return { error: `${input} is a folder; give a job log file or the run's .zip` }
      if (st.size > MAX_INPUT_BYTES) {
        return {
          error: `${input} is ${st.size} bytes, over the ${MAX_INPUT_BYTES / 1024 / 1024} MiB read (give the failed job's log rather than the whole run)`,
        }
      }
      buf = readFileSync(abs)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      return {
        error:
          code === 'ENOENT'
            ? `file not found: ${input}`
            : `${input} could not be read (${code ?? (e as Error).message})`,
      }
    }
  }
  if (buf.length > MAX_INPUT_BYTES) {
    return { error: `${label} is over the ${MAX_INPUT_BYTES / 1024 / 1024} MiB read` }
  }
  const docs = documentsFrom(buf, label)
  if (!docs.ok) return { error: docs.error }
  return { documents: docs.documents }
}

function readWorkflowFile(path: string, cwd: string): WorkflowInput | { error: string } {
  const abs = isAbsolute(path) ? path : resolve(cwd, path)
  try {
    const st = statSync(abs)
    if (st.isDirectory())
      return { error: `--workflow takes one workflow file, and ${path} is a folder` }
    if (st.size > MAX_WORKFLOW_CHARS * 4)
      return { error: `${path} is ${st.size} bytes, far over the size of any workflow file` }
    return { path: toRelative(cwd, abs), text: readFileSync(abs, 'utf8') }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return {
      error:
        code === 'ENOENT'
          ? `workflow file not found: ${path}`
          : `${path} could not be read (${code ?? (e as Error).message})`,
    }
  }
}

/** The process's own streams. */
export function defaultDiagnoseIo(): DiagnoseIo {
  return {
    ...defaultIo(),
    stdinIsTTY: !!process.stdin.isTTY,
    readStdin: async (limit) => {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of process.stdin) {
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
        chunks.push(b)
        size += b.length
        // Stop reading past the limit: the caller reports the overflow.
        if (size > limit) break
      }
      return Buffer.concat(chunks)
    },
  }
}
