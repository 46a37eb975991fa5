// Facts about the run's trigger that decide whether the run's token can ever write:
// pull requests from forks and Dependabot runs get a read-only token and no Actions secrets.
// These are facts (warnings); the caller decides whether that means skip or fail.

import type { RunContext } from '../context.js'
import { makeFinding } from '../findings/catalogue.js'
import type { Finding, Place } from '../findings/types.js'

export type Untrusted = 'fork-pull-request' | 'dependabot-run'

/** Events whose token is read-only when the head repository is a fork. pull_request_target is not one. */
const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
])

const DEPENDABOT = 'dependabot[bot]'

/**
 * Events whose runs GitHub restricts when Dependabot triggers them (read-only token, Dependabot
 * secrets only): https://docs.github.com/en/code-security/dependabot/troubleshooting-dependabot/troubleshooting-dependabot-on-github-actions
 * (research §3.5), plus pull_request_target, restricted when Dependabot created its base ref.
 * A workflow_run, schedule, release or dispatch run whose actor is Dependabot gets the normal
 * token: the workflow_run pattern exists for exactly that.
 */
const DEPENDABOT_EVENTS = new Set([
  ...PULL_REQUEST_EVENTS,
  'pull_request_target',
  'push',
  'create',
  'deployment',
  'deployment_status',
])

export function checkEvent(
  ctx: RunContext,
  place: Place,
): { untrusted: Untrusted | undefined; findings: Finding[] } {
  const findings: Finding[] = []
  let untrusted: Untrusted | undefined

  const fork = forkHead(ctx)
  if (fork !== undefined) {
    untrusted = 'fork-pull-request'
    const number = prNumber(ctx.event)
    const from =
      fork === null ? 'a deleted fork (the event names no head repository)' : `the fork ${fork}`
    findings.push(
      makeFinding('fork-pull-request', place, {
        message: `this ${ctx.eventName} run is for pull request${number ? ` #${number}` : ''} from ${from}: GitHub gives it a read-only GITHUB_TOKEN whatever \`permissions\` says, and no secrets, so it cannot push to ${place.registry}`,
        details: { head: fork ?? undefined },
      }),
    )
  }

  const byActor = ctx.actor === DEPENDABOT
  const byTrigger = ctx.triggeringActor === DEPENDABOT
  // An unknown event name (none given) keeps the restriction: it may be one of them.
  const restricted = !ctx.eventName || DEPENDABOT_EVENTS.has(ctx.eventName)
  if ((byActor || byTrigger) && restricted) {
    untrusted ??= 'dependabot-run'
    const who =
      byActor && byTrigger
        ? 'was triggered by Dependabot'
        : byActor
          ? `was started by Dependabot and re-run by ${ctx.triggeringActor || 'another user'} (Dependabot's rules still apply)`
          : `was triggered by Dependabot (actor ${ctx.actor || 'unknown'})`
    findings.push(
      makeFinding('dependabot-run', place, {
        message: `this ${ctx.eventName || 'workflow'} run ${who}: its GITHUB_TOKEN is read-only unless \`permissions\` grants \`packages: write\`, and only Dependabot secrets are available (Actions secrets such as GHCR_TOKEN are empty)`,
      }),
    )
  }
  return { untrusted, findings }
}

/**
 * The fork's full name when the run is a pull request from a fork, null when the head
 * repository is gone (a deleted fork), undefined when the run is not from a fork.
 */
function forkHead(ctx: RunContext): string | null | undefined {
  if (!PULL_REQUEST_EVENTS.has(ctx.eventName)) return undefined
  const pr = obj(ctx.event.pull_request)
  if (!pr) return undefined // no payload: nothing proven either way
  // GitHub always sends head.repo, as null when the fork was deleted. A payload without it (a
  // hand-written or trimmed event) proves nothing either way, like a missing payload: the
  // registry probe decides, and a fork's read-only token is refused there.
  const head = obj(pr.head)
  if (!head || !('repo' in head)) return undefined
  if (head.repo === null) return null
  const repo = obj(head.repo)
  if (!repo) return undefined
  const fullName = typeof repo.full_name === 'string' ? repo.full_name : undefined
  if (fullName === undefined) return repo.fork === true ? null : undefined
  // A same-named head is this repository even when it is itself a fork of something else.
  if (fullName.toLowerCase() === ctx.repository.toLowerCase()) return undefined
  return fullName
}

function prNumber(event: Record<string, unknown>): number | undefined {
  const pr = obj(event.pull_request)
  const n = pr?.number ?? event.number
  return typeof n === 'number' ? n : undefined
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined
}
