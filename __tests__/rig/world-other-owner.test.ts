// The rig's rule for a run's token writing into an account other than its repository's owner:
// no installation exists there, personal namespace or organisation alike
// (https://github.com/PwnKit-Labs/pwnkit/pull/184 personal; https://github.com/QMCPACK/qmcpack/issues/5805
// an organisation), unless that namespace's package grants the repository Actions access.
import { describe, expect, it } from '@jest/globals'
import { MSG, authorize, buildWorld } from '../../rig/index.mjs'

const world = () =>
  buildWorld({
    repository: 'ylee88/qmcpack',
    github: {
      owners: { ylee88: 'user', QMCPACK: 'org', peaktwilight: 'user' },
      orgs: { QMCPACK: {}, granting: {} },
      tokens: { github: { kind: 'actions', packages: 'write' } },
      packages: [
        { owner: 'QMCPACK', name: 'develop', repository: 'QMCPACK/qmcpack' },
        { owner: 'granting', name: 'shared', actions_access: { 'ylee88/qmcpack': 'write' } },
      ],
    },
  })

describe('authorize: the run token in another account', () => {
  it.each([
    ['an organisation, existing package', 'qmcpack/develop', 'write'],
    ['an organisation, new package', 'qmcpack/brand-new', 'write'],
    ['an organisation, pull of a private package', 'qmcpack/develop', 'read'],
    ['a personal namespace', 'peaktwilight/pwnkit', 'write'],
  ] as const)('%s → 403 "The requested installation does not exist."', (_, path, need) => {
    const w = world()
    const d = authorize(w, { type: 'token', token: w.tokens.github! }, path, need)
    expect(d).toMatchObject({
      allow: false,
      status: 403,
      code: 'DENIED',
      message: MSG.noInstallation,
    })
  })

  it('lets the run in where the package grants the repository write', () => {
    const w = world()
    const d = authorize(w, { type: 'token', token: w.tokens.github! }, 'granting/shared', 'write')
    expect(d.allow).toBe(true)
  })

  it('keeps the installation words in its own namespace without packages: write', () => {
    const w = world()
    w.tokens.github!.packages = 'read'
    const d = authorize(w, { type: 'token', token: w.tokens.github! }, 'ylee88/qmcpack', 'write')
    expect(d).toMatchObject({ allow: false, message: MSG.orgCreate })
  })
})
