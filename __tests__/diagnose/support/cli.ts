// Runs the built CLI (dist/cli/index.js) as a child process, as users run it, and writes job
// logs the way the runner writes them (a timestamp on every line).

import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// GHCR_PREFLIGHT_CLI: a CLI bundle built elsewhere, to test a change without rebuilding dist/.
const CLI = process.env.GHCR_PREFLIGHT_CLI ?? join(process.cwd(), 'dist', 'cli', 'index.js')
/** A scratch folder the CLI runs in (no git repository, no GITHUB_* variables). */
export const scratch = mkdtempSync(join(tmpdir(), 'diagnose-cli-'))

export interface Run {
  code: number
  stdout: string
  stderr: string
}

export function cli(
  args: string[],
  o: { stdin?: Buffer | string; env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd ?? scratch,
      env: { PATH: process.env.PATH ?? '', ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.stdin.on('error', () => undefined)
    child.stdin.end(o.stdin ?? '')
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

export const stamp = (i: number) => `2026-01-11T21:51:${String(33 + i).padStart(2, '0')}.1234567Z`

export function runnerLog(lines: string[]): string {
  return lines.map((l, i) => `${stamp(i % 20)} ${l}`).join('\n') + '\n'
}
