import { describe, expect, it } from '@jest/globals'
import type { RunContext } from '../../src/context.js'
import { checkEvent } from '../../src/run/events.js'

const place = { serverUrl: 'https://github.com', repository: 'Acme/App', registry: 'ghcr.io' }

function ctx(over: Partial<RunContext>): RunContext {
  return {
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    repository: 'Acme/App',
    owner: 'Acme',
    actor: 'alice',
    triggeringActor: 'alice',
    eventName: 'push',
    event: {},
    defaultRegistry: 'ghcr.io',
    ...over,
  }
}

const pr = (head: unknown, number = 7) => ({ number, pull_request: { number, head } })

describe('checkEvent: fork pull requests', () => {
  it.each([
    ['pull_request', pr({ repo: { full_name: 'mallory/App', fork: true } }), 'fork-pull-request'],
    [
      'pull_request_review',
      pr({ repo: { full_name: 'mallory/App', fork: true } }),
      'fork-pull-request',
    ],
    [
      'pull_request_review_comment',
      pr({ repo: { full_name: 'mallory/App' } }),
      'fork-pull-request',
    ],
    ['pull_request', pr({ repo: null }), 'fork-pull-request'], // deleted fork
    ['pull_request', pr({}), undefined], // head without repo: a trimmed payload proves nothing
    ['pull_request', pr(undefined), undefined], // no head at all (pull_request: { number })
    ['pull_request', pr({ ref: 'x', repo: 'mallory/App' }), undefined], // repo not an object
    ['pull_request', pr({ repo: { fork: true } }), 'fork-pull-request'],
    ['pull_request', pr({ repo: { full_name: 'acme/app', fork: false } }), undefined], // same repo, other case
    ['pull_request', pr({ repo: { full_name: 'Acme/App', fork: true } }), undefined], // repo that is itself a fork
    ['pull_request_target', pr({ repo: { full_name: 'mallory/App', fork: true } }), undefined],
    ['push', pr({ repo: { full_name: 'mallory/App', fork: true } }), undefined],
    ['pull_request', {}, undefined], // payload missing: not proven
  ])('%s with %j → %s', (eventName, event, want) => {
    const r = checkEvent(ctx({ eventName, event: event as Record<string, unknown> }), place)
    expect(r.untrusted).toBe(want)
    expect(r.findings.map((f) => f.id)).toEqual(want ? [want] : [])
  })

  // A notice: with on-untrusted: skip the run succeeds with the documented notice and no warning
  // (issue 11); on-untrusted: fail raises it to an error (decision/severities).
  it('names the pull request and the fork, as a notice', () => {
    const r = checkEvent(
      ctx({ eventName: 'pull_request', event: pr({ repo: { full_name: 'mallory/App' } }, 42) }),
      place,
    )
    const f = r.findings[0]!
    expect(f.severity).toBe('notice')
    expect(f.message).toContain('#42')
    expect(f.message).toContain('mallory/App')
    expect(f.fix.join('\n')).toContain(
      'github.event.pull_request.head.repo.full_name == github.repository',
    )
  })

  it('says deleted fork when the head repository is gone', () => {
    const r = checkEvent(ctx({ eventName: 'pull_request', event: pr({ repo: null }) }), place)
    expect(r.findings[0]!.message).toContain('a deleted fork')
  })
})

describe('checkEvent: Dependabot', () => {
  it.each([
    ['dependabot[bot]', 'dependabot[bot]', 'was triggered by Dependabot'],
    ['dependabot[bot]', 'alice', 're-run by alice'],
    ['alice', 'dependabot[bot]', 'triggered by Dependabot'],
  ])('actor %s, triggering actor %s', (actor, triggeringActor, says) => {
    const r = checkEvent(ctx({ actor, triggeringActor, eventName: 'push' }), place)
    expect(r.untrusted).toBe('dependabot-run')
    expect(r.findings.map((f) => f.id)).toEqual(['dependabot-run'])
    expect(r.findings[0]!.message).toContain(says)
    expect(r.findings[0]!.fix.join('\n')).toContain(
      'https://github.com/Acme/App/settings/secrets/dependabot',
    )
  })

  it('reports both facts for a Dependabot pull request from a fork, fork first', () => {
    const r = checkEvent(
      ctx({
        actor: 'dependabot[bot]',
        triggeringActor: 'dependabot[bot]',
        eventName: 'pull_request',
        event: pr({ repo: { full_name: 'x/y' } }),
      }),
      place,
    )
    expect(r.untrusted).toBe('fork-pull-request')
    expect(r.findings.map((f) => f.id)).toEqual(['fork-pull-request', 'dependabot-run'])
  })

  // GitHub restricts Dependabot's pull_request*, push, create and deployment* runs (and
  // pull_request_target); a workflow_run or schedule run whose actor is Dependabot has the normal
  // token, so calling it a Dependabot run would turn a real refusal into a skip.
  it.each([
    ['pull_request', 'dependabot-run'],
    ['pull_request_review', 'dependabot-run'],
    ['pull_request_target', 'dependabot-run'],
    ['push', 'dependabot-run'],
    ['create', 'dependabot-run'],
    ['deployment_status', 'dependabot-run'],
    ['', 'dependabot-run'], // unknown event: it may be one of them
    ['workflow_run', undefined],
    ['schedule', undefined],
    ['workflow_dispatch', undefined],
    ['release', undefined],
    ['merge_group', undefined],
  ])('Dependabot as actor on %j → %s', (eventName, want) => {
    const r = checkEvent(
      ctx({ actor: 'dependabot[bot]', triggeringActor: 'dependabot[bot]', eventName }),
      place,
    )
    expect(r.untrusted).toBe(want)
    expect(r.findings.map((f) => f.id)).toEqual(want ? [want] : [])
  })

  it('is quiet for an ordinary run', () => {
    expect(checkEvent(ctx({}), place)).toEqual({ untrusted: undefined, findings: [] })
  })
})
