// Does a job push to the registry, and with which token? Reads the steps people write: registry
// logins (docker/login-action, `docker login`, `helm registry login`, setup-ko, …), this action,
// the build-and-push actions, and push commands in `run:` scripts (docker/podman/buildah push,
// buildx --push and imagetools, skopeo, crane, oras, helm, flux, regctl, ko, goreleaser, cosign,
// pack, kaniko). A job that logs in with the run's token and then runs a script or make target
// that might push is a *likely* pusher. Returns the evidence with positions, the credential the
// push uses, and the literal image references for the image checks.

import { isTypo } from '../image/check.js'
import { classifyCredential, type Credential, type CredentialScope } from './credentials.js'
import { goreleaserImages } from './goreleaser.js'
import type { ActionModel, JobModel, Pos, ScalarValue, StepModel, WorkflowModel } from './model.js'
import { locateInScalar } from './model.js'
import { parseAction } from './parse.js'
import {
  commandWords,
  optionValues,
  positionals,
  shellCommands,
  type ShellCommand,
} from './shell.js'

export type PushEvidenceKind =
  | 'login-action'
  | 'preflight-action'
  | 'build-push-action'
  | 'bake-action'
  | 'push-action'
  | 'command'
  | 'local-action'

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
  /** For a login: the token it uses. */
  credential?: Credential
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
  /** The step it belongs to. */
  stepIndex?: number
  /**
   * Every variable part of the name goes through a lower-casing the workflow shows
   * (docker/metadata-action, `${VAR,,}`, `tr '[:upper:]' '[:lower:]'`, ghcr-preflight's `images`
   * output, a lower-case step output), so capitals in the values cannot reach Docker.
   */
  lowercased?: boolean
  /** The lower-casings seen, for messages: `docker/metadata-action`, `${IMAGE,,}`. */
  lowercasedBy?: string[]
}

/** push: a push to the registry is seen; likely-push: a login with the run's token, then a script that may push. */
export type PushVerdict = 'push' | 'likely-push' | 'no-push'

export interface PushAnalysis {
  verdict: PushVerdict
  /** The job pushes to (or likely pushes to) the registry. */
  pushes: boolean
  /** At least one piece of evidence is an actual push, not only a login. */
  pushSeen: boolean
  /** Pushes and the logins to the registry, in file order. */
  evidence: PushEvidence[]
  /** Image references the job pushes (or hands to this action), with positions. */
  images: ImageReference[]
  /** Registries the job logs in to (`docker.io` when none is given). */
  logins: string[]
  /**
   * The token the job's pushes to the registry use: the run's token (its push needs packages:
   * write; also when no login is visible), or a stored token (a secret or another step's token).
   */
  credential: 'run-token' | 'stored'
  /** The stored-token login that makes `credential` stored. */
  storedLogin?: PushEvidence
  /** Why a likely pusher may push: "logs in … then runs `make release` at line 20". */
  likelyReason?: string
}

/** Reads repository files (workflow-relative paths resolved by the caller) for local actions and tool configs. */
export interface RepoFiles {
  /** A file's text by its path as the linter names files (POSIX), or undefined when absent or unreadable. */
  read(path: string): string | undefined
}

export interface PushOptions {
  /** The repository root of the workflow file as a path prefix ('' or 'sub/dir/'). */
  root?: string
  files?: RepoFiles
  /** In a called workflow judged through its caller: the secrets the caller passes. */
  secrets?: 'inherit' | ReadonlyMap<string, string>
}

type Env = Array<ReadonlyMap<string, string>>

/** Where a step's text lives: the workflow itself, or a local composite action reported at its `uses:`. */
interface Source {
  lineStarts: number[]
  /** Maps a position in the source to the position reported in the workflow file. */
  place(p: Pos): Pos
  /** Suffix for descriptions of steps inside a local action: ` (in ./.github/actions/push)`. */
  label: string
  inputs?: ReadonlyMap<string, string | undefined>
}

interface Seen {
  order: number
  pos: Pos
  stepIndex: number
}

interface RegistryLogin extends Seen {
  credential: Credential
  evidence: PushEvidence
}

interface Opaque extends Seen {
  what: string
  /** The command or its environment says it pushes (`--push`, `PUSH=true`, a target named push/publish). */
  pushHint?: boolean
  /** The step hands the registry's token to this command (a login in all but name). */
  handOff?: boolean
  label?: string
}

const MAX_LOCAL_ACTION_DEPTH = 3

export function findPushes(
  model: WorkflowModel,
  job: JobModel,
  registry: string,
  options: PushOptions = {},
): PushAnalysis {
  const scan = new JobScan(model, job, registry.toLowerCase(), options)
  scan.run()
  return scan.result()
}

/** True when `uses` names this action from the marketplace: `craigedmunds/ghcr-preflight[/preflight]@…`. */
export function isPublishedPreflight(uses: string): boolean {
  return /^craigedmunds\/ghcr-preflight(\/preflight)?\/?@/i.test(uses.trim())
}

