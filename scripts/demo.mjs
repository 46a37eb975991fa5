#!/usr/bin/env node
// The main job on an embedded default, for a newcomer (README: first command).
// 1. The offline lint over examples/ (workflows with deliberate mistakes).
// 2. The preflight itself, the committed dist/index.js, run as the runner would against the
//    test rig (a real registry behind the GHCR emulator), on the case this project was born
//    from: the package is linked to another repository, so the run's token is refused, and a
//    verified GHCR_TOKEN fallback is exported instead.

import { spawnSync } from 'node:child_process'
import { pushWorkflow, runAction, runnerEnv, ROOT } from './lib/action-process.mjs'
import { startRig } from '../rig/index.mjs'

const cli = spawnSync(process.execPath, ['dist/cli/index.js', 'lint', 'examples'], {
  cwd: ROOT,
  encoding: 'utf8',
})
console.log(
  '== 1. ghcr-preflight lint examples   (offline; exit status 1 means error findings, as intended here)\n',
)
console.log(cli.stdout.trimEnd())
if (cli.status !== 0 && cli.status !== 1) {
  console.error(cli.stderr)
  process.exit(1)
}

const workflow = pushWorkflow({ image: 'ghcr.io/craigedmunds/backstage', fallback: true })
const rig = await startRig()
try {
  const { tokens } = rig.setWorld({
    repository: 'craigedmunds/argocd-eda',
    github: {
      owners: { craigedmunds: 'user' },
      tokens: {
        github: { kind: 'actions', packages: 'write' },
        pat: {
          kind: 'classic',
          owner: 'craigedmunds',
          scopes: ['write:packages', 'read:packages'],
        },
      },
      packages: [
        {
          owner: 'craigedmunds',
          name: 'backstage',
          repository: 'craigedmunds/other-repo',
          visibility: 'private',
          actions_access: { 'craigedmunds/other-repo': 'write' },
        },
      ],
    },
  })
  const run = await runAction({
    inputs: {
      image: 'ghcr.io/craigedmunds/backstage',
      'github-token': tokens.github,
      'fallback-token': tokens.pat,
    },
    env: runnerEnv({
      repository: 'craigedmunds/argocd-eda',
      apiUrl: rig.apiUrl,
      registryUrl: rig.registryUrl,
    }),
    files: { '.github/workflows/build.yml': workflow },
  })
  console.log(
    '\n== 2. the preflight (dist/index.js) against the rig: package linked to another repository, GHCR_TOKEN fallback\n',
  )
  console.log(run.stdout.replace(/^::add-mask::.*\n/gm, '').trimEnd())
  const o = run.outputs
  console.log(
    `\noutputs: result=${o.result} can-push=${o['can-push']} credential-source=${o['credential-source']} username=${o.username} images=${o.images}`,
  )
  const push = await rig.skopeoPush({
    image: 'craigedmunds/backstage',
    tag: 'demo',
    username: o.username,
    password: o.password,
  })
  console.log(
    `skopeo push with the exported credential: ${push.ok ? 'pushed' : `failed: ${push.stderr}`}`,
  )
  if (o.result !== 'fallback' || !push.ok) process.exitCode = 1
} finally {
  await rig.stop()
}
