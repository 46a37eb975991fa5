// expires_at in a scenario may be relative to now ("+3d"), so a scenario about a token that
// expires soon stays true whenever the suite runs.
import { describe, expect, it } from '@jest/globals'
import { buildWorld } from '../../rig/index.mjs'

const DAY = 86_400_000

function expiry(value: string): number {
  const w = buildWorld({
    repository: 'acme/app',
    github: { tokens: { pat: { kind: 'classic', owner: 'o', expires_at: value } } },
  })
  return Date.parse(w.tokens.pat!.expires_at!)
}

describe('world token expires_at', () => {
  it.each([
    ['+3d', 3 * DAY],
    ['-2h', -2 * 3_600_000],
    ['+30m', 30 * 60_000],
  ])('%s is relative to now', (value, offset) => {
    const before = Date.now()
    const at = expiry(value)
    expect(at).toBeGreaterThanOrEqual(before + offset)
    expect(at).toBeLessThanOrEqual(Date.now() + offset)
  })

  it('keeps an absolute ISO time as given', () => {
    expect(expiry('2027-10-12T09:00:00Z')).toBe(Date.parse('2027-10-12T09:00:00Z'))
  })

  it.each(['soon', '+3w', '3d'])('rejects %s with a message naming the field', (value) => {
    expect(() => expiry(value)).toThrow(/github\.tokens\.pat\.expires_at/)
  })
})
