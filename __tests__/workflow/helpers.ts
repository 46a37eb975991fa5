// Shared by the workflow tests: fixture loading and positions computed from the fixture text,
// so expected lines and columns come from the file itself rather than from the code under test.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Place } from '../../src/findings/types.js'
import { parseWorkflow } from '../../src/workflow/parse.js'
import type { WorkflowModel } from '../../src/workflow/model.js'

export const FIXTURES = join(process.cwd(), '__tests__', 'fixtures', 'workflows')

export const place: Place = {
  serverUrl: 'https://github.com',
  repository: 'acme/app',
  registry: 'ghcr.io',
}

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8')
}

export function model(name: string): WorkflowModel {
  const result = parseWorkflow(fixture(name), name)
  if (!result.ok) throw new Error(`${name}: ${result.message}`)
  return result.workflow
}

/**
 * 1-based position of the `nth` occurrence of `needle` after the first occurrence of `after`
 * (e.g. the `packages:` key inside job `pk-read:`).
 */
export function at(
  text: string,
  needle: string,
  after?: string,
  nth = 1,
): { line: number; column: number } {
  let from = after === undefined ? 0 : text.indexOf(after)
  if (from < 0) throw new Error(`"${after}" not in fixture`)
  let index = -1
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, from)
    if (index < 0) throw new Error(`"${needle}" not in fixture after "${after}"`)
    from = index + needle.length
  }
  const before = text.slice(0, index)
  const line = before.split('\n').length
  return { line, column: index - before.lastIndexOf('\n') }
}

/** A workflow model from inline text (the tests' own small workflows). */
export function parsed(text: string, file = '.github/workflows/w.yml'): WorkflowModel {
  const result = parseWorkflow(text, file)
  if (!result.ok) throw new Error(`${file}: ${result.message}`)
  return result.workflow
}

/** A RepoFiles over an in-memory map of path → text. */
export function memoryFiles(files: Record<string, string>): {
  read(path: string): string | undefined
} {
  return { read: (path) => files[path] }
}
