// Shared pieces of the fault matrix: one world in which both credentials and every GitHub API
// call matter, the run of the built bundle against a rig with one fault set, and what each run
// left behind (outputs, request log, the other host's log, a skopeo cross-check).
//
// The world: organisation acme, the run comes from acme/api, the package acme/app is linked to
// acme/other. So the run's token is refused at the upload (a real denial) and the classic PAT
// fallback of an org member is accepted: without faults the verdict is `fallback`, reached only
// through the registry's token service and upload, while the REST API is asked for the owner's
// type (GET /users/acme, the event payload has no owner), the PAT's scopes, login and org
// (GET /rate_limit, /user, /orgs/acme) and the package link (GET /orgs/acme/packages/…).

import {
  pushWorkflow,
  runAction,
  runnerEnv,
  type ActionRun,
} from '../../../scripts/lib/action-process.mjs'
import type { FaultSpec, LogEntry, Rig } from '../../../rig/index.mjs'
import { closedPort } from '../../http/support/test-server.js'

export const REPOSITORY = 'acme/api'
export const ACTOR = 'craigedmunds'
export const IMAGE = 'ghcr.io/acme/app'
export const WORKFLOW_PATH = '.github/workflows/build.yml'
/**
 * timeout-seconds for the cases that test the deadline itself (a hanging or trickling server):
 * short, so the matrix stays quick.
 */
export const DEADLINE_SECONDS = 3
/**
 * timeout-seconds for every other case (and the healthy baselines): they end as soon as they
 * meet their fault, and a short deadline would let a loaded machine end them first, so the run
 * would report the deadline instead of the fault under test.
 */
export const DEFAULT_SECONDS = 30

const WORKFLOW = pushWorkflow({ image: IMAGE, fallback: true })

export const FILES = { [WORKFLOW_PATH]: WORKFLOW }

export function world(): { repository: string; github: unknown; files: Record<string, string> } {
  return {
    repository: REPOSITORY,
    files: FILES,
    github: {
      owners: { acme: 'org', [ACTOR]: 'user' },
      orgs: { acme: { members: { [ACTOR]: 'write' } } },
      tokens: {
        github: { kind: 'actions', packages: 'write' },
        pat: {
          kind: 'classic',
          owner: ACTOR,
          scopes: ['write:packages', 'read:packages'],
        },
      },
      packages: [
        {
          owner: 'acme',
          name: 'app',
          repository: 'acme/other',
          visibility: 'private',
          actions_access: { 'acme/other': 'write' },
        },
      ],
    },
  }
}

export type Target = 'registry' | 'token' | 'api'

/** What a case changes before the run: a rig fault, or a URL pointed at a closed port. */
export type Setup =
  | { kind: 'none' }
  | { kind: 'fault'; on: Target; spec: FaultSpec }
  /** The registry seam or the API URL points at a loopback port nothing listens on. */
  | { kind: 'closed-port'; env: 'GHCR_PREFLIGHT_REGISTRY_URL' | 'GITHUB_API_URL' }
  /** The /v2/ challenge names a token realm on a closed port of the same loopback host. */
  | { kind: 'closed-realm' }

export interface RunOptions {
  setup: Setup
  onUnverified?: 'warn' | 'fail'
  runtime?: 'node20' | 'node24'
  /** Cross-check a claimed push with skopeo (default true; a baseline run does not need it). */
  agree?: boolean
  /** The run's timeout-seconds input (default DEFAULT_SECONDS). */
  timeoutSeconds?: number
}

export interface CaseRun {
  run: ActionRun
  /** Everything the emulators and the other host saw, after the run's sockets closed. */
  log: LogEntry[]
  tokens: Record<string, string>
  /** Set when the verdict claims a push: did skopeo push with the exported credential? */
  agreement?: { ok: boolean; stderr: string }
}

/** Runs the bundle once against `rig` with the case's fault; the rig must not be shared meanwhile. */
export async function runWithFault(rig: Rig, opts: RunOptions): Promise<CaseRun> {
  const { tokens } = rig.setWorld(world())
  const env: Record<string, string> = runnerEnv({
    repository: REPOSITORY,
    actor: ACTOR,
    workflowPath: WORKFLOW_PATH,
    apiUrl: rig.apiUrl,
    registryUrl: rig.registryUrl,
  })
  const { setup } = opts
  if (setup.kind === 'fault') rig.setFault(setup.on, setup.spec)
  if (setup.kind === 'closed-port') env[setup.env] = `http://127.0.0.1:${await closedPort()}`
  if (setup.kind === 'closed-realm') {
    rig.setFault('registry', {
      fault: `realm:http://127.0.0.1:${await closedPort()}/token`,
      path: /^\/v2\/?$/,
    })
  }

  const run = await runAction({
    inputs: {
      image: IMAGE,
      'github-token': tokens.github,
      'fallback-token': tokens.pat,
      'timeout-seconds': String(opts.timeoutSeconds ?? DEFAULT_SECONDS),
      'on-unverified': opts.onUnverified ?? 'warn',
    },
    env,
    event: {},
    files: FILES,
    runtime: opts.runtime ?? 'node20',
    // Far beyond any deadline under test, even on a loaded machine: a harness guard, not a check.
    timeoutMs: 180_000,
  })
  // The emulators log a request when its socket closes, which can trail the child's exit.
  await new Promise((resolve) => setTimeout(resolve, 150))
  const log = [...rig.log]

  let agreement: CaseRun['agreement']
  const result = run.outputs.result
  if ((result === 'ready' || result === 'fallback') && opts.agree !== false) {
    // Clear the fault so skopeo meets the registry the verdict was about (API faults never
    // touch the registry; a registry fault here would already be a failed case).
    rig.setFault('registry', null)
    rig.setFault('token', null)
    const pushed = await rig.skopeoPush({
      image: 'acme/app',
      tag: `agree-${Date.now().toString(36)}`,
      username: run.outputs.username ?? '',
      password: run.outputs.password ?? '',
    })
    agreement = { ok: pushed.ok, stderr: pushed.stderr }
  }
  return { run, log, tokens, agreement }
}

export interface Finding {
  id: string
  severity: string
  title: string
  message: string
}

export function findingsOf(run: ActionRun): Finding[] {
  return JSON.parse(run.outputs.findings ?? '[]') as Finding[]
}

/** A Node stack frame or an uncaught error's name at the start of a line. */
export const STACK_TRACE =
  /^\s+at\s.+:\d+:\d+\)?$|^(?:Type|Reference|Syntax|Range)?Error:|^node:internal/m

/** Runs `work` over `items` with at most `limit` in flight, each worker holding one resource. */
export async function pool<R, T, O>(
  resources: R[],
  items: T[],
  work: (resource: R, item: T) => Promise<O>,
): Promise<Map<T, O | Error>> {
  const out = new Map<T, O | Error>()
  const queue = [...items]
  await Promise.all(
    resources.map(async (resource) => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        try {
          out.set(item, await work(resource, item))
        } catch (e) {
          out.set(item, e instanceof Error ? e : new Error(String(e)))
        }
      }
    }),
  )
  return out
}