/** A local action reference: `./path` or the self-repository form `$/path` (GitHub's 2026 syntax). */
export function localActionPath(uses: string): string | undefined {
  const m = /^(?:\.\/|\$\/)(.*)$/.exec(uses.trim())
  if (!m) return undefined
  return m[1]!.replace(/\/+$/, '').replace(/^\.\//, '')
}

/** Reads `<root><path>/action.y(a)ml`. */
export function readLocalAction(path: string, options: PushOptions): ActionModel | undefined {
  if (!options.files) return undefined
  const dir = `${options.root ?? ''}${path ? `${path}/` : ''}`
  for (const name of ['action.yml', 'action.yaml']) {
    const text = options.files.read(`${dir}${name}`)
    if (text !== undefined) return parseAction(text, `${dir}${name}`)
  }
  return undefined
}

/** `uses: ./` or `./preflight` (or `$/…`) is this action only when that folder's action.yml is ghcr-preflight. */
export function isLocalPreflight(action: ActionModel | undefined): boolean {
  return !!action && /^ghcr-preflight\b/i.test(action.name?.trim() ?? '')
}

class JobScan {
  private readonly out: PushAnalysis = {
    verdict: 'no-push',
    pushes: false,
    pushSeen: false,
    evidence: [],
    images: [],
    logins: [],
    credential: 'run-token',
  }
  private readonly metadataImages = new Map<string, ImageReference[]>()
  private readonly pending: Array<() => void> = []
  private readonly registryLogins: RegistryLogin[] = []
  private readonly opaque: Opaque[] = []
  /** KO_DOCKER_REPO as setup-ko leaves it for later steps. */
  private koRepo?: string
  /** Variables earlier steps wrote to $GITHUB_ENV, for later steps. */
  private readonly dynamicEnv = new Map<string, string>()
  /** Outputs earlier run steps wrote ($GITHUB_OUTPUT, ::set-output), by step id. */
  private readonly stepOutputs = new Map<string, Map<string, string>>()
  /** Pulls from the registry after a login: they explain the login (a pull-only job). */
  private readonly pulls: Seen[] = []
  /**
   * Lower-cased values, by how they are referred to: `env.NAME` ($GITHUB_ENV), `steps.ID.outputs.X`,
   * `var.NAME` (a variable of the script being read), with how they were lower-cased.
   */
  private readonly lowered = new Map<string, string>()
  /** Step ids that run this action (their `images` output is lower-cased). */
  private readonly preflightIds = new Set<string>()
  private order = 0
  private readonly workflowSource: Source
  /** The source of the step being read (a local composite action's steps are read in place). */
  private current: Source

  constructor(
    private readonly model: WorkflowModel,
    private readonly job: JobModel,
    private readonly host: string,
    private readonly options: PushOptions,
  ) {
    this.workflowSource = { lineStarts: model.lineStarts, place: (p) => p, label: '' }
    this.current = this.workflowSource
  }

  run(): void {
    for (const step of this.job.steps) this.step(step, this.workflowSource, [], 0)
    for (const f of this.pending) f()
  }

  result(): PushAnalysis {
    const out = this.out
    out.evidence.sort((a, b) => a.line - b.line || a.column - b.column)
    out.pushSeen = out.evidence.some((e) => e.push)
    const runLogins = this.registryLogins.filter((l) => l.credential.kind !== 'stored')
    const stored = this.registryLogins.filter((l) => l.credential.kind === 'stored')
    const implied = out.evidence.some(
      (e) => e.push && (e.kind === 'preflight-action' || e.credential?.kind === 'run-token'),
    )
    if (stored.length > 0 && runLogins.length === 0 && !implied) {
      out.credential = 'stored'
      out.storedLogin = stored[0]!.evidence
    }
    if (out.pushSeen) out.verdict = 'push'
    else {
      // A login followed by a script, make target or unknown action: it may push. A pull after
      // the login explains the login, unless the command itself says it pushes.
      for (const login of this.registryLogins) {
        const pulled = this.pulls.some((p) => p.order > login.order)
        const after = this.opaque.find(
          (o) =>
            (o.order > login.order && (!pulled || o.pushHint)) ||
            (o.handOff === true && o.order === login.order),
        )
        if (!after) continue
        out.verdict = 'likely-push'
        out.likelyReason =
          after.order === login.order
            ? `it hands ${login.credential.shown} to ${after.what} at line ${after.pos.line}, which may push with it`
            : `it logs in to ${this.host} with ${login.credential.shown} at line ${login.pos.line}, then runs ${after.what} at line ${after.pos.line}, which may push`
        if (!out.evidence.some((e) => e.line === after.pos.line && e.column === after.pos.column)) {
          out.evidence.push({
            kind: 'command',
            description: `${after.what} at line ${after.pos.line}${after.label ?? ''}`,
            push: false,
            stepIndex: after.stepIndex,
            ...pick(after.pos),
          })
        }
        out.evidence.sort((a, b) => a.line - b.line || a.column - b.column)
        break
      }
    }
    out.pushes = out.verdict !== 'no-push'
    if (!out.pushes) {
      // A login alone is a pull: report nothing about it.
      out.evidence = []
    }
    return out
  }

  // ---- steps ----

  private step(step: StepModel, src: Source, outerEnv: Env, depth: number): void {
    const previous = this.current
    this.current = src
    try {
      this.stepIn(step, src, outerEnv, depth)
    } finally {
      this.current = previous
    }
  }

  private stepIn(step: StepModel, src: Source, outerEnv: Env, depth: number): void {
    const stepEnv = src.inputs ? this.withInputs(step.env, src) : step.env
    const env: Env = [stepEnv, ...outerEnv, this.dynamicEnv, this.job.env, this.model.env]
    const uses = step.uses?.value.trim() ?? ''
    const action = uses.split('@')[0]!.toLowerCase()
    const order = this.order++
    if (step.run) {
      // A script that logs in itself is read as it is; one that is handed a token may log in inside.
      if (!this.script(step, src, env, order)) this.handOff(step, src, env, order)
      return
    }
    if (!step.uses) return
    const w = (name: string) => step.with.get(name)?.value
    const at = (v: ScalarValue | undefined): Pos => src.place(v ?? step.uses!)
    const scope = this.scope(env, src)
    const seen = { order, stepIndex: step.index }
    const local = localActionPath(uses)

    if (isPublishedPreflight(uses)) {
      this.preflight(step, src, env, seen)
      return
    }
    if (local !== undefined) {
      const actionModel = readLocalAction(local, this.options)
      if (isLocalPreflight(actionModel)) this.preflight(step, src, env, seen)
      else if (actionModel?.using === 'composite') {
        if (depth < MAX_LOCAL_ACTION_DEPTH) this.localComposite(step, actionModel, src, env, depth)
      } else {
        const about = `${actionModel?.name ?? ''} ${actionModel?.description ?? ''}`
        this.genericAction(step, uses, src, env, seen, PUSHY.test(about))
      }
      return
    }
    switch (action) {
      case 'docker/login-action':
      case 'redhat-actions/podman-login': {
        const reg = w('registry')
        // `registry: ghcr.io/<owner>` (podman-login takes a namespace; docker keeps the host).
        const target = reg
          ? this.text(reg.value, env, src)
              .trim()
              .toLowerCase()
              .replace(/^https?:\/\//, '')
              .replace(/\/.*$/, '')
          : 'docker.io'
        const password = w('password')
        this.login(
          target || 'docker.io',
          classifyCredential(password?.value ?? '', scope),
          at(reg),
          `${action} logs in to ${target || 'docker.io'}`,
          seen,
          'login-action',
        )
        return
      }
      case 'docker/metadata-action': {
        const images = w('images')
        if (!images || !step.id) return
        const refs: ImageReference[] = []
        for (const item of listItems(images, false)) {
          // metadata-action lines may carry attributes: `name=ghcr.io/x,enable=true`.
          const name = /(?:^|,)\s*name=([^,]+)/.exec(item.text)?.[1] ?? item.text.split(',')[0]!
          for (const ref of this.refs(
            images,
            name.trim(),
            item.from,
            env,
            src,
            'docker/metadata-action images',
          ))
            refs.push({
              ...ref,
              stepIndex: step.index,
              // metadata-action lower-cases image names (its README, "sanitization").
              lowercased: true,
              lowercasedBy: ['docker/metadata-action'],
            })
        }
        this.metadataImages.set(step.id, refs)
        return
      }
      case 'docker/build-push-action':
      case 'docker/bake-action':
      case 'depot/build-push-action':
      case 'depot/bake-action':
        this.buildPushAction(step, action, src, env, seen)
        return
      case 'ko-build/setup-ko':
      case 'imjasonh/setup-ko':
      case 'step-security/setup-ko': {
        // It sets KO_DOCKER_REPO=ghcr.io/<owner>/<repo> and logs in to ghcr.io with
        // github.token, unless KO_DOCKER_REPO is already set (ko-build/setup-ko README).
        const preset = lookupEnv(env, 'KO_DOCKER_REPO')
        if (preset !== undefined) {
          this.koRepo = preset
          return
        }
        this.koRepo = 'ghcr.io/${{ github.repository }}'
        this.login(
          'ghcr.io',
          { kind: 'run-token', shown: 'github.token' },
          at(undefined),
          `${action} logs in to ghcr.io`,
          seen,
          'login-action',
        )
        return
      }
      case 'goreleaser/goreleaser-action': {
        const args = w('args')?.value ?? 'release'
        this.goreleaser(args.split(/\s+/), src.place(step.uses), env, seen, `${action}`)
        return
      }
      case 'actions/attest-build-provenance':
      case 'actions/attest-sbom':
      case 'actions/attest': {
        // With push-to-registry the attestation is pushed next to the image (needs packages: write).
        const push = w('push-to-registry')
        if (!push || !/^true$|\$\{\{/.test(this.text(push.value, env, src).trim())) return
        const subject = w('subject-name')
        this.pushTo(subject ? [{ scalar: subject, text: subject.value, from: 0 }] : [], env, src, {
          what: `${action} (push-to-registry)`,
          pos: at(push),
          seen,
          kind: 'push-action',
        })
        return
      }
      case 'redhat-actions/push-to-registry': {
        const reg = w('registry')
        const password = w('password')
        const target = reg ? this.text(reg.value, env, src).trim().toLowerCase() : ''
        if (password && target) {
          this.login(
            target,
            classifyCredential(password.value, scope),
            at(password),
            `${action} logs in to ${target}`,
            seen,
            'push-action',
          )
        }
        const image = w('image')
        const refs =
          reg && image
            ? [
                {
                  scalar: image,
                  text: `${this.text(reg.value, env, src).trim()}/${image.value.trim()}`,
                  from: 0,
                },
              ]
            : []
        const tags = w('tags')
        if (!refs.length && tags) refs.push(...listItems(tags).map((i) => ({ scalar: tags, ...i })))
        this.pushTo(refs, env, src, {
          what: action,
          pos: at(image ?? reg),
          seen,
          kind: 'push-action',
        })
        return
      }
      case 'macbre/push-to-ghcr': {
        const token = w('github_token')
        this.login(
          'ghcr.io',
          classifyCredential(token?.value ?? '${{ github.token }}', scope),
          at(token),
          `${action} logs in to ghcr.io`,
          seen,
          'push-action',
        )
        const name = w('image_name')
        this.pushTo(
          name ? [{ scalar: name, text: `ghcr.io/${name.value.trim()}`, from: 0 }] : [],
          env,
          src,
          {
            what: action,
            pos: at(name),
            seen,
            kind: 'push-action',
            assumeRegistry: true,
          },
        )
        return
      }
      case 'elgohr/publish-docker-github-action':
      case 'mr-smithers-excellent/docker-build-push':
      case 'appany/helm-oci-chart-releaser':
      case 'int128/kaniko-action':
      case 'aevea/action-kaniko':
      case 'whoan/docker-build-with-cache-action':
        this.genericAction(step, action, src, env, seen, true)
        return
      case 'aszc/change-string-case-action':
        if (step.id) this.lowered.set(`steps.${step.id}.outputs.lowercase`, action)
        return
      case 'actions/github-script': {
        // A script that lower-cases and sets outputs or env: its values are lower-case.
        const script = w('script')?.value ?? ''
        if (step.id && /toLowerCase\(\)/.test(script)) {
          for (const m of script.matchAll(/setOutput\(\s*['"]([\w-]+)['"]/g)) {
            this.lowered.set(`steps.${step.id}.outputs.${m[1]}`, 'toLowerCase()')
          }
          for (const m of script.matchAll(/exportVariable\(\s*['"]([\w-]+)['"]/g)) {
            this.lowered.set(`env.${m[1]}`, 'toLowerCase()')
          }
        }
        return
      }
      case 'nick-fields/retry':
      case 'wandalen/wretry.action': {
        // The retried command is a script like any `run:`.
        const command = w('command')
        if (command) this.script({ ...step, run: command }, src, env, order)
        return
      }
      default:
        if (BENIGN_ACTION.test(action)) return
        this.genericAction(step, action, src, env, seen, PUSHY.test(action))
    }
  }

  /** This action: it pushes nothing itself but proves and exports the run's token for the push. */
  private preflight(
    step: StepModel,
    src: Source,
    env: Env,
    seen: { order: number; stepIndex: number },
  ): void {
    const pos = src.place(step.uses!)
    if (step.id) this.preflightIds.add(step.id)
    const token = step.with.get('github-token')?.value
    const credential = token
      ? classifyCredential(token.value, this.scope(env, src))
      : { kind: 'run-token' as const, shown: 'github.token' }
    const evidence: PushEvidence = {
      kind: 'preflight-action',
      description: `ghcr-preflight at line ${pos.line}`,
      push: true,
      stepIndex: step.index,
      credential,
      ...pick(pos),
    }
    this.out.evidence.push(evidence)
    this.out.logins.push(this.host)
    this.registryLogins.push({ ...seen, pos, credential, evidence })
    const image = step.with.get('image')?.value
    if (image) {
      for (const item of listItems(image)) {
        for (const ref of this.refs(image, item.text, item.from, env, src, 'ghcr-preflight image'))
          this.out.images.push({ ...ref, stepIndex: step.index })
      }
    }
  }

  /** A composite action in this repository: its steps count as the job's, reported at its `uses:`. */
  private localComposite(
    step: StepModel,
    action: ActionModel,
    src: Source,
    env: Env,
    depth: number,
  ): void {
    const usesPos = src.place(step.uses!)
    const inputs = new Map(action.inputs)
    for (const [name, v] of step.with) inputs.set(name, this.text(v.value.value, env, src))
    const inner: Source = {
      lineStarts: action.lineStarts,
      place: () => usesPos,
      label: ` (in ${step.uses!.value.trim()})`,
      inputs,
    }
    // The composite's own step env comes first; the calling step's env does not reach its steps.
    for (const s of action.steps) this.step({ ...s, index: step.index }, inner, [], depth + 1)
  }

  private buildPushAction(
    step: StepModel,
    action: string,
    src: Source,
    env: Env,
    seen: { order: number; stepIndex: number },
  ): void {
    const w = (name: string) => step.with.get(name)?.value
    const bake = action.endsWith('bake-action')
    const push = w('push')
    // An expression decides at run time (often from a shell step's output): a push is possible.
    const pushValue = !push
      ? ''
      : /\$\{\{/.test(push.value)
        ? '${{ … }}'
        : this.text(push.value, env, src).trim().toLowerCase()
    const outputs = w('outputs')?.value ?? ''
    const cacheTo = this.text(w('cache-to')?.value ?? '', env, src)
    const cachesHere = /type=registry/.test(cacheTo) && this.namesRegistry(registryRef(cacheTo))
    const pushes =
      pushValue === 'true' ||
      /\$\{\{/.test(pushValue) ||
      /type=registry|push=(true|\$\{\{)/.test(outputs) ||
      (bake && /\.output=type=registry|push=true/.test(w('set')?.value ?? ''))
    if (!pushes && !cachesHere) return
    const mine: ImageReference[] = []
    const metaIds: string[] = []
    const outputsScalar = w('outputs')
    if (pushes && outputsScalar) {
      // `outputs: type=image,name=ghcr.io/x,push=true`: the names are in the exporter.
      for (const m of outputsScalar.value.matchAll(/(?:^|,)\s*"?name=([^,"\n]+)/g)) {
        for (const ref of this.refs(outputsScalar, m[1]!.trim(), 0, env, src, `${action} outputs`))
          mine.push({ ...ref, stepIndex: step.index })
      }
    }
    if (cachesHere && !pushes) {
      // A registry cache export writes to the registry even when the image is not pushed.
      const c = w('cache-to')!
      for (const ref of this.refs(c, registryRef(cacheTo), 0, env, src, `${action} cache-to`))
        mine.push({ ...ref, stepIndex: step.index })
    } else if (!bake) {
      const tags = w('tags')
      if (tags) {
        for (const item of listItems(tags)) {
          for (const ref of this.refs(tags, item.text, item.from, env, src, `${action} tags`))
            mine.push({ ...ref, stepIndex: step.index })
        }
        // `${{ steps.meta.outputs.tags }}`: the names come from that metadata-action step.
        for (const m of tags.source.matchAll(/steps\.([\w-]+)\.outputs\.(?:tags|json)/g)) {
          metaIds.push(m[1]!)
        }
      }
    } else {
      const set = w('set')
      if (set) {
        for (const i of listItems(set)) {
          const m = /^[^=]*\.tags=(.+)$/.exec(i.text)
          if (!m) continue
          for (const ref of this.refs(set, m[1]!.trim(), i.from, env, src, `${action} set`))
            mine.push({ ...ref, stepIndex: step.index })
        }
      }
    }
    if (cachesHere && pushes) {
      // The cache export is written beside the image: a name Docker refuses there fails the
      // build as surely as in a tag (games-on-whales/gow#250: "failed to configure registry
      // cache exporter: invalid reference format: repository name (Skerga/gow/base) must be
      // lowercase", with lower-cased tags).
      const c = w('cache-to')!
      for (const ref of this.refs(c, registryRef(cacheTo), 0, env, src, `${action} cache-to`))
        mine.push({ ...ref, stepIndex: step.index })
    }
    this.out.images.push(...mine)
    const evidenceAt = src.place(push ?? step.uses!)
    const shown = !push
      ? 'outputs'
      : /\$\{\{/.test(push.value)
        ? 'push: ${{ … }}'
        : `push: ${push.value}`
    const description = `${action} (${shown}) at line ${evidenceAt.line}${src.label}`
    const kind = bake ? 'bake-action' : 'build-push-action'
    // Decided after all steps are read, once metadata-action images are known.
    this.pending.push(() => {
      const meta = metaIds.flatMap((id) => this.metadataImages.get(id) ?? [])
      this.out.images.push(...meta)
      // A bake file names its own tags: a push after a login to the registry counts.
      if (this.pushesToRegistry([...mine, ...meta], seen.order)) {
        this.out.evidence.push({
          kind,
          description,
          push: true,
          stepIndex: step.index,
          ...pick(evidenceAt),
        })
      }
    })
  }

  /**
   * Any other action (a third-party one, or a local one that is not composite): it pushes when its
   * inputs name the registry and its name or inputs say it pushes (`push`/`publish`); otherwise it
   * is opaque, a likely push after a login. Its password/token input is a login.
   */
  private genericAction(
    step: StepModel,
    action: string,
    src: Source,
    env: Env,
    seen: { order: number; stepIndex: number },
    pushy: boolean,
  ): void {
    const pos = src.place(step.uses!)
    const values = [...step.with.values()].map((v) =>
      this.text(v.value.value, env, src).toLowerCase(),
    )
    const names = values.some((v) => this.namesRegistry(v))
    const loginsBefore = this.registryLogins.length
    const pwd = [
      'password',
      'registry_password',
      'registry-password',
      'token',
      'github_token',
      'github-token',
    ]
      .map((n) => step.with.get(n)?.value)
      .find((v) => v !== undefined)
    if (pwd && names) {
      this.login(
        this.host,
        classifyCredential(pwd.value, this.scope(env, src)),
        src.place(pwd),
        `${action} logs in to ${this.host}`,
        seen,
        'push-action',
      )
    }
    const pushInput = [...step.with].find(([k]) => /^(push|publish)$/i.test(k))
    const pushOff = pushInput && /^(false|never|no)$/i.test(pushInput[1].value.value.trim())
    if (names && (pushy || pushInput) && !pushOff) {
      this.out.evidence.push({
        kind: 'push-action',
        description: `${action} at line ${pos.line}${this.current.label}`,
        push: true,
        stepIndex: step.index,
        ...pick(pos),
      })
      return
    }
    // Its inputs may carry the registry's token (a login inside the action).
    if (this.registryLogins.length === loginsBefore) this.handOff(step, src, env, seen.order)
    if (this.opaque.some((o) => o.order === seen.order)) return
    this.opaque.push({
      ...seen,
      pos,
      what: `\`${action}\``,
      pushHint: pushy,
      label: this.current.label,
    })
  }

  /** A step that passes the run's (or a stored) token in env or inputs and names the registry: a login in all but name. */
  private handOff(step: StepModel, src: Source, env: Env, order: number): void {
    const values = [
      ...[...step.env].map(([k, v]) => `${k}=${this.text(v, env, src)}`),
      ...[...step.with].map(([k, v]) => `${k}=${this.text(v.value.value, env, src)}`),
    ]
    if (values.length === 0) return
    const mentions =
      values.some((v) => this.namesRegistry(v.slice(v.indexOf('=') + 1).toLowerCase())) ||
      values.some((v) => v.toLowerCase().includes(`${this.host}/`)) ||
      (this.host === 'ghcr.io' && values.some((v) => /GHCR/i.test(v.split('=')[0]!))) ||
      this.namesRegistry((step.name ?? '').toLowerCase())
    // The run's token handed to an image build that publishes (`bootBuildImage -PpublishImage`,
    // `build-image.sh`): that token pushes to GitHub's own registry only, whatever the build file says.
    const imageWork =
      IMAGE_WORK.test(step.run?.value ?? '') ||
      values.some((v) => IMAGE_WORK.test(v)) ||
      IMAGE_WORK.test(step.name ?? '')
    if (!mentions && !imageWork) return
    const tokenValue = values
      .filter((v) => /\$\{\{\s*(github\.token|secrets\.)/i.test(v))
      .map((v) => v.slice(v.indexOf('=') + 1))
    if (tokenValue.length === 0) return
    const credential = classifyCredential(tokenValue.join(' '), this.scope(env, src))
    if (credential.kind === 'unknown') return
    if (!mentions && credential.kind !== 'run-token') return
    const pos = src.place(step.uses ?? step.run ?? step.pos)
    const what = step.run
      ? (shellCommands(step.run.value)
          .map((c) => opaqueCommand(commandWords(c.words).words))
          .find((x) => x) ?? 'its script')
      : `\`${step.uses!.value.trim().split('@')[0]}\``
    this.login(
      this.host,
      credential,
      pos,
      `the step at line ${pos.line} passes a token for ${this.host}`,
      { order, stepIndex: step.index },
      step.run ? 'command' : 'push-action',
    )
    this.opaque.push({
      order,
      stepIndex: step.index,
      pos,
      what,
      handOff: true,
      label: this.current.label,
    })
  }

  /** The registry host, a reference on it (`ghcr.io/…`, `oci://ghcr.io/…`), or a typo of it. */
  private namesRegistry(v: string): boolean {
    const t = v
      .trim()
      .replace(/^oci:\/\//, '')
      .replace(/^https?:\/\//, '')
    const host = t.split('/')[0]!
    if (host === this.host || v.includes(`oci://${this.host}/`) || v.includes(` ${this.host}/`)) {
      return true
    }
    return /^[a-z0-9.-]+\.[a-z]+$/.test(host) && isTypo(host, this.host)
  }

  /** A composite action's step env with `${{ inputs.X }}` replaced by what the caller passes. */
  private withInputs(env: ReadonlyMap<string, string>, src: Source): Map<string, string> {
    const out = new Map<string, string>()
    for (const [k, v] of env) out.set(k, this.text(v, [], src))
    return out
  }

  // ---- scripts ----

  /** Reads a script; true when it logs in to a registry or pushes (it was understood). */
  private script(step: StepModel, src: Source, env: Env, order: number): boolean {
    const run = step.run!
    let searchFrom = 0
    const cmds = shellCommands(run.value)
    const scope = this.scope(env, src)
    const vars = new Map<string, string>()
    const before = this.out.evidence.length + this.out.logins.length
    // A script's own variables are its own.
    for (const k of [...this.lowered.keys()]) if (k.startsWith('var.')) this.lowered.delete(k)
    for (const cmd of cmds) {
      const { assignments, words: raw } = commandWords(cmd.words)
      const scriptEnv: Env = [vars, ...env]
      if (raw.length === 0) {
        // `IMAGE=ghcr.io/acme/app` on its own: a shell variable for the rest of the script;
        // `IMAGE=$(… | tr …)` is known only as lower-cased.
        for (const [k, v] of assignments) {
          if (/\$$|\$\(|`/.test(v)) vars.delete(k)
          else vars.set(k, expand(v, scriptEnv))
          const how = lowering(cmd.line) ?? this.loweringOf(v)?.[0]
          if (how) this.lowered.set(`var.${k}`, how)
          else this.lowered.delete(`var.${k}`)
        }
        continue
      }
      const words = withoutGlobalOptions([toolName(raw[0]!), ...raw.slice(1)])
      // Follow the script through the source so each command is located on its own line.
      const first = raw[0]!
      const loc = locateInScalar({ lineStarts: src.lineStarts }, run, first, searchFrom)
      const segFrom = loc.next > searchFrom ? loc.next - first.length : searchFrom
      searchFrom = Math.max(searchFrom, loc.next)
      const pos = src.place(loc)
      const seen = { order: order + cmd.index / 1000, stepIndex: step.index }
      const localEnv: Env = assignments.size ? [assignments, ...scriptEnv] : scriptEnv
      const ctx: CommandContext = { run, segFrom, pos, seen, env: localEnv, src, scope, cmd }
      this.recordWrites(step, words, cmd, localEnv)
      if (this.loginCommand(words, ctx)) continue
      if (this.pushCommand(words, ctx, assignments)) continue
      if (this.pullCommand(words, ctx)) continue
      const opaque = opaqueCommand(words)
      if (opaque) {
        const hint =
          PUSH_HINT.test(cmd.text) ||
          [...localEnv[0]!].some(([k, v]) => PUSH_ENV.test(`${k}=${v}`)) ||
          [...step.env].some(([k, v]) => PUSH_ENV.test(`${k}=${v}`))
        this.opaque.push({ ...seen, pos, what: opaque, pushHint: hint, label: this.current.label })
      }
    }
    return this.out.evidence.length + this.out.logins.length > before
  }

  /** `echo "X=v" >> $GITHUB_ENV`, `>> $GITHUB_OUTPUT` and `::set-output name=X::v`, for later steps. */
  private recordWrites(step: StepModel, words: string[], cmd: ShellCommand, env: Env): void {
    if (words[0] !== 'echo' && words[0] !== 'printf') return
    const text = words
      .slice(1)
      .filter((w) => !w.startsWith('-'))
      .join(' ')
    const setOutput = /::set-output name=([\w-]+)::(.*)$/.exec(text)
    const assign = /^([A-Za-z_][\w-]*)=(.*)$/.exec(text)
    const value = (v: string) => expand(this.text(v, env, this.current), env)
    let name: string | undefined
    let written: string | undefined
    if (setOutput && step.id) {
      this.output(step.id).set(setOutput[1]!, value(setOutput[2]!))
      ;[name, written] = [`steps.${step.id}.outputs.${setOutput[1]}`, setOutput[2]!]
    } else if (assign && /GITHUB_OUTPUT/.test(cmd.line) && step.id) {
      this.output(step.id).set(assign[1]!, value(assign[2]!))
      ;[name, written] = [`steps.${step.id}.outputs.${assign[1]}`, assign[2]!]
    } else if (assign && /GITHUB_ENV/.test(cmd.line)) {
      this.dynamicEnv.set(assign[1]!, value(assign[2]!))
      ;[name, written] = [`env.${assign[1]}`, assign[2]!]
    }
    if (name !== undefined && written !== undefined) {
      const how = lowering(`${written} ${cmd.line}`) ?? this.loweringOf(written)?.[0]
      if (how) this.lowered.set(name, how)
      else this.lowered.delete(name)
    }
  }

  /**
   * How each variable part of `text` is lower-cased, or undefined when one of them is not
   * visibly lower-cased. A text without variable parts gives [].
   */
  private loweringOf(text: string): string[] | undefined {
    // The usual case, nothing lower-cased anywhere yet: no need to read the parts.
    if (this.lowered.size === 0 && this.preflightIds.size === 0 && !text.includes(',,}')) {
      return text.includes('$') ? undefined : []
    }
    const ways: string[] = []
    const parts = [
      ...text.matchAll(/\$\{\{\s*([\w.-]+)\s*\}\}|\$\{([A-Za-z_]\w*)(,,)?\}|\$([A-Za-z_]\w*)/g),
    ]
    for (const m of parts) {
      if (m[3]) {
        ways.push(`\${${m[2]},,}`)
        continue
      }
      const ref = m[1] ?? `env.${m[2] ?? m[4]}`
      const preflight = /^steps\.([\w-]+)\.outputs\.images$/.exec(ref)
      if (preflight && this.preflightIds.has(preflight[1]!)) {
        ways.push("ghcr-preflight's images output")
        continue
      }
      const how =
        this.lowered.get(ref) ??
        ((m[2] ?? m[4]) ? this.lowered.get(`var.${m[2] ?? m[4]}`) : undefined)
      if (!how) return undefined
      ways.push(how)
    }
    return ways
  }

  private output(id: string): Map<string, string> {
    let m = this.stepOutputs.get(id)
    if (!m) this.stepOutputs.set(id, (m = new Map()))
    return m
  }

  /** `docker pull ghcr.io/…`, `oras pull`, `docker run ghcr.io/…`: a login that pulls. */
  private pullCommand(ws: string[], ctx: CommandContext): boolean {
    const [a, b] = ws
    const pulls =
      (/^(docker|podman|nerdctl|oras|crane|helm|regctl|skopeo)$/.test(a ?? '') &&
        /^(pull|run|create|export|inspect|manifest|blob|artifact|image|copy|cp)$/.test(b ?? '') &&
        ws.some((w) => this.namesRegistry(expand(w, ctx.env).toLowerCase()))) ||
      (a === 'docker' && b === 'compose' && /^(pull|up|run)$/.test(ws[2] ?? ''))
    if (pulls) this.pulls.push({ ...ctx.seen, pos: ctx.pos })
    return pulls
  }

  /** `docker login ghcr.io -u … --password-stdin` and the other tools' login commands. */
  private loginCommand(ws: string[], ctx: CommandContext): boolean {
    const head = ws.slice(0, 3).join(' ')
    const m =
      /^(docker|podman|buildah|skopeo|oras|helm registry|crane auth|regctl registry|cosign|ko|nerdctl|flux)\b/.exec(
        head,
      )
    if (!m) return false
    const n = m[1]!.split(' ').length
    if (ws[n] !== 'login') return false
    const args = ws.slice(n + 1)
    const server =
      positionals(
        args,
        0,
        /^(-u|--username|-p|--password|--authfile|--cert-dir|--cred-helper|--registry-config|--config)$/,
      )[0] ?? 'docker.io'
    const target = this.text(server, ctx.env, ctx.src)
      .replace(/^https?:\/\//, '')
      .replace(/\/.*$/, '')
      .toLowerCase()
    // The token: `-p X`, `--password X`, or what is piped in for --password-stdin.
    const pw = optionValues(args, ['-p', '--password'])
    const tokenText = pw.length
      ? pw.join(' ')
      : ctx.cmd.line.split('|').slice(0, -1).join('|') || ctx.cmd.line
    const credential = classifyCredential(tokenText, ctx.scope)
    this.login(
      target,
      credential,
      ctx.pos,
      `\`${ws.slice(0, n + 1).join(' ')}\` logs in to ${target}`,
      ctx.seen,
      'command',
    )
    return true
  }

  private pushCommand(
    ws: string[],
    ctx: CommandContext,
    assignments: Map<string, string>,
  ): boolean {
    const [a, b, c] = ws
    const rest = (n: number) => ws.slice(n)
    let refs: string[] | undefined
    let what = ''
    let unknownTargets = false
    let credentialHint: Credential | undefined
    const valuedCommon =
      /^(-f|--file|--format|--platform|--annotation|-a|--artifact-type|--config|--creds|--dest-creds|--src-creds|--password|--username|-u|-p|--registry-config|--authfile|--cert-dir|--path|--source|--revision|-o|--output|--build-arg|--label|-l|--cache-from|--cache-to|--target|--provenance|--sbom|--secret|--ssh|--progress|--iidfile|--metadata-file|--key|--certificate|--tlog-upload|--signature|--type|--predicate|--identity-token|--oidc-issuer|--digestfile|--registry-username|--registry-password|--registry-token|--to-username|--to-password|--from-username|--from-password)$/
    if (
      (a === 'docker' || a === 'podman' || a === 'nerdctl') &&
      (b === 'push' || (b === 'image' && c === 'push'))
    ) {
      what = `${a} push`
      refs = lastOf(positionals(ws, b === 'push' ? 2 : 3, valuedCommon))
      credentialHint = inlineCredential(ws, ['--creds'], ctx.scope)
    } else if (
      (a === 'docker' || a === 'podman' || a === 'buildah') &&
      b === 'manifest' &&
      c === 'push'
    ) {
      what = `${a} manifest push`
      const p = positionals(ws, 3, valuedCommon)
      refs = lastOf(p)
      credentialHint = inlineCredential(ws, ['--creds'], ctx.scope)
    } else if (a === 'buildah' && b === 'push') {
      what = 'buildah push'
      refs = lastOf(positionals(ws, 2, valuedCommon))
      credentialHint = inlineCredential(ws, ['--creds'], ctx.scope)
    } else if (a === 'skopeo' && (b === 'copy' || b === 'sync')) {
      what = `skopeo ${b}`
      const dest = positionals(ws, 2, valuedCommon).pop()
      refs = dest && (b === 'sync' || dest.startsWith('docker://')) ? [dest] : []
      const creds = optionValues(ws, ['--dest-creds', '--dest-registry-token', '--creds'])
      if (creds.length) credentialHint = classifyCredential(creds.join(' '), ctx.scope)
    } else if (
      a === 'crane' &&
      ['push', 'copy', 'cp', 'append', 'mutate', 'tag', 'rebase', 'flatten'].includes(b ?? '')
    ) {
      what = `crane ${b}`
      const tagged = optionValues(ws, ['-t', '--tag', '--new_tag'])
      const p = positionals(
        ws,
        2,
        /^(-t|--tag|--new_tag|-b|--base|-f|--new_layer|--platform|-o|--output|--append|--entrypoint|--cmd|--env|--label|--annotation|--user|--workdir|--exposed-ports)$/,
      )
      if (tagged.length) refs = tagged
      else if (b === 'append') refs = []
      else if (b === 'mutate' || b === 'tag' || b === 'rebase' || b === 'flatten')
        refs = p.slice(0, 1)
      else refs = lastOf(p)
    } else if (a === 'oras' && ['push', 'copy', 'cp', 'attach', 'tag'].includes(b ?? '')) {
      what = `oras ${b}`
      const p = positionals(ws, 2, valuedCommon)
      refs = b === 'copy' || b === 'cp' ? lastOf(p) : p.slice(0, 1)
      credentialHint = inlineCredential(
        ws,
        b === 'copy' || b === 'cp' ? ['--to-password'] : ['-p', '--password'],
        ctx.scope,
      )
    } else if (a === 'oras' && b === 'manifest' && c === 'push') {
      what = 'oras manifest push'
      refs = positionals(ws, 3, valuedCommon).slice(0, 1)
      credentialHint = inlineCredential(ws, ['-p', '--password'], ctx.scope)
    } else if (a === 'helm' && b === 'push') {
      what = 'helm push'
      refs = lastOf(positionals(ws, 2, valuedCommon))
    } else if (a === 'flux' && b === 'push' && c === 'artifact') {
      what = 'flux push artifact'
      refs = positionals(ws, 3, valuedCommon).slice(0, 1)
      const creds = optionValues(ws, ['--creds'])
      if (creds.length) credentialHint = classifyCredential(creds.join(' '), ctx.scope)
    } else if (a === 'flux' && b === 'tag' && c === 'artifact') {
      what = 'flux tag artifact'
      refs = positionals(ws, 3, valuedCommon).slice(0, 1)
    } else if (
      a === 'regctl' &&
      ((b === 'image' && ['copy', 'cp', 'mod', 'import'].includes(c ?? '')) ||
        (b === 'artifact' && c === 'put') ||
        (b === 'index' && ['create', 'add'].includes(c ?? '')) ||
        (b === 'tag' && c === 'add'))
    ) {
      what = `regctl ${b} ${c}`
      const p = positionals(
        ws,
        3,
        /^(--create|--platform|--annotation|--artifact-type|-f|--file|--config-type|--media-type|--subject|--ref)$/,
      )
      const created = optionValues(ws, ['--create'])
      refs =
        b === 'image' && (c === 'copy' || c === 'cp')
          ? lastOf(p)
          : created.length
            ? created
            : p.slice(0, 1)
    } else if (
      a === 'docker' &&
      ((b === 'buildx' && (c === 'build' || c === 'bake')) || b === 'build' || b === 'bake')
    ) {
      const pushes =
        ws.includes('--push') ||
        optionValues(ws, ['--output', '-o']).some((o) => /type=registry|push=true/.test(o)) ||
        optionValues(ws, ['--set']).some((o) => /\.output=type=registry|push=true/.test(o))
      const cache = optionValues(ws, ['--cache-to']).find((v) => /type=registry/.test(v))
      if (!pushes && !(cache && this.namesRegistry(registryRef(expand(cache, ctx.env))))) {
        return false
      }
      what = `${ws.slice(0, b === 'buildx' ? 3 : 2).join(' ')} ${pushes ? '--push' : '--cache-to'}`
      refs = pushes ? optionValues(ws, ['-t', '--tag']) : [registryRef(cache!)]
      if (ws.includes('bake')) {
        refs.push(...optionValues(ws, ['--set']).flatMap((s) => /\.tags=(.+)$/.exec(s)?.[1] ?? []))
        if (!refs.length) unknownTargets = true
      }
    } else if (a === 'docker' && b === 'buildx' && c === 'imagetools' && ws[3] === 'create') {
      what = 'docker buildx imagetools create'
      refs = optionValues(ws, ['-t', '--tag'])
    } else if (
      (a === 'docker' && b === 'compose' && c === 'push') ||
      (a === 'docker-compose' && b === 'push')
    ) {
      what = a === 'docker' ? 'docker compose push' : 'docker-compose push'
      refs = []
      unknownTargets = true
    } else if (
      a === 'ko' &&
      ['build', 'publish', 'resolve', 'apply', 'create', 'run'].includes(b ?? '')
    ) {
      if (ws.some((t) => /^(-L|--local|--push=false|--oci-layout-path.*|--tarball.*)$/.test(t)))
        return false
      what = `ko ${b}`
      const repo =
        assignments.get('KO_DOCKER_REPO') ?? lookupEnv(ctx.env, 'KO_DOCKER_REPO') ?? this.koRepo
      refs = repo ? [repo] : []
      unknownTargets = !repo
    } else if (a === 'goreleaser' || (a === 'go' && b === 'run' && /goreleaser/.test(c ?? ''))) {
      this.goreleaser(
        a === 'goreleaser' ? rest(1) : rest(3),
        ctx.pos,
        ctx.env,
        ctx.seen,
        'goreleaser',
      )
      return true
    } else if (
      a === 'cosign' &&
      ['sign', 'attest', 'attach', 'copy', 'clean', 'save'].includes(b ?? '') &&
      b !== 'save'
    ) {
      what = `cosign ${b}`
      const p = positionals(ws, b === 'attach' ? 3 : 2, valuedCommon)
      refs = b === 'copy' ? lastOf(p) : p.slice(0, 1)
      credentialHint = inlineCredential(ws, ['--registry-password'], ctx.scope)
    } else if (a === 'pack' && b === 'build' && ws.includes('--publish')) {
      what = 'pack build --publish'
      refs = positionals(
        ws,
        2,
        /^(-B|--builder|-e|--env|-p|--path|--run-image|--cache-image|-t|--tag|--buildpack|-b|--descriptor|--network|--volume)$/,
      ).slice(0, 1)
      refs.push(...optionValues(ws, ['-t', '--tag']))
    } else if (
      /(^|\/)executor$/.test(a ?? '') ||
      (a === 'docker' && ws.some((t) => /kaniko/.test(t)))
    ) {
      const dest = optionValues(ws, ['--destination', '-d'])
      if (!dest.length || ws.includes('--no-push')) return false
      what = 'kaniko executor'
      refs = dest
    } else if (
      /^(mvn|mvnw|\.\/mvnw|gradle|gradlew|\.\/gradlew)$/.test(a ?? '') &&
      ws.some(
        (t) => /jib(:build)?$|^jib$/.test(t) && !/dockerBuild|jibDockerBuild|buildTar/.test(t),
      )
    ) {
      what = `${a} jib`
      refs = ws.flatMap(
        (t) => /^-D(?:jib\.to\.)?image=(.+)$/.exec(t)?.[1] ?? /^--image=(.+)$/.exec(t)?.[1] ?? [],
      )
      unknownTargets = refs.length === 0
    } else if (a === 'dotnet' && b === 'publish' && dotnetPublishesContainer(ws)) {
      // The .NET SDK pushes the image itself when a registry is set (`-p:ContainerRegistry=…`);
      // without one it loads it into the local daemon, unless the project file names one.
      what = 'dotnet publish (container)'
      const registry = msbuildProperty(ws, 'ContainerRegistry')
      const repository =
        msbuildProperty(ws, 'ContainerRepository') ?? msbuildProperty(ws, 'ContainerImageName')
      if (registry && repository) refs = [`${registry}/${repository}`]
      else {
        // The repository (or the registry) is in the project file: the push is this registry's
        // when the command names it or, naming none, after a login to it.
        refs = []
        unknownTargets = !registry || this.namesRegistry(expand(registry, ctx.env).toLowerCase())
      }
    } else if (
      ((a === 'mvn' || /mvnw$/.test(a ?? '')) &&
        ws.some((t) => /(^|:)build-image(-no-fork)?$/.test(t)) &&
        ws.some((t) => /^-Dspring-boot\.build-image\.publish=true$/i.test(t))) ||
      (/gradlew?$/.test(a ?? '') &&
        ws.some((t) => /(^|:)bootBuildImage$/.test(t)) &&
        ws.includes('--publishImage'))
    ) {
      // Spring Boot's buildpacks build publishes only when asked to (`publish=true`, `--publishImage`).
      what = `${a} Spring Boot build-image (publish)`
      refs = [
        ...ws.flatMap((t) => /^-Dspring-boot\.build-image\.imageName=(.+)$/.exec(t)?.[1] ?? []),
        ...optionValues(ws, ['--imageName']),
      ]
      unknownTargets = refs.length === 0
    } else if (
      (a === 'skaffold' && (b === 'build' || b === 'run')) ||
      (a === 'earthly' && ws.includes('--push'))
    ) {
      what = `${a} ${a === 'earthly' ? '--push' : b}`
      if (a === 'skaffold' && ws.some((t) => /^--push=false$/.test(t))) return false
      refs = optionValues(ws, ['--default-repo', '-d']).map((r) => `${r}/`)
      unknownTargets = refs.length === 0
    } else return false

    const before = this.out.images.length
    for (const written of refs ?? []) {
      for (const ref of this.refs(
        ctx.run,
        stripTransport(written),
        ctx.segFrom,
        ctx.env,
        ctx.src,
        what,
      ))
        this.out.images.push({ ...ref, stepIndex: ctx.seen.stepIndex })
    }
    const mine = this.out.images.slice(before)
    if (credentialHint && mine.some((r) => r.host === this.host)) {
      this.login(
        this.host,
        credentialHint,
        ctx.pos,
        `\`${what}\` authenticates to ${this.host}`,
        ctx.seen,
        'command',
      )
    }
    if (this.pushesToRegistry(mine, ctx.seen.order, unknownTargets)) {
      const pos = mine.find((r) => r.host === this.host) ?? mine[0] ?? ctx.pos
      this.out.evidence.push({
        kind: 'command',
        description: `\`${what}\` at line ${pos.line}${this.current.label}`,
        push: true,
        stepIndex: ctx.seen.stepIndex,
        ...pick(pos),
      })
    }
    return true
  }

  /** goreleaser pushes the images its config names, unless it only builds a snapshot or skips publishing. */
  private goreleaser(
    args: string[],
    pos: Pos,
    env: Env,
    seen: { order: number; stepIndex: number },
    what: string,
  ): void {
    const sub = args.find((a) => !a.startsWith('-'))
    if (sub && sub !== 'release') return
    if (
      args.some((a) =>
        /^--snapshot$|^--skip-publish$|^--skip=.*\bpublish\b|^--skip-docker$|^--skip=.*\bdocker\b/.test(
          a,
        ),
      )
    )
      return
    const configArg = optionValues(args, ['-f', '--config'])[0]
    const images = goreleaserImages(this.options, configArg)
    const hosts = images.map((i) =>
      this.text(i, env, this.workflowSource).split('/')[0]!.toLowerCase(),
    )
    if (!hosts.some((h) => h === this.host || h.includes('{{'))) return
    const pushesHere = hosts.filter((h) => h === this.host).length
    this.out.evidence.push({
      kind: 'command',
      description: `${what} at line ${pos.line} (${pushesHere || 'some'} ${this.host} image${pushesHere === 1 ? '' : 's'} in its config)`,
      push: true,
      stepIndex: seen.stepIndex,
      ...pick(pos),
    })
  }

  // ---- helpers ----

  private login(
    target: string,
    credential: Credential,
    pos: Pos,
    description: string,
    seen: { order: number; stepIndex: number },
    kind: PushEvidenceKind,
  ): void {
    this.out.logins.push(target)
    if (target !== this.host) return
    const evidence: PushEvidence = {
      kind,
      description: `${description} at line ${pos.line}${this.current.label}`,
      push: false,
      stepIndex: seen.stepIndex,
      credential,
      ...pick(pos),
    }
    this.out.evidence.push(evidence)
    this.registryLogins.push({ ...seen, pos, credential, evidence })
  }

  private pushTo(
    refs: Array<{ scalar: ScalarValue; text: string; from: number }>,
    env: Env,
    src: Source,
    o: {
      what: string
      pos: Pos
      seen: { order: number; stepIndex: number }
      kind: PushEvidenceKind
      assumeRegistry?: boolean
    },
  ): void {
    const before = this.out.images.length
    for (const r of refs) {
      for (const ref of this.refs(r.scalar, r.text, r.from, env, src, o.what))
        this.out.images.push({ ...ref, stepIndex: o.seen.stepIndex })
    }
    const mine = this.out.images.slice(before)
    if (o.assumeRegistry || this.pushesToRegistry(mine, o.seen.order, refs.length === 0)) {
      this.out.evidence.push({
        kind: o.kind,
        description: `${o.what} at line ${o.pos.line}${this.current.label}`,
        push: true,
        stepIndex: o.seen.stepIndex,
        ...pick(o.pos),
      })
    }
  }

  /**
   * A push goes to the registry when a reference names it, or when the job logs in to it and the
   * target is not literal (`$IMAGE`) or has no host while no other registry is logged in to (the
   * user meant the registry; the image check then reports the missing host).
   */
  private pushesToRegistry(
    refs: ImageReference[],
    _order: number,
    unknownTargets = false,
  ): boolean {
    const host = this.host
    if (
      refs.some(
        (r) => r.host === host || (r.expression && r.raw.toLowerCase().startsWith(`${host}/`)),
      )
    ) {
      return true
    }
    // A typo of the registry (`ghrc.io/…`) is a push meant for it; the image check reports it.
    if (refs.some((r) => r.host && isTypo(r.host, host))) return true
    const logins = this.out.logins
    if (!logins.includes(host)) return false
    if (refs.length === 0 || unknownTargets) return true
    // A name whose registry part is itself a variable (`${{ env.IMAGE_NAMES }}`, `${registry}/x`
    // from a matrix of registries): after a login to this registry and to no registry this file
    // cannot name, it is this registry's push as much as any other's.
    if (refs.some(dynamicHost) && logins.every((l) => !DYNAMIC.test(l))) return true
    // A name without a host: the registry only when it is the one registry the job logs in to
    // (otherwise it is Docker Hub's).
    return refs.some((r) => !r.host) && logins.every((l) => l === host)
  }

  private scope(env: Env, src: Source): CredentialScope {
    return {
      env,
      ...(this.options.secrets ? { secrets: this.options.secrets } : {}),
      inputs: src.inputs ?? this.model.callInputs,
    }
  }

  /** Substitutes literal env values and (in a local action) its inputs. */
  private text(s: string, env: Env, src: Source): string {
    const outputs = (x: string) =>
      x.replace(
        /\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g,
        (m, id: string, name: string) => this.stepOutputs.get(id)?.get(name) ?? m,
      )
    let t = outputs(s)
    // A local composite's inputs as its caller passes them; in a called workflow, the defaults of
    // its `workflow_call` inputs (what a caller that passes nothing gets).
    const inputs = src.inputs ?? this.model.callInputs
    if (inputs.size > 0) {
      t = t.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (m, name: string) => inputs.get(name) ?? m)
    }
    // `env: { IMAGE: ${{ steps.meta.outputs.image }} }` then `$IMAGE` in the script: the env value
    // brings the step output in, so outputs are substituted once more after the env.
    return outputs(expand(t, env))
  }

  /**
   * The image references one written item stands for: itself with env, inputs and earlier step
   * outputs substituted, split when the substituted value is a list (`tags=a,b` from a shell step).
   */
  private refs(
    scalar: ScalarValue,
    written: string,
    from: number,
    env: Env,
    src: Source,
    via: string,
  ): ImageReference[] {
    if (!written) return []
    const expanded = this.text(written, env, src)
    const parts =
      expanded !== written && /[,\n]/.test(expanded.replace(/\$\{\{[\s\S]*?\}\}/g, ''))
        ? splitOutsideExpressions(expanded, true)
            .map((p) => p.trim())
            .filter((p) => p)
        : [expanded]
    const pos = src.place(locateInScalar({ lineStarts: src.lineStarts }, scalar, written, from))
    const ways = this.loweringOf(written)
    const out: ImageReference[] = []
    for (const part of parts) {
      const raw = part.replace(/^oci:\/\//, '')
      // A whole-expression reference (`${{ steps.meta.outputs.tags }}`) names nothing literal.
      if (/^\$\{\{[^}]*\}\}$/.test(raw.trim())) continue
      const ref = makeRef(raw, written, via, pos)
      if (ways && ways.length > 0) {
        ref.lowercased = true
        ref.lowercasedBy = [...new Set(ways)]
      } else ref.lowercased = false
      out.push(ref)
    }
    return out
  }
}

/** Text this file cannot resolve: an expression or a shell variable. */
const DYNAMIC = /\$|\{\{/

/**
 * A reference whose registry part is a variable: the whole name is one (`$IMAGE:tag`,
 * `${{ env.IMAGE_NAMES }}`), or its first part is one named for a registry (`${registry}/app`,
 * `${{ matrix.registry }}/app`). `${{ secrets.NAMESPACE }}/app` is a Docker Hub namespace.
 */
function dynamicHost(r: ImageReference): boolean {
  if (r.host) return false
  const first = r.raw.split('/')[0]!
  if (!r.raw.includes('/')) return DYNAMIC.test(first)
  return DYNAMIC.test(first) && /regist|host|server/i.test(first)
}

interface CommandContext {
  run: ScalarValue
  segFrom: number
  pos: Pos
  seen: { order: number; stepIndex: number }
  env: Env
  src: Source
  scope: CredentialScope
  cmd: ShellCommand
}

/** The lower-casing a shell text shows, if any: `${X,,}`, `tr '[:upper:]' '[:lower:]'`, `tr A-Z a-z`, … */
export function lowering(text: string): string | undefined {
  const patterns: Array<[RegExp, string]> = [
    [/\$\{[A-Za-z_]\w*,,\}/, '${VAR,,}'],
    [/\$\{[A-Za-z_]\w*@L\}/, '${VAR@L}'],
    [/\btr\s+(-\w+\s+)?["']?\[:upper:\]["']?\s+["']?\[:lower:\]/, "tr '[:upper:]' '[:lower:]'"],
    [/\btr\s+(-\w+\s+)?["']?A-Z["']?\s+["']?a-z/, 'tr A-Z a-z'],
    [/\btolower\s*\(/, 'awk tolower()'],
    [/toLowerCase\(\)/, 'toLowerCase()'],
    [/\btoLower\s*\(/i, 'toLower()'],
    [/\\L&|\\L\\1/, 'sed \\L'],
    [/\b(declare|typeset)\s+-l\b/, 'declare -l'],
    [/\.lower\(\)/, 'lower()'],
  ]
  for (const [re, how] of patterns) if (re.test(text)) return how
  return undefined
}

/** An action or command whose name says it pushes. */
const PUSHY =
  /push|publish|upload.*(image|container|registry|oci)|release.*(image|container|docker)/i
/** A command line that asks for a push (`--push`, `push=true`, `push-image`). */
const PUSH_HINT =
  /(^|[\s,"'=])--push\b|push=true|\bpush[-_:.]?(image|images|manifest|all)?\b|\bpublish\b/i
/** A command or argument that builds and publishes a container image by name. */
const IMAGE_WORK =
  /\b(build|push|publish)[-_]?images?\b|\bimages?[-_]?(build|push|publish)|bootBuildImage|publishImage|\bjib\b/i
/** An environment entry that asks for a push: `PUSH: "true"`, `DOCKER_BUILD_ARGS: --push`. */
const PUSH_ENV = /^[\w]*PUSH[\w]*=(true|1|yes)$|--push\b/i

/**
 * Actions that neither push nor log in: after a login they explain nothing (setup, checkout,
 * caches, artifacts, scanners, metadata, notifications).
 */
const BENIGN_ACTION =
  /^(actions\/(?!attest)[\w.-]+|github\/[\w./-]+|docker\/(setup-[\w-]+|metadata-action|scout-action)|[\w.-]+\/(setup-[\w.-]+|[\w.-]*-setup|cache[\w.-]*|checkout[\w.-]*)|aquasecurity\/trivy-action|anchore\/[\w.-]+|sigstore\/cosign-installer|oras-project\/setup-oras|azure\/setup-helm|softprops\/action-gh-release|codecov\/[\w.-]+|slackapi\/[\w.-]+|peter-evans\/[\w.-]+|[\w.-]+\/upload-[\w.-]+|[\w.-]+\/download-[\w.-]+|ASzc\/change-string-case-action|[\w.-]+\/[\w.-]*(lint|test|scan|check|comment|label|notify)[\w.-]*)$/i

/** `./ko`, `/usr/local/bin/crane`, `bin/oras` → the tool's name, so paths to known tools are read as the tools. */
function toolName(word: string): string {
  const base = word.split('/').pop() ?? word
  return word.includes('/') &&
    /^(docker|podman|buildah|skopeo|crane|oras|helm|flux|regctl|ko|goreleaser|cosign|pack|nerdctl|executor)$/.test(
      base,
    )
    ? base
    : word
}

/** Registry tools whose global options may come before the subcommand. */
const GLOBAL_OPTION_TOOLS =
  /^(docker|podman|nerdctl|buildah|skopeo|helm|oras|regctl|crane|cosign|flux)$/
/** Global options of those tools that take a value as the next word. */
const VALUED_GLOBAL =
  /^(-c|--context|--config|-H|--host|-l|--log-level|--policy|--registries\.d|--override-(arch|os|variant)|--tmpdir|--command-timeout|--connection|--url|--root|--runroot|--storage-driver|--cgroup-manager|--kube-context|-n|--namespace|--kubeconfig|--registry-config|--repository-config|--platform|--verbosity|--logopt)$/

/**
 * `skopeo --insecure-policy copy …`, `docker --context ci push …`, `helm --debug push …`: the
 * global options are dropped so the subcommand is where the rules look for it.
 */
function withoutGlobalOptions(ws: string[]): string[] {
  if (!GLOBAL_OPTION_TOOLS.test(ws[0] ?? '')) return ws
  let i = 1
  while (i < ws.length - 1 && /^-/.test(ws[i]!)) {
    i += !ws[i]!.includes('=') && VALUED_GLOBAL.test(ws[i]!) ? 2 : 1
  }
  return i === 1 ? ws : [ws[0]!, ...ws.slice(i)]
}

/** A command whose effect this file cannot see: a make target, a script, a task runner. */
function opaqueCommand(ws: string[]): string | undefined {
  const [a, b] = ws
  if (!a) return undefined
  if (
    /^(make|gmake|just|task|mage|earthly|nox|tox|invoke|rake|cargo-make|bazel|bazelisk|dagger|nix|skaffold|tilt|pulumi|docker-bake)$/.test(
      a,
    )
  ) {
    return `\`${ws.slice(0, 2).join(' ')}\``
  }
  if (
    /^(npm|yarn|pnpm|bun)$/.test(a) &&
    b &&
    !/^(ci|install|i|test|t|add|audit|ls|list|view|pack|version|exec|outdated)$/.test(b)
  ) {
    return `\`${ws.slice(0, b === 'run' ? 3 : 2).join(' ')}\``
  }
  if (
    /^(\.{0,2}\/|scripts?\/|hack\/|ci\/|build\/|tools\/)\S+/.test(a) ||
    /\.(sh|bash|py|ps1|mjs|js|rb)$/.test(a)
  ) {
    return `\`${a}\``
  }
  if (
    /^(bash|sh|zsh|python3?|node|pwsh|ruby)$/.test(a) &&
    b &&
    /\.(sh|bash|py|js|mjs|ps1|rb)$|^(\.{0,2}\/|scripts?\/)/.test(b)
  ) {
    return `\`${a} ${b}\``
  }
  if (a === 'go' && b === 'run') return `\`${ws.slice(0, 3).join(' ')}\``
  return undefined
}

/**
 * Credentials given on the push command itself (`podman push --creds user:$TOKEN`, `oras push -p …`,
 * `cosign sign --registry-password …`): the push uses them, not an earlier login.
 */
function inlineCredential(
  ws: string[],
  names: string[],
  scope: CredentialScope,
): Credential | undefined {
  const given = optionValues(ws, names)
  return given.length ? classifyCredential(given.join(' '), scope) : undefined
}

/** `dotnet publish` that builds a container: the PublishContainer target or the DefaultContainer profile. */
function dotnetPublishesContainer(ws: string[]): boolean {
  return ws.some(
    (t) =>
      /^[-/](t|target):(\S*;)?PublishContainer\b/i.test(t) ||
      /^[-/](p|property):PublishProfile=DefaultContainer$/i.test(t),
  )
}

/** An MSBuild property given on the command line: `-p:Name=V`, `/p:Name=V`, `--property:Name=V`. */
function msbuildProperty(ws: string[], name: string): string | undefined {
  const re = new RegExp(`^(?:-{1,2}|/)(?:p|property):${name}=(.*)$`, 'i')
  for (const t of ws) {
    const m = re.exec(t)
    if (m) return m[1]!.replace(/^["']|["']$/g, '')
  }
  return undefined
}

/** The `ref=` of a registry cache exporter (`type=registry,ref=ghcr.io/x:cache,mode=max`). */
function registryRef(spec: string): string {
  // An expression inside the ref keeps its spaces: `ref=ghcr.io/${{ github.repository_owner }}/x`.
  return /(?:^|,)\s*ref=((?:\$\{\{[^}]*\}\}|[^,\s"])+)/.exec(spec)?.[1] ?? ''
}

function lastOf(p: string[]): string[] {
  return p.length ? [p[p.length - 1]!] : []
}

function stripTransport(s: string): string {
  return s.replace(/^(docker|oci|registry):\/\//, '')
}

function lookupEnv(env: Env, name: string): string | undefined {
  for (const m of env) {
    const v = m.get(name)
    if (v !== undefined) return v
  }
  return undefined
}

/** Items of a list input: a YAML sequence, or newline/comma separated text. Offsets are into the source. */
export function listItems(v: ScalarValue, commas = true): Array<{ text: string; from: number }> {
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

/**
 * Splits on newlines and commas, but not inside `${{ … }}` (expressions may hold commas) nor
 * inside a shell `${…}` expansion (`${IMAGE,,}` lower-cases; `${A:-x,y}` has a default).
 */
function splitOutsideExpressions(s: string, commas: boolean): string[] {
  const out: string[] = []
  let cur = ''
  let expression = 0
  let brace = 0
  for (let i = 0; i < s.length; i++) {
    const opener = s.startsWith('${{', i)
      ? '${{'
      : expression === 0 && s.startsWith('${', i)
        ? '${'
        : ''
    if (opener) {
      if (opener === '${{') expression++
      else brace++
      cur += opener
      i += opener.length - 1
      continue
    }
    const c = s[i]!
    if (expression > 0 && s.startsWith('}}', i)) {
      expression--
      cur += '}}'
      i++
      continue
    }
    if (brace > 0 && c === '}') brace--
    if (expression === 0 && brace === 0 && (c === '\n' || (commas && c === ','))) {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

function makeRef(raw: string, written: string, via: string, pos: Pos): ImageReference {
  const expression = /\$\{\{|\$\{?\w|`|\$\(|\{\{/.test(raw)
  const first = raw.split('/')[0]!
  const hasHost =
    raw.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  const ref: ImageReference = { raw, written, via, expression, line: pos.line, column: pos.column }
  if (hasHost && !/\$|\{\{/.test(first)) ref.host = first.toLowerCase()
  return ref
}

/** Substitutes `${{ env.NAME }}`, `$NAME` and `${NAME}` with literal env values (step, then job, then workflow). */
export function expand(text: string, env: ReadonlyArray<ReadonlyMap<string, string>>): string {
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
  // `${NAME,,}` / `${NAME^^}`: bash case conversion (the usual way to lower-case an image name).
  s = s.replace(
    /\$\{([A-Za-z_]\w*)(,,|\^\^)?\}|\$([A-Za-z_]\w*)/g,
    (m, a?: string, op?: string, b?: string) => {
      const v = lookup((a ?? b)!)
      if (v === undefined) return m
      return op === ',,' ? v.toLowerCase() : op === '^^' ? v.toUpperCase() : v
    },
  )
  return s
}

function pick(p: Pos): Pos {
  return { line: p.line, column: p.column }
}
