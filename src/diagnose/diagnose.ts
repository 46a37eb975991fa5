// `diagnose` end to end without I/O: log documents (+ the workflow file, + what the REST API said
// about the run) → one diagnosis per job. The CLI reads files and the network; this only reads text.

import { diagnoseLog, type Diagnosis, type RunInfo } from './judge-log.js'
import { readLogFacts } from './log-facts.js'
import { readLogLines } from './log-lines.js'
import type { LogDocument } from './read-input.js'
import type { WorkflowInput } from './workflow-side.js'

export { evidenceLineOf, type Diagnosis, type RunInfo } from './judge-log.js'
export type { WorkflowInput } from './workflow-side.js'

export interface JobDiagnosis {
  job: string
  diagnosis: Diagnosis
}

export interface DiagnoseOptions {
  workflow?: WorkflowInput
  /** Facts from the REST API, per job name (or for every job). */
  run?: (job: string) => RunInfo | undefined
  defaults?: { repository?: string; serverUrl?: string }
}

export function diagnoseDocuments(docs: LogDocument[], o: DiagnoseOptions = {}): JobDiagnosis[] {
  return docs.map((doc) => {
    const log = readLogFacts(readLogLines(doc.text))
    const run = o.run?.(doc.name)
    const diagnosis = diagnoseLog({
      log,
      documentName: doc.name,
      ...(o.workflow ? { workflow: o.workflow } : {}),
      ...(run ? { run } : {}),
      ...(o.defaults ? { defaults: o.defaults } : {}),
    })
    return { job: doc.name, diagnosis }
  })
}
