// The command line: parses arguments, runs the command, writes the output, returns the exit code
// (0 no error-severity finding, 1 at least one, 2 usage error). All I/O goes through `io`, so
// tests run it in-process.

import { join } from 'node:path'
import { registryForServer } from '../context.js'
import type { Place } from '../findings/types.js'
import { renderFindingsMarkdown } from '../findings/render-markdown.js'
import { parseArgs, USAGE, type Command } from './args.js'
import { closestFindingId, explainFinding, isFindingId } from './explain.js'
import { formatJson } from './format-json.js'
import { formatSarif } from './format-sarif.js'
import { formatText } from './format-text.js'
import { runLint, toRelative, type LintRun } from './lint.js'
import { detectRepository } from './repository.js'
import { VERSION } from './version.js'

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  cwd: string
  env: Record<string, string | undefined>
  /** stdout is a terminal (colour is used only then, and only without NO_COLOR). */
  isTTY: boolean
}

export const HELP = `ghcr-preflight ${VERSION}: checks GitHub Actions workflows for ghcr.io push problems, offline

usage: ghcr-preflight lint [paths…] [--format text|json|sarif] [--fix | --diff] [--root DIR]
                          [--registry HOST] [--repository OWNER/REPO]
       ghcr-preflight diagnose [FILE|-] [--workflow PATH] [--job NAME] [--run URL] [--format text|json|sarif]
       ghcr-preflight explain <finding-id>
       ghcr-preflight findings --format markdown

Commands:
  lint [paths…]          check workflow files (default: .github/workflows here, else the
                         repository's when run in a sub-folder); folders are searched
                         for *.yml and *.yaml (a repository root: its .github/workflows)
  diagnose [FILE|-]      name the cause of a failed push from the job's log (or the run's .zip,
                         or --run URL); \`ghcr-preflight diagnose --help\` for its options
  explain <finding-id>   print what a finding means and how to fix it
  findings               print the whole catalogue of findings as Markdown

Options for lint:
  --format text|json|sarif   output format (default text; sarif uploads with github/codeql-action/upload-sarif)
  --fix                      write the permission fixes into the files (comments and layout kept),
                             then report what is left
  --diff                     print the permission fixes as a unified diff (for git apply) instead
  --root DIR                 the repository root: JSON and SARIF paths are relative to it, and
                             called workflows and local actions are read from it (default: the git root)
  --registry HOST            registry host (default from GITHUB_SERVER_URL: ghcr.io on github.com)
  --repository OWNER/REPO    the repository, for links and the image owner check
                             (default: GITHUB_REPOSITORY, else the git remote "origin")

Exit status: 0 no error found, 1 an error-severity finding (a file GitHub would reject too),
2 usage error (including no workflow files found).
lint, explain and diagnose FILE use no token and no network (diagnose --run reads GH_TOKEN).
`

export function defaultIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    isTTY: !!process.stdout.isTTY,
  }
}

export function main(argv: string[], io: CliIo = defaultIo()): number {
  const parsed = parseArgs(argv)
  if (!parsed.ok) return usageError(io, parsed.error)
  try {
    return run(parsed.command, io)
  } catch (e) {
    // No stack traces for users: one line saying what failed.
    io.stderr(`ghcr-preflight: ${(e as Error).message ?? String(e)}\n`)
    return 2
  }
}

function usageError(io: CliIo, error: string): number {
  // One line, like other linters: what was wrong, then how to call it.
  io.stderr(`ghcr-preflight: ${error}; ${USAGE}\n`)
  return 2
}

function placeFor(
  io: CliIo,
  registry?: string,
  repository?: string,
): { place: Place; owner?: string } {
  // The fix texts speak to a developer at a terminal, not to a workflow step.
  const serverUrl = (io.env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '')
  let known = repository
  if (!known) {
    try {
      known = detectRepository(io.cwd, io.env, serverUrl)
    } catch {
      known = undefined
    }
  }
  const place: Place = {
    serverUrl,
    repository: known ?? 'OWNER/REPO',
    registry: registry ?? registryForServer(serverUrl),
    tool: 'cli',
  }
  return known ? { place, owner: known.split('/')[0]! } : { place }
}

function run(command: Command, io: CliIo): number {
  switch (command.kind) {
    case 'help':
      io.stdout(HELP)
      return 0
    case 'version':
      io.stdout(`${VERSION}\n`)
      return 0
    case 'findings':
      io.stdout(ensureNewline(renderFindingsMarkdown()))
      return 0
    case 'explain': {
      if (!isFindingId(command.id)) {
        const near = closestFindingId(command.id)
        return usageError(
          io,
          `unknown finding id "${command.id}"${near ? ` (did you mean "${near}"?)` : ''}; "ghcr-preflight findings" lists them all`,
        )
      }
      io.stdout(explainFinding(command.id, placeFor(io).place))
      return 0
    }
    case 'lint': {
      const { place, owner } = placeFor(io, command.registry, command.repository)
      const outcome = runLint(command.paths, io.cwd, {
        place,
        ...(owner ? { owner } : {}),
        ...(command.root ? { root: command.root } : {}),
        ...(command.fix ? { fix: true } : {}),
        ...(command.diff ? { diff: true } : {}),
      })
      if (!outcome.ok) return usageError(io, outcome.error)
      const run = outcome.run
      const failed = run.findings.some((f) => f.severity === 'error') ? 1 : 0
      if (command.diff) {
        io.stdout(run.patch ?? '')
        if (!run.patch) io.stderr('ghcr-preflight: no permission fixes to make\n')
        return failed
      }
      if (command.fix) reportFixes(io, run)
      const colour = io.isTTY && !io.env.NO_COLOR
      if (command.format === 'json') io.stdout(formatJson(run.findings))
      else if (command.format === 'sarif') io.stdout(formatSarif(run.findings, VERSION))
      else {
        // Text is read in a terminal: paths relative to the current folder, so they open on click.
        const shown = run.findings.map((f) =>
          f.file ? { ...f, file: shownPath(io, run, f.file) } : f,
        )
        io.stdout(formatText(shown, run.files, colour))
      }
      return failed
    }
  }
}

/** What --fix wrote and what it left, on stderr so JSON and SARIF stay clean. */
function reportFixes(io: CliIo, run: LintRun): void {
  for (const f of run.fixed ?? []) {
    io.stderr(
      `ghcr-preflight: fixed ${f.file}: permissions of job${f.jobs.length === 1 ? '' : 's'} ${f.jobs.map((j) => `"${j}"`).join(', ')}\n`,
    )
  }
  for (const n of run.notFixed ?? []) {
    io.stderr(`ghcr-preflight: not fixed ${n.file}: job "${n.job}": ${n.reason}\n`)
  }
  if (!run.fixed?.length && !run.notFixed?.length) {
    io.stderr('ghcr-preflight: no permission fixes to make\n')
  }
}

function shownPath(io: CliIo, run: LintRun, file: string): string {
  return toRelative(io.cwd, run.absolute.get(file) ?? join(run.root, ...file.split('/')))
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`
}
