// Does a job push to the registry? Reads the steps a newcomer would write: docker/login-action,
// this action, docker/build-push-action, docker/bake-action, and push commands in `run:` scripts.
// Returns the evidence with positions and the literal image references, for the image checks.

import type { JobModel, Pos, ScalarValue, StepModel, WorkflowModel } from './model.js'
import { locateInScalar } from './model.js'
import { isPreflightUses } from './analyse.js'

export type PushEvidenceKind =
  'login-action' | 'preflight-action' | 'build-push-action' | 'bake-action' | 'command'

export interface PushEvidence extends Pos {
  kind: PushEvidenceKind
  /** What was seen, for messages: `docker push at line 14`. */
  description: string
  /**
   * A push to the registry was seen (not only a login). A job that only logs in may just pull,
   * which needs packages: read.
   */
  push: boolean
  stepIndex: number
}

export interface ImageReference extends Pos {
  /** The reference as written, after `${{ env.X }}` / `$X` substitution from literal env values. */
  raw: string
  /** The text as it appears in the file. */
  written: string
  /** Where it came from: `docker/build-push-action tags`, `docker push`, ... */
  via: string
  /** Contains an expression or shell variable that could not be resolved offline. */
  expression: boolean
  /** The registry host named in the reference, lower-cased; undefined when there is none (Docker Hub). */
  host?: string
}

export interface PushAnalysis {
  /** The job pushes to (or logs in to) the registry. */
  pushes: boolean
  /** At least one piece of evidence is an actual push, not only a login. */
  pushSeen: boolean
  evidence: PushEvidence[]
  /** Image references the job pushes (or hands to this action), with positions. */
  images: ImageReference[]
  /** Registries the job logs in to with docker/login-action (`docker.io` when none is given). */
  logins: string[]
}

type Env = Array<Map<string, string>>

