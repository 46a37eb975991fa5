// Command-line arguments → a typed command, or a one-line usage error. No I/O here.

export const FORMATS = ['text', 'json', 'sarif'] as const
export type Format = (typeof FORMATS)[number]

export const USAGE =
  'usage: ghcr-preflight lint [paths…] [--format text|json|sarif] [--fix | --diff] [--root DIR] [--registry HOST] [--repository OWNER/REPO] (more: ghcr-preflight --help)'

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'lint'
      paths: string[]
      format: Format
      registry?: string
      repository?: string
      /** Repository root for SARIF/JSON paths and for files the workflows refer to. */
      root?: string
      /** Write the permission fixes into the files. */
      fix?: boolean
      /** Print the permission fixes as a unified diff instead of the findings. */
      diff?: boolean
    }
  | { kind: 'explain'; id: string }
  | { kind: 'findings'; format: 'markdown' }

export type ParsedArgs = { ok: true; command: Command } | { ok: false; error: string }

export function parseArgs(argv: string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { ok: true, command: { kind: 'help' } }
  if (argv.includes('--version') || argv.includes('-V'))
    return { ok: true, command: { kind: 'version' } }
  const [name, ...rest] = argv
  if (name === undefined) return { ok: false, error: 'no command given' }
  if (name === 'help') return { ok: true, command: { kind: 'help' } }
  if (name === 'version') return { ok: true, command: { kind: 'version' } }

  const positional: string[] = []
  const flags = new Map<string, string>()
  const allowed: Record<string, string[]> = {
    lint: ['--format', '--registry', '--repository', '--root', '--fix', '--diff'],
    explain: [],
    findings: ['--format'],
  }
  /** Flags that take no value. */
  const switches = new Set(['--fix', '--diff'])
  if (!(name in allowed)) return { ok: false, error: `unknown command "${name}"` }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (arg === '--') {
      positional.push(...rest.slice(i + 1))
      break
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=')
      const flag = arg === '-f' ? '--format' : eq > 0 ? arg.slice(0, eq) : arg
      if (!allowed[name]!.includes(flag))
        return { ok: false, error: `unknown flag ${flag} for ${name}` }
      if (switches.has(flag)) {
        if (eq > 0) return { ok: false, error: `${flag} takes no value` }
        flags.set(flag, 'yes')
        continue
      }
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i]
      if (value === undefined || value === '') return { ok: false, error: `${flag} needs a value` }
      flags.set(flag, value)
      continue
    }
    positional.push(arg)
  }

  if (name === 'explain') {
    if (positional.length !== 1) return { ok: false, error: 'explain takes one finding id' }
    return { ok: true, command: { kind: 'explain', id: positional[0]! } }
  }
  if (name === 'findings') {
    if (positional.length)
      return { ok: false, error: `findings takes no paths (got "${positional[0]}")` }
    const format = flags.get('--format') ?? 'markdown'
    if (format !== 'markdown')
      return { ok: false, error: `findings --format must be markdown, not "${format}"` }
    return { ok: true, command: { kind: 'findings', format } }
  }
  const format = flags.get('--format') ?? 'text'
  if (!(FORMATS as readonly string[]).includes(format)) {
    return { ok: false, error: `unknown format "${format}" (use text, json or sarif)` }
  }
  const command: Command = { kind: 'lint', paths: positional, format: format as Format }
  if (flags.has('--fix') && flags.has('--diff')) {
    return {
      ok: false,
      error: '--fix and --diff do not go together (--diff shows what --fix writes)',
    }
  }
  if (flags.has('--fix')) command.fix = true
  if (flags.has('--diff')) command.diff = true
  const root = flags.get('--root')
  if (root !== undefined) command.root = root
  const registry = flags.get('--registry')
  if (registry !== undefined) {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(registry)) {
      return {
        ok: false,
        error: `--registry must be a host name such as ghcr.io, not "${registry}"`,
      }
    }
    command.registry = registry.toLowerCase()
  }
  const repository = flags.get('--repository')
  if (repository !== undefined) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
      return { ok: false, error: `--repository must look like OWNER/REPO, not "${repository}"` }
    }
    command.repository = repository
  }
  return { ok: true, command }
}
