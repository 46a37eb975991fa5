#!/usr/bin/env node
// `npm run corpus [-- FILE-PATTERN]`: replays the real-failure corpus through the built bundle and
// prints what was found, every miss and false pass, and every case too thin to build. The same
// replay runs in `npm test` (__tests__/corpus/replay.test.ts), which requires the cause named in
// >= 95% of the cases it can build, >= 85% of the corpus buildable, and 0 false passes. CORPUS_VERBOSE=1 prints every case.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { emulatorAnswer, formatReport, loadCorpus, replayCorpus } from './lib/corpus-replay.mjs'
import { startRig } from '../rig/index.mjs'
import * as world from '../rig/world.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const only = process.argv[2] ? new RegExp(process.argv[2], 'i') : undefined
const cases = loadCorpus(join(root, 'corpus', 'failures')).filter((c) => !only || only.test(c.file))
const rig = await startRig()
try {
  const report = await replayCorpus({ rig, cases })
  if (process.env.CORPUS_VERBOSE) {
    for (const r of report.rows) {
      console.log(
        `${r.thin !== undefined ? 'thin' : r.found ? 'ok  ' : 'MISS'} ${r.file} [${r.cause}] ${r.thin ?? `${r.how || '-'} | ${r.got}`}`,
      )
    }
  }
  console.log(formatReport(report))
  const compared = cases.map((c) => ({ file: c.file, ...emulatorAnswer(c, world) }))
  const comparable = compared.filter((r) => r.comparable)
  const differ = comparable.filter((r) => !r.same)
  console.log(
    `the rig's rules against the corpus: ${comparable.length - differ.length}/${comparable.length} agree (${cases.length - comparable.length} cases not determined by their facts)`,
  )
  for (const r of differ) console.log(`  differs ${r.file}: ghcr.io ${r.real}, rig ${r.rig}`)
  process.exitCode =
    report.falsePasses > 0 || report.accuracy < 0.95 || report.builtShare < 0.85 || differ.length
      ? 1
      : 0
} finally {
  await rig.stop()
}
