// The runner protocol (workflow commands on stdout, file commands, the job summary) from
// @actions/core's own modules instead of its index (file commands: ./file-command.ts, core's
// bytes without loading node:crypto). core.js imports its OIDC client at load
// time, which pulls in @actions/http-client and undici: ~40 ms of every start, for a token this
// action never asks for. So the functions the action uses are the same one-liners core.js has,
// over the same issueCommand / issueFileCommand / toCommandProperties / summary. Everything else
// imports the runner protocol from here, never from '@actions/core'.
//
// @actions/core exports only its index, so these are file paths into the installed package:
// scripts/build.sh fails when a core update moves them, and __tests__/runner/core.test.ts runs
// every function here next to core's public one and compares the bytes written.

import { EOL } from 'node:os'
import type { AnnotationProperties, InputOptions } from '@actions/core'
import { issueCommand } from '../../node_modules/@actions/core/lib/command.js'
import { toCommandProperties, toCommandValue } from '../../node_modules/@actions/core/lib/utils.js'
import { issueFileCommand, prepareKeyValueMessage } from './file-command.js'

export { summary } from '../../node_modules/@actions/core/lib/summary.js'
export type { AnnotationProperties, InputOptions }

/** `INPUT_<NAME>` as the runner sets it (spaces → `_`, upper case, hyphens kept), trimmed. */
export function getInput(name: string, options?: InputOptions): string {
  const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || ''
  if (options && options.required && !val) {
    throw new Error(`Input required and not supplied: ${name}`)
  }
  if (options && options.trimWhitespace === false) return val
  return val.trim()
}

/** Masks `secret` in every later log line (`::add-mask::`). */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret)
}

export function setOutput(name: string, value: unknown): void {
  if (process.env['GITHUB_OUTPUT']) {
    issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value))
    return
  }
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, toCommandValue(value))
}

/** Sets an environment variable for this step and every later step of the job (`GITHUB_ENV`). */
export function exportVariable(name: string, value: unknown): void {
  const converted = toCommandValue(value)
  process.env[name] = converted
  if (process.env['GITHUB_ENV']) {
    issueFileCommand('ENV', prepareKeyValueMessage(name, value))
    return
  }
  issueCommand('set-env', { name }, converted)
}

/** State for this action's post step (`GITHUB_STATE`); the post step reads it as `STATE_<name>`. */
export function saveState(name: string, value: unknown): void {
  if (process.env['GITHUB_STATE']) {
    issueFileCommand('STATE', prepareKeyValueMessage(name, value))
    return
  }
  issueCommand('save-state', { name }, toCommandValue(value))
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] || ''
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

/** Shown only with step debug logging on. */
export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

export function notice(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('notice', message, properties)
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('warning', message, properties)
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('error', message, properties)
}

/** An error annotation, and the step fails when the process ends. */
export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

function annotate(
  level: 'notice' | 'warning' | 'error',
  message: string | Error,
  properties: AnnotationProperties,
): void {
  issueCommand(
    level,
    toCommandProperties(properties),
    message instanceof Error ? message.toString() : message,
  )
}
