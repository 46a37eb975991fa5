// Typed inputs, parsed once (contracts §2). Bad values throw InputError with the input's name,
// the value (never for tokens) and what is expected.

import * as core from './runner/core.js'

export type OnUntrusted = 'skip' | 'fail'
export type OnUnverified = 'warn' | 'fail'

export interface Inputs {
  /** Raw image references, split on newlines and commas, trimmed, empties dropped. Empty = default. */
  images: string[]
  /** Registry host override; undefined = derived from GITHUB_SERVER_URL. */
  registry?: string
  githubToken: string
  fallbackToken: string
  /** Explicit username for the fallback; undefined = the PAT owner's login, else github.actor. */
  fallbackUsername?: string
  probe: boolean
  onUntrusted: OnUntrusted
  onUnverified: OnUnverified
  timeoutSeconds: number
  workflowFile?: string
}

export class InputError extends Error {
  constructor(
    message: string,
    /** The input at fault, e.g. timeout-seconds. */
    readonly input?: string,
  ) {
    super(message)
    this.name = 'InputError'
  }
}

export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

function bool(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim()
  if (raw === '') return fallback
  if (/^(true|yes|1)$/i.test(raw)) return true
  if (/^(false|no|0)$/i.test(raw)) return false
  throw new InputError(`input "${name}" must be true or false, got "${raw}"`, name)
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = core.getInput(name).trim().toLowerCase()
  if (raw === '') return fallback
  if ((allowed as readonly string[]).includes(raw)) return raw as T
  throw new InputError(`input "${name}" must be one of ${allowed.join(', ')}, got "${raw}"`, name)
}

export function getInputs(): Inputs {
  // Tokens are masked before anything else can print them.
  const githubToken = core.getInput('github-token').trim()
  const fallbackToken = core.getInput('fallback-token').trim()
  if (githubToken) core.setSecret(githubToken)
  if (fallbackToken) core.setSecret(fallbackToken)

  const timeoutRaw = core.getInput('timeout-seconds').trim()
  const timeoutSeconds = timeoutRaw === '' ? 30 : Number(timeoutRaw)
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 600) {
    throw new InputError(
      `input "timeout-seconds" must be a number of seconds from 1 to 600, got "${timeoutRaw}"`,
      'timeout-seconds',
    )
  }
  const registry = core
    .getInput('registry')
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
  const fallbackUsername = core.getInput('fallback-username').trim()
  const workflowFile = core.getInput('workflow-file').trim()
  const inputs: Inputs = {
    images: splitList(core.getInput('image')),
    githubToken,
    fallbackToken,
    probe: bool('probe', true),
    onUntrusted: oneOf('on-untrusted', ['skip', 'fail'] as const, 'skip'),
    onUnverified: oneOf('on-unverified', ['warn', 'fail'] as const, 'warn'),
    timeoutSeconds,
  }
  if (registry) inputs.registry = registry.toLowerCase()
  if (fallbackUsername) inputs.fallbackUsername = fallbackUsername
  if (workflowFile) inputs.workflowFile = workflowFile
  return inputs
}
