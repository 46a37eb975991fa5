// Preloaded into the action with `--import` (NODE_OPTIONS): writes to GHCR_PREFLIGHT_MODULE_LOG
// every module the process loads, one per line: the URL of each ES module as it is resolved
// (dist/index.js, the chunk files ncc writes for `await import()`, node: built-ins imported as
// ES modules), and at exit `builtin:<name>` for each Node built-in in process.moduleLoadList
// (which also sees built-ins the bundle reaches through require, and Node's own fetch:
// `internal/deps/undici/undici`).
import { appendFileSync } from 'node:fs'
import { register } from 'node:module'

const log = process.env.GHCR_PREFLIGHT_MODULE_LOG
if (log) {
  register('./record-modules-hooks.mjs', import.meta.url)
  process.on('exit', () => {
    const builtins = process.moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => `builtin:${m.slice('NativeModule '.length)}`)
    appendFileSync(log, builtins.join('\n') + '\n')
  })
}
