// The step outputs (contracts §3). The password is masked before any output is written.

import * as core from '../runner/core.js'
import { contractShape } from '../findings/shape.js'
import type { Finding } from '../findings/types.js'
import type { Report } from './types.js'

/** Findings in the contract's shape and key order, nothing else. */
export function findingsJson(findings: Finding[]): string {
  return JSON.stringify(findings.map(contractShape))
}

export function setOutputs(report: Report, password: string): void {
  if (password !== '') core.setSecret(password)
  core.setOutput('result', report.result)
  core.setOutput('can-push', report.canPush ? 'true' : 'false')
  core.setOutput('credential-source', report.credentialSource)
  core.setOutput('registry', report.registry)
  core.setOutput('username', report.username)
  core.setOutput('password', password)
  core.setOutput('images', report.images.join('\n'))
  core.setOutput('findings', findingsJson(report.findings))
}