export function findPushes(model: WorkflowModel, job: JobModel, registry: string): PushAnalysis {
  const host = registry.toLowerCase()
  const out: PushAnalysis = { pushes: false, pushSeen: false, evidence: [], images: [], logins: [] }
  const metadataImages = new Map<string, ImageReference[]>()
  const pending: Array<() => void> = []

  for (const step of job.steps) {
    const env: Env = [step.env, job.env, model.env]
    const uses = step.uses?.value.trim() ?? ''
    const action = uses.split('@')[0]!.toLowerCase()
    const w = (name: string) => step.with.get(name)?.value
    const at = (v: ScalarValue | undefined): Pos => v ?? step.pos
    const lineOf = (p: Pos) => `line ${p.line}`

    if (action === 'docker/login-action') {
      const reg = w('registry')
      const value = reg ? expand(reg.value, env).trim() : ''
      const target = value === '' ? 'docker.io' : value.toLowerCase()
      out.logins.push(target)
      if (target === host) {
        out.evidence.push({
          kind: 'login-action',
          description: `docker/login-action logs in to ${host} at ${lineOf(at(reg))}`,
          push: false,
          stepIndex: step.index,
          ...pick(at(reg)),
        })
      }
    } else if (step.uses && isPreflightUses(uses)) {
      out.evidence.push({
        kind: 'preflight-action',
        description: `it runs ghcr-preflight at ${lineOf(step.uses)}`,
        push: true,
        stepIndex: step.index,
        ...pick(step.uses),
      })
      const image = w('image')
      if (image) addRefs(out, model, image, listItems(image), env, 'ghcr-preflight image')
    } else if (action === 'docker/metadata-action') {
      const images = w('images')
      if (images && step.id) {
        const refs: ImageReference[] = []
        for (const item of listItems(images, false)) {
          // metadata-action lines may carry attributes: `name=ghcr.io/x,enable=true`.
          const name = /(?:^|,)\s*name=([^,]+)/.exec(item.text)?.[1] ?? item.text.split(',')[0]!
          const ref = makeRef(
            model,
            images,
            name.trim(),
            item.from,
            env,
            'docker/metadata-action images',
          )
          if (ref) refs.push(ref)
        }
        metadataImages.set(step.id, refs)
      }
    } else if (action === 'docker/build-push-action' || action === 'docker/bake-action') {
      const bake = action === 'docker/bake-action'
      const push = w('push')
      const pushValue = push ? expand(push.value, env).trim().toLowerCase() : ''
      const outputs = w('outputs')?.value ?? ''
      const pushes =
        pushValue === 'true' ||
        /\$\{\{/.test(pushValue) ||
        /type=registry|push=true/.test(outputs) ||
        (bake && /\.output=type=registry|push=true/.test(w('set')?.value ?? ''))
      if (!pushes) continue
      const before = out.images.length
      if (!bake) {
        const tags = w('tags')
        if (tags) {
          addRefs(out, model, tags, listItems(tags), env, 'docker/build-push-action tags')
          // `${{ steps.meta.outputs.tags }}`: the names come from that metadata-action step.
          for (const m of tags.source.matchAll(/steps\.([\w-]+)\.outputs\.tags/g)) {
            const id = m[1]!
            pending.push(() => out.images.push(...(metadataImages.get(id) ?? [])))
          }
        }
      } else {
        const set = w('set')
        if (set) {
          const items = listItems(set)
            .map((i) => {
              const m = /^[^=]*\.tags=(.+)$/.exec(i.text)
              return m ? { text: m[1]!.trim(), from: i.from } : undefined
            })
            .filter((i): i is { text: string; from: number } => !!i)
          addRefs(out, model, set, items, env, 'docker/bake-action set')
        }
      }
      const evidenceAt = push ?? step.uses!
      const shown = !push
        ? 'outputs'
        : /\$\{\{/.test(push.value)
          ? 'push: ${{ … }}'
          : `push: ${push.value}`
      const description = `${action} pushes (${shown}) at ${lineOf(evidenceAt)}`
      const kind = bake ? 'bake-action' : 'build-push-action'
      // Decided after all steps are read, once metadata-action images are known.
      pending.push(() => {
        if (pushesToRegistry(out.images.slice(before), out.logins, host)) {
          out.evidence.push({
            kind,
            description,
            push: true,
            stepIndex: step.index,
            ...pick(evidenceAt),
          })
        }
      })
    } else if (step.run) {
      scanRun(out, model, step, env, host)
    }
  }
  for (const f of pending) f()

  // A job that logs in to the registry pushes there also when it uses plain names it builds
  // with its own tags; but names without a host go to Docker Hub (checked as a mistake only then).
  out.evidence.sort((a, b) => a.line - b.line || a.column - b.column)
  out.pushSeen = out.evidence.some((e) => e.push)
  out.pushes = out.evidence.length > 0
  return out
}

const PUSH_COMMANDS: Array<{
  re: RegExp
  name: string
  pick: 'last' | 'tags' | 'docker-transport'
}> = [
  { re: /^(?:docker|podman)\s+(?:image\s+)?push$/, name: 'push', pick: 'last' },
  { re: /^buildah\s+push$/, name: 'buildah push', pick: 'last' },
  { re: /^skopeo\s+copy$/, name: 'skopeo copy', pick: 'docker-transport' },
  { re: /^crane\s+(?:push|copy|cp)$/, name: 'crane', pick: 'last' },
  { re: /^oras\s+push$/, name: 'oras push', pick: 'last' },
]

/** Registry logins in scripts: `docker login ghcr.io`, `echo … | podman login ghcr.io -u …`. */
const LOGIN_COMMAND = /^(?:docker|podman|buildah|skopeo|oras|crane\s+auth)\s+login$/

/** Finds push commands in a `run:` script and the references they push. */
function scanRun(
  out: PushAnalysis,
  model: WorkflowModel,
  step: StepModel,
  env: Env,
  host: string,
): void {
  const run = step.run!
  let searchFrom = 0
  for (const segment of commandSegments(run.value)) {
    // Follow the script through the source so each command is located on its own line.
    const firstWord = segment.split(/\s+/)[0]!
    const seg = locateInScalar(model, run, firstWord, searchFrom)
    const segFrom = seg.next > searchFrom ? seg.next - firstWord.length : searchFrom
    searchFrom = Math.max(searchFrom, seg.next)
    const tokens = tokenize(segment)
    // Skip `sudo`, `env`, `VAR=value` prefixes.
    while (
      tokens.length &&
      (/^(sudo|env|time|exec)$/.test(tokens[0]!) || /^\w+=/.test(tokens[0]!))
    ) {
      tokens.shift()
    }
    if (tokens.length < 2) continue
    const head2 = `${tokens[0]} ${tokens[1]}`
    const head3 = tokens.length > 2 ? `${head2} ${tokens[2]}` : ''
    const positional = tokens.filter((t) => !t.startsWith('-'))
    if (LOGIN_COMMAND.test(head2) || LOGIN_COMMAND.test(head3)) {
      const server = loginServer(tokens.slice(LOGIN_COMMAND.test(head2) ? 2 : 3))
      const target = expand(server ?? 'docker.io', env).toLowerCase()
      out.logins.push(target)
      if (target === host) {
        out.evidence.push({
          kind: 'command',
          description: `\`${LOGIN_COMMAND.test(head2) ? head2 : head3}\` logs in to ${host} at line ${seg.line}`,
          push: false,
          stepIndex: step.index,
          ...pick(seg),
        })
      }
      continue
    }
    let refs: string[] = []
    let what = ''
    const cmd = PUSH_COMMANDS.find((c) => c.re.test(head2) || (head3 && c.re.test(head3)))
    if (cmd) {
      what = head3 && cmd.re.test(head3) ? head3 : head2
      const args = positional.slice(what.split(/\s+/).length)
      if (cmd.pick === 'docker-transport') {
        const dest = args[args.length - 1]
        if (dest?.startsWith('docker://')) refs = [dest.slice('docker://'.length)]
      } else if (args.length) {
        refs = [stripTransport(args[args.length - 1]!)]
      }
    } else if (
      /^docker\s+(?:buildx\s+)?(?:build|bake)$/.test(head2) ||
      /^docker\s+buildx\s+(?:build|bake)$/.test(head3)
    ) {
      const pushes = tokens.some((t) => t === '--push' || /type=registry|push=true/.test(t))
      if (!pushes) continue
      what = `${head3.startsWith('docker buildx') ? head3 : head2} --push`
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!
        if ((t === '-t' || t === '--tag') && tokens[i + 1]) refs.push(tokens[i + 1]!)
        else if (t.startsWith('--tag=')) refs.push(t.slice(6))
        else if (/^-t\S/.test(t)) refs.push(t.slice(2))
      }
    } else continue

    const before = out.images.length
    for (const written of refs) {
      const ref = makeRef(model, run, written, segFrom, env, what)
      if (ref) out.images.push(ref)
    }
    const mine = out.images.slice(before)
    if (pushesToRegistry(mine, out.logins, host)) {
      const pos = mine[0] ?? seg
      out.evidence.push({
        kind: 'command',
        description: `\`${what}\` at line ${pos.line}`,
        push: true,
        stepIndex: step.index,
        ...pick(pos),
      })
    }
  }
}

/**
 * A push goes to the registry when a reference names it, or when the job logs in to it and the
 * target is not literal (`$IMAGE`) or has no host while no other registry is logged in to (the
 * user meant the registry; the image check then reports the missing host).
 */
function pushesToRegistry(refs: ImageReference[], logins: string[], host: string): boolean {
  if (
    refs.some(
      (r) => r.host === host || (r.expression && r.raw.toLowerCase().startsWith(`${host}/`)),
    )
  ) {
    return true
  }
  if (!logins.includes(host)) return false
  if (refs.length === 0 || refs.some((r) => r.expression && !r.host)) return true
  return refs.some((r) => !r.host) && logins.every((l) => l === host)
}

/** The server argument of a `login` command: the first argument that is not an option or its value. */
function loginServer(args: string[]): string | undefined {
  const takesValue = /^(?:-u|--username|-p|--password|--authfile|--cert-dir|--cred-helper)$/
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (takesValue.test(a)) i++
    else if (!a.startsWith('-')) return a
  }
  return undefined
}

function stripTransport(s: string): string {
  return s.replace(/^docker:\/\//, '')
}

const EXPRESSION = /\$\{\{[\s\S]*?\}\}/g

/** Splits a script into simple commands: joins `\` continuations, splits on newlines, ;, &&, ||, |. */
function commandSegments(script: string): string[] {
  // `${{ a || b }}` must not be split: mask expressions, split, then put them back.
  const saved: string[] = []
  const masked = script.replace(EXPRESSION, (m) => `\uE001${saved.push(m) - 1}\uE001`)
  const restore = (t: string) =>
    t.replace(/\uE001(\d+)\uE001/g, (_, i: string) => saved[Number(i)]!)
  const joined = masked.replace(/\\\r?\n/g, ' ')
  const out: string[] = []
  for (const line of joined.split(/\r?\n/)) {
    const code = line.replace(/(^|\s)#.*$/, '')
    for (const part of code.split(/&&|\|\||;|\|/)) if (part.trim()) out.push(restore(part.trim()))
  }
  return out
}

/** Whitespace split that keeps quoted text and `${{ … }}` together and drops the quotes. */
function tokenize(segment: string): string[] {
  const out: string[] = []
  for (const m of segment.matchAll(/(?:"[^"]*"|'[^']*'|\$\{\{[\s\S]*?\}\}|[^\s"'])+/g)) {
    out.push(m[0].replace(/"([^"]*)"|'([^']*)'/g, (_, a?: string, b?: string) => a ?? b ?? ''))
  }
  return out
}

/** Items of a list input: a YAML sequence, or newline/comma separated text. Offsets are into the source. */
function listItems(v: ScalarValue, commas = true): Array<{ text: string; from: number }> {
  if (v.items) return v.items.map((i) => ({ text: i.value.trim(), from: i.offset - v.offset }))
  const out: Array<{ text: string; from: number }> = []
  let from = 0
  for (const part of splitOutsideExpressions(v.value, commas)) {
    const text = part.trim()
    if (!text) continue
    const at = v.source.indexOf(text, from)
    out.push({ text, from: at >= 0 ? at : from })
    if (at >= 0) from = at + text.length
  }
  return out
}

/** Splits on newlines and commas, but not inside `${{ … }}` (expressions may hold commas). */
function splitOutsideExpressions(s: string, commas: boolean): string[] {
  const out: string[] = []
  let cur = ''
  let depth = 0
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith('${{', i)) depth++
    else if (depth > 0 && s.startsWith('}}', i)) depth--
    const c = s[i]!
    if (depth === 0 && (c === '\n' || (commas && c === ','))) {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

function addRefs(
  out: PushAnalysis,
  model: WorkflowModel,
  scalar: ScalarValue,
  items: Array<{ text: string; from: number }>,
  env: Env,
  via: string,
): void {
  for (const item of items) {
    const ref = makeRef(model, scalar, item.text, item.from, env, via)
    if (ref) out.images.push(ref)
  }
}

function makeRef(
  model: WorkflowModel,
  scalar: ScalarValue,
  written: string,
  from: number,
  env: Env,
  via: string,
): ImageReference | undefined {
  // A whole-expression reference (`${{ steps.meta.outputs.tags }}`) names nothing literal.
  if (!written) return undefined
  const raw = expand(written, env)
  if (/^\$\{\{[^}]*\}\}$/.test(raw.trim())) return undefined
  const pos = locateInScalar(model, scalar, written, from)
  const expression = /\$\{\{|\$\{?\w|`|\$\(/.test(raw)
  const first = raw.split('/')[0]!
  const hasHost =
    raw.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  const ref: ImageReference = { raw, written, via, expression, line: pos.line, column: pos.column }
  if (hasHost && !/\$/.test(first)) ref.host = first.toLowerCase()
  return ref
}

/** Substitutes `${{ env.NAME }}`, `$NAME` and `${NAME}` with literal env values (step, then job, then workflow). */
export function expand(text: string, env: Env): string {
  const lookup = (name: string): string | undefined => {
    for (const m of env) {
      const v = m.get(name)
      if (v !== undefined) return /\$\{\{|\$/.test(v) && v.includes(name) ? undefined : v
    }
    return undefined
  }
  let s = text.replace(
    /\$\{\{\s*env\.([A-Za-z_][\w-]*)\s*\}\}/g,
    (m, name: string) => lookup(name) ?? m,
  )
  s = s.replace(
    /\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g,
    (m, a?: string, b?: string) => lookup((a ?? b)!) ?? m,
  )
  return s
}

function pick(p: Pos): Pos {
  return { line: p.line, column: p.column }
}
