import { describe, expect, it } from '@jest/globals'
import { decide, type DecisionFacts, type ProbeVerdict } from '../../src/decision/decide.js'

const run = (probes: ProbeVerdict[], usable = true) => ({
  source: 'github-token' as const,
  usable,
  probes,
})
const fb = (probes: ProbeVerdict[], usable = true) => ({
  source: 'fallback-token' as const,
  usable,
  probes,
})

const base: DecisionFacts = {
  imageBlocked: false,
  onUntrusted: 'skip',
  probeEnabled: true,
  staticRunToken: 'write',
  runToken: run(['allowed']),
}

describe('decide', () => {
  it.each<[string, Partial<DecisionFacts>, string, string, boolean]>([
    ['run token proven on every image', {}, 'ready', 'github-token', true],
    [
      'run token proven beats a working fallback',
      { fallback: fb(['allowed']) },
      'ready',
      'github-token',
      true,
    ],
    [
      'one image refused, fallback proven',
      { runToken: run(['allowed', 'denied']), fallback: fb(['allowed', 'allowed']) },
      'fallback',
      'fallback-token',
      true,
    ],
    [
      'both refused',
      { runToken: run(['denied']), fallback: fb(['unauthorized']) },
      'fail',
      'none',
      false,
    ],
    ['refused and no fallback', { runToken: run(['denied']) }, 'fail', 'none', false],
    [
      'fallback ruled out before probing',
      { runToken: run(['denied']), fallback: fb([], false) },
      'fail',
      'none',
      false,
    ],
    [
      'the file refuses the run token and the registry cannot be asked',
      { staticRunToken: 'not-write', runToken: run(['inconclusive']) },
      'fail',
      'none',
      false,
    ],
    [
      'the file refuses the run token, the fallback is unproven: only the fallback is a candidate',
      {
        staticRunToken: 'not-write',
        runToken: run(['inconclusive']),
        fallback: fb(['inconclusive']),
      },
      'unverified',
      'fallback-token',
      false,
    ],
    [
      'run token inconclusive',
      { runToken: run(['inconclusive']) },
      'unverified',
      'github-token',
      false,
    ],
    [
      'one image inconclusive, one allowed',
      { runToken: run(['allowed', 'inconclusive']) },
      'unverified',
      'github-token',
      false,
    ],
    [
      'run refused, fallback inconclusive',
      { runToken: run(['denied']), fallback: fb(['inconclusive']) },
      'unverified',
      'fallback-token',
      false,
    ],
    ['image blocked wins over a 202', { imageBlocked: true }, 'fail', 'none', false],
    [
      'fork, nothing proven, skip',
      { untrusted: 'fork-pull-request', runToken: run(['denied']) },
      'skip',
      'none',
      false,
    ],
    [
      'fork, nothing proven, fail',
      { untrusted: 'fork-pull-request', onUntrusted: 'fail', runToken: run(['denied']) },
      'fail',
      'none',
      false,
    ],
    [
      'Dependabot with write proven is ready',
      { untrusted: 'dependabot-run' },
      'ready',
      'github-token',
      true,
    ],
    [
      'fork with inconclusive probe still skips',
      { untrusted: 'fork-pull-request', runToken: run(['inconclusive']) },
      'skip',
      'none',
      false,
    ],
    [
      'probe off, file grants write',
      { probeEnabled: false, runToken: run([]) },
      'unverified',
      'github-token',
      false,
    ],
    [
      'probe off, file denies write, no fallback',
      { probeEnabled: false, staticRunToken: 'not-write', runToken: run([]) },
      'fail',
      'none',
      false,
    ],
    [
      'probe off, file denies write, fallback usable',
      { probeEnabled: false, staticRunToken: 'not-write', runToken: run([]), fallback: fb([]) },
      'unverified',
      'fallback-token',
      false,
    ],
    ['empty run token, no fallback', { runToken: run([], false) }, 'fail', 'none', false],
  ])('%s', (_name, facts, result, credential, canPush) => {
    const d = decide({ ...base, ...facts })
    expect([d.result, d.credential, d.canPush]).toEqual([result, credential, canPush])
    expect(d.reason.length).toBeGreaterThan(10)
  })

  it('never says ready or fallback without a 202 for every image (exhaustive over 2 images)', () => {
    const verdicts: ProbeVerdict[] = ['allowed', 'denied', 'unauthorized', 'inconclusive']
    for (const a of verdicts)
      for (const b of verdicts)
        for (const c of verdicts)
          for (const d of verdicts) {
            const out = decide({ ...base, runToken: run([a, b]), fallback: fb([c, d]) })
            const runAll = a === 'allowed' && b === 'allowed'
            const fallbackAll = c === 'allowed' && d === 'allowed'
            expect({
              ready: out.result !== 'ready' || runAll,
              fallback: out.result !== 'fallback' || fallbackAll,
              canPush: out.canPush === (out.result === 'ready' || out.result === 'fallback'),
            }).toEqual({ ready: true, fallback: true, canPush: true })
          }
  })
})
