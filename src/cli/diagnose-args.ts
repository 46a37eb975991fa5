// `ghcr-preflight diagnose [FILE|-] [--workflow PATH] [--job NAME] [--run URL] [--format …]`
// arguments → a typed command, or a one-line usage error (contracts §6). No I/O here.

import { FORMATS, type Format } from './args.js'

export const DIAGNOSE_USAGE =
  'usage: ghcr-preflight diagnose [FILE|-] [--workflow PATH] [--job NAME] [--run URL] [--format text|json|sarif]'

export const DIAGNOSE_HELP = `ghcr-preflight diagnose: names the cause of a failed push to ghcr.io from the job's log

${DIAGNOSE_USAGE}

Input (one of):
  FILE                  a job log (downloaded, or copied from the web UI), \`gh run view --log\`
                        output, or the run's log archive (.zip)
  -                     the same, read from standard input
  --run URL             a run or job URL (github.com, GHE.com or GitHub Enterprise Server): downloads
                        the failed jobs' logs and the workflow file at the run's commit; the token is
                        read from GH_TOKEN or GITHUB_TOKEN (never from the command line)

Options:
  --workflow PATH       the workflow file, so the job's permissions are read from the exact line
  --job NAME            the job in that file (by id or name) when the log does not say
  --format text|json|sarif   output format (default text); json is { "findings": [ … ] } and every
                        finding carries the log line it rests on as "evidence"

Exit status: 1 a cause was found, 0 the log shows no registry failure, 2 usage error.
`

export interface DiagnoseCommand {
  kind: 'diagnose'
  /** A path, or '-' for standard input; undefined with --run (or when stdin is piped). */
  input?: string
  workflow?: string
  job?: string
  run?: string
  format: Format
}

export type ParsedDiagnose =
  { ok: true; command: DiagnoseCommand | { kind: 'help' } } | { ok: false; error: string }

const FLAGS = ['--workflow', '--job', '--run', '--format']

export function parseDiagnoseArgs(argv: string[]): ParsedDiagnose {
  if (argv.includes('--help') || argv.includes('-h')) return { ok: true, command: { kind: 'help' } }
  const positional: string[] = []
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=')
      const flag = arg === '-f' ? '--format' : eq > 0 ? arg.slice(0, eq) : arg
      if (/^--(?:gh-|github-)?token$/.test(flag)) {
        return {
          ok: false,
          error: `${flag} is not accepted: --run reads the token from GH_TOKEN or GITHUB_TOKEN, so it never shows in the process list or the shell history`,
        }
      }
      if (!FLAGS.includes(flag)) return { ok: false, error: `unknown flag ${flag} for diagnose` }
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
      if (value === undefined || value === '') return { ok: false, error: `${flag} needs a value` }
      if (flags.has(flag)) return { ok: false, error: `${flag} is given twice` }
      flags.set(flag, value)
      continue
    }
    positional.push(arg)
  }
  if (positional.length > 1) {
    return {
      ok: false,
      error: `diagnose reads one log at a time (got ${positional.length}: ${positional.slice(0, 3).join(', ')})`,
    }
  }
  const format = flags.get('--format') ?? 'text'
  if (!(FORMATS as readonly string[]).includes(format)) {
    return { ok: false, error: `unknown format "${format}" (use text, json or sarif)` }
  }
  const command: DiagnoseCommand = { kind: 'diagnose', format: format as Format }
  const input = positional[0]
  const run = flags.get('--run')
  if (input !== undefined && run !== undefined) {
    return { ok: false, error: 'give either a log (FILE or -) or --run URL, not both' }
  }
  if (input !== undefined) command.input = input
  if (run !== undefined) command.run = run
  const workflow = flags.get('--workflow')
  if (workflow !== undefined) command.workflow = workflow
  const job = flags.get('--job')
  if (job !== undefined) command.job = job
  return { ok: true, command }
}
