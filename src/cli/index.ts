#!/usr/bin/env node
// Entry of the `ghcr-preflight` command (bundled by ncc into dist/cli/index.js).

import { defaultDiagnoseIo, runDiagnose } from './diagnose.js'
import { main } from './main.js'

// `ghcr-preflight lint | head` closes the pipe early: stop quietly instead of printing a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

const argv = process.argv.slice(2)
// diagnose may download logs (--run), so it is the one asynchronous command.
process.exitCode =
  argv[0] === 'diagnose' ? await runDiagnose(argv.slice(1), defaultDiagnoseIo()) : main(argv)
