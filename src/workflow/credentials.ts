// Which token a registry login uses: the run's own GITHUB_TOKEN (whose push needs
// `packages: write`), a stored one (a secret, usually a PAT, or a token another step made, such as
// a GitHub App token: `packages: write` does not matter to it), or one this file cannot tell.
//
// GitHub's rules relied on: `github.token` and `secrets.GITHUB_TOKEN` are the run's token, also
// inside a called workflow ("The called workflow is automatically granted access to github.token
// and secrets.GITHUB_TOKEN", docs.github.com reusing-workflow-configurations); any other
// `secrets.X` is a stored secret, or in a called workflow whatever the caller passes as X.

export type CredentialKind = 'run-token' | 'stored' | 'unknown'

export interface Credential {
  kind: CredentialKind
  /** What the file names, for messages: `secrets.CR_PAT`, `github.token`, `steps.app.outputs.token`. */
  shown: string
}

type Env = ReadonlyArray<ReadonlyMap<string, string>>

export interface CredentialScope {
  /** Environment maps, nearest first (step, job, workflow). */
  env: Env
  /**
   * In a called workflow judged through its caller: what the caller passes as each secret
   * (`inherit` passes its own secrets under the same names). Absent when judged alone.
   */
  secrets?: 'inherit' | ReadonlyMap<string, string>
  /** Values (or defaults) of `${{ inputs.X }}`: workflow_call inputs, or a local action's inputs. */
  inputs?: ReadonlyMap<string, string | undefined>
}

const RUN: Credential = { kind: 'run-token', shown: 'github.token' }

/** Classifies the token text of a login (`password:` value, `-p` argument, the piped `echo …`). */
export function classifyCredential(text: string, scope: CredentialScope, depth = 0): Credential {
  if (depth > 4) return { kind: 'unknown', shown: text.trim().slice(0, 60) }
  const found: Credential[] = []
  for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    found.push(...classifyExpression(m[1]!, scope, depth))
  }
  // Shell variables outside expressions: `echo "$CR_PAT" | docker login …`.
  const outside = text.replace(/\$\{\{[\s\S]*?\}\}/g, ' ')
  for (const m of outside.matchAll(/\$\{?([A-Za-z_]\w*)\}?/g)) {
    const name = m[1]!
    const value = lookup(scope.env, name)
    if (value !== undefined) found.push(classifyCredential(value, scope, depth + 1))
    else if (/^(GITHUB_TOKEN|GH_TOKEN)$/.test(name)) found.push({ ...RUN, shown: `$${name}` })
    else if (/TOKEN|PAT|PASSWORD|SECRET|CR_|GHCR/i.test(name)) {
      found.push({ kind: 'unknown', shown: `$${name}` })
    }
  }
  return pick(found, text)
}

function classifyExpression(expr: string, scope: CredentialScope, depth: number): Credential[] {
  const out: Credential[] = []
  for (const m of expr.matchAll(
    /\b(github\.token|secrets\.([\w-]+)|secrets\[\s*'([\w-]+)'\s*\]|env\.([\w-]+)|inputs\.([\w-]+)|steps\.([\w-]+)\.outputs\.([\w-]+)|vars\.([\w-]+))/gi,
  )) {
    const whole = m[1]!
    const secret = m[2] ?? m[3]
    if (/^github\.token$/i.test(whole)) out.push(RUN)
    else if (secret !== undefined) out.push(classifySecret(secret, scope, depth))
    else if (m[4] !== undefined) {
      const value = lookup(scope.env, m[4])
      out.push(
        value !== undefined
          ? classifyCredential(value, scope, depth + 1)
          : { kind: 'unknown', shown: whole },
      )
    } else if (m[5] !== undefined) {
      const value = scope.inputs?.get(m[5])
      out.push(
        value
          ? classifyCredential(value, { ...scope, inputs: new Map() }, depth + 1)
          : { kind: 'unknown', shown: whole },
      )
    } else if (m[6] !== undefined) {
      // A token another step made (actions/create-github-app-token, a vault, an OIDC exchange).
      out.push({ kind: 'stored', shown: whole })
    } else out.push({ kind: 'unknown', shown: whole })
  }
  return out
}

function classifySecret(name: string, scope: CredentialScope, depth: number): Credential {
  if (name.toUpperCase() === 'GITHUB_TOKEN') return { ...RUN, shown: 'secrets.GITHUB_TOKEN' }
  const passed = scope.secrets instanceof Map ? scope.secrets.get(name) : undefined
  if (passed !== undefined) {
    // The caller decides what this secret is; judge its expression where the caller wrote it.
    const c = classifyCredential(passed, { env: [] }, depth + 1)
    return { ...c, shown: `secrets.${name} (${c.shown} from the caller)` }
  }
  return { kind: 'stored', shown: `secrets.${name}` }
}

/** The run's token wins (its push needs write whatever else is tried), then stored, then unknown. */
function pick(found: Credential[], text: string): Credential {
  return (
    found.find((c) => c.kind === 'run-token') ??
    found.find((c) => c.kind === 'stored') ??
    found[0] ?? { kind: 'unknown', shown: text.trim().slice(0, 60) || '(nothing)' }
  )
}

function lookup(env: Env, name: string): string | undefined {
  for (const m of env) {
    const v = m.get(name)
    if (v !== undefined) return v
  }
  return undefined
}
