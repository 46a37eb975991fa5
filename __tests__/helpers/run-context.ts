// The run context of a plain push run of job "build" in acme/app on github.com, for tests that
// need a RunContext and care about only a few of its fields.

import type { RunContext } from '../../src/context.js'

export function runContext(over: Partial<RunContext> = {}): RunContext {
  return {
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    repository: 'acme/app',
    owner: 'acme',
    actor: 'octocat',
    triggeringActor: 'octocat',
    eventName: 'push',
    event: {},
    job: 'build',
    workflowPath: '.github/workflows/build.yml',
    defaultRegistry: 'ghcr.io',
    ...over,
  }
}
