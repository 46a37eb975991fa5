// Runs the CLI in-process with a controlled environment, capturing output and exit code.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { expect } from '@jest/globals'
import { main, type CliIo } from '../../src/cli/main.js'

export const ROOT = process.cwd()
export const GOLDEN = join(ROOT, '__tests__', 'golden', 'cli')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function runCli(argv: string[], io: Partial<CliIo> = {}): CliResult {
  let stdout = ''
  let stderr = ''
  const code = main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: ROOT,
    env: {},
    isTTY: false,
    ...io,
  })
  return { code, stdout, stderr }
}

/** Compares with a golden file exactly; UPDATE_GOLDEN=1 rewrites it instead. */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name)
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, actual)
    return
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${name} is missing: run with UPDATE_GOLDEN=1 to create it, then review it`,
    )
  }
  expect(actual).toBe(readFileSync(path, 'utf8'))
}
