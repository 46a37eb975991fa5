// What the user handed to `diagnose` → one text per job: a job log (downloaded, copied from the
// web UI, or `gh run view --log` output with its job and step columns), or the run's log archive
// (.zip, one file per job and one folder of step files per job). Anything else gets a clear
// reason: a binary file, a gzip, an archive without logs.

import { isZip, readZip, ZipError } from './zip.js'

export interface LogDocument {
  /** The job's name, or the file's when the log does not say. */
  name: string
  text: string
}

export type ReadDocuments = { ok: true; documents: LogDocument[] } | { ok: false; error: string }

/** The largest log or archive read (the whole file is held in memory). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024

export function documentsFrom(buf: Buffer, label: string): ReadDocuments {
  if (buf.length === 0) return { ok: false, error: `${label} is empty` }
  if (isZip(buf)) return fromZip(buf, label)
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    return {
      ok: false,
      error: `${label} is gzip-compressed: unpack it first (gunzip), or give the .zip GitHub serves`,
    }
  }
  if (looksBinary(buf)) {
    return {
      ok: false,
      error: `${label} is not a text log or a log archive (it holds binary data)`,
    }
  }
  const text = buf.toString('utf8')
  return { ok: true, documents: splitGhRunLog(text) ?? [{ name: label, text }] }
}

function fromZip(buf: Buffer, label: string): ReadDocuments {
  let entries
  try {
    entries = readZip(buf, (name) => /\.txt$/i.test(name))
  } catch (e) {
    if (e instanceof ZipError) return { ok: false, error: `${label}: ${e.message}` }
    throw e
  }
  // Top-level "N_job.txt" files hold whole job logs; folders hold the same job split by step.
  const whole = entries.filter((e) => !e.name.includes('/'))
  const documents: LogDocument[] = whole.map((e) => ({
    name: jobName(e.name),
    text: e.data.toString('utf8'),
  }))
  if (documents.length === 0) {
    const byJob = new Map<string, Array<{ order: number; text: string }>>()
    for (const e of entries) {
      const [folder, file] = [
        e.name.slice(0, e.name.lastIndexOf('/')),
        e.name.slice(e.name.lastIndexOf('/') + 1),
      ]
      const order = Number(/^(\d+)_/.exec(file)?.[1] ?? 0)
      const list = byJob.get(folder) ?? []
      list.push({ order, text: e.data.toString('utf8') })
      byJob.set(folder, list)
    }
    for (const [folder, steps] of byJob) {
      steps.sort((a, b) => a.order - b.order)
      documents.push({ name: folder.split('/').pop()!, text: steps.map((s) => s.text).join('\n') })
    }
  }
  if (documents.length === 0) return { ok: false, error: `${label} holds no job logs (*.txt)` }
  return { ok: true, documents }
}

/** "3_build (ubuntu-latest).txt" → "build (ubuntu-latest)". */
function jobName(file: string): string {
  return file.replace(/\.txt$/i, '').replace(/^\d+_/, '')
}

function looksBinary(buf: Buffer): boolean {
  const sample = buf.subarray(0, 64 * 1024)
  let odd = 0
  for (const b of sample) {
    if (b === 0) return true
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) odd++
  }
  return odd > sample.length * 0.1
}

/** `gh run view --log`: "job<TAB>step<TAB>timestamp text" → one document per job. */
function splitGhRunLog(text: string): LogDocument[] | undefined {
  const lines = text.split(/\r?\n/)
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 50)
  const shape = /^([^\t]+)\t([^\t]*)\t\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/
  if (sample.length < 3 || sample.filter((l) => shape.test(l)).length < sample.length * 0.9) {
    return undefined
  }
  const jobs = new Map<string, string[]>()
  for (const line of lines) {
    const m = /^([^\t]+)\t([^\t]*)\t(.*)$/.exec(line)
    if (!m) continue
    const list = jobs.get(m[1]!) ?? []
    list.push(m[3]!)
    jobs.set(m[1]!, list)
  }
  return [...jobs].map(([name, body]) => ({ name, text: body.join('\n') }))
}
