// How the action talks to the Actions runner: inputs from INPUT_* variables, step outputs and
// the job summary through the runner's files, masks, annotations and log lines as workflow
// commands on stdout. It is the part of @actions/core this action uses, writing exactly what core
// writes (__tests__/runner-io compares the two byte for byte), under the same names, so a module
// can switch with its import line alone.
//
// Why not @actions/core itself: core 3 imports its OIDC client at load time, which pulls
// @actions/http-client and undici into the bundle (about 60% of dist/index.js) and costs every
// start of the action roughly 40 ms of parsing, twice what the rest of a static run takes. The
// job summary is also written synchronously here: core's fs.promises write starts the libuv
// thread pool just to append a few KB, which cost 4-10 ms at the end of every run.

import { randomUUID } from 'node:crypto'
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs'
import { EOL } from 'node:os'

/** Where an annotation points (same shape as @actions/core's AnnotationProperties). */
export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

export interface InputOptions {
  required?: boolean
  trimWhitespace?: boolean
}

function toCommandValue(input: unknown): string {
  if (input === null || input === undefined) return ''
  if (typeof input === 'string' || input instanceof String) return String(input)
  return JSON.stringify(input)
}

function escapeData(s: unknown): string {
  return toCommandValue(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(s: unknown): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** `::command k=v,k=v::message`; properties with empty values are left out, as core does. */
function issueCommand(command: string, properties: Record<string, unknown>, message: unknown) {
  const props = Object.entries(properties)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
  const head = props.length > 0 ? `::${command} ${props.join(',')}` : `::${command}`
  process.stdout.write(`${head}::${escapeData(message)}${EOL}`)
}

function annotationCommandProperties(p: AnnotationProperties): Record<string, unknown> {
  if (Object.keys(p).length === 0) return {}
  return {
    title: p.title,
    file: p.file,
    line: p.startLine,
    endLine: p.endLine,
    col: p.startColumn,
    endColumn: p.endColumn,
  }
}

/** Appends to the file a runner file command names (GITHUB_OUTPUT, …). */
function issueFileCommand(command: string, message: string): void {
  const filePath = process.env[`GITHUB_${command}`]
  if (!filePath) throw new Error(`Unable to find environment variable for file command ${command}`)
  if (!existsSync(filePath)) throw new Error(`Missing file at path: ${filePath}`)
  appendFileSync(filePath, `${message}${EOL}`, { encoding: 'utf8' })
}

/** `name<<delimiter` heredoc with a random delimiter that neither name nor value may contain. */
function keyValueMessage(key: string, value: unknown): string {
  const delimiter = `ghadelimiter_${randomUUID()}`
  const converted = toCommandValue(value)
  if (key.includes(delimiter)) {
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`)
  }
  if (converted.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`)
  }
  return `${key}<<${delimiter}${EOL}${converted}${EOL}${delimiter}`
}

export function getInput(name: string, options?: InputOptions): string {
  const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || ''
  if (options?.required && !val) throw new Error(`Input required and not supplied: ${name}`)
  if (options?.trimWhitespace === false) return val
  return val.trim()
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret)
}

export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', keyValueMessage(name, value))
    return
  }
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, toCommandValue(value))
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('error', annotationCommandProperties(properties), messageText(message))
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('warning', annotationCommandProperties(properties), messageText(message))
}

export function notice(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('notice', annotationCommandProperties(properties), messageText(message))
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

function messageText(message: string | Error): string {
  return message instanceof Error ? message.toString() : message
}

/** The job summary: text is buffered by addRaw and appended to GITHUB_STEP_SUMMARY by write. */
class Summary {
  private buffer = ''

  addRaw(text: string, addEOL = false): Summary {
    this.buffer += text
    if (addEOL) this.buffer += EOL
    return this
  }

  /** Appends the buffer (or replaces the file with `overwrite`), then empties the buffer. */
  async write(options?: { overwrite?: boolean }): Promise<Summary> {
    const path = process.env.GITHUB_STEP_SUMMARY
    if (!path) {
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      )
    }
    try {
      accessSync(path, constants.R_OK | constants.W_OK)
    } catch {
      throw new Error(
        `Unable to access summary file: '${path}'. Check if the file has correct read/write permissions.`,
      )
    }
    appendFileSync(path, this.buffer, { encoding: 'utf8', flag: options?.overwrite ? 'w' : 'a' })
    return this.emptyBuffer()
  }

  stringify(): string {
    return this.buffer
  }

  isEmptyBuffer(): boolean {
    return this.buffer.length === 0
  }

  emptyBuffer(): Summary {
    this.buffer = ''
    return this
  }
}

export const summary = new Summary()
