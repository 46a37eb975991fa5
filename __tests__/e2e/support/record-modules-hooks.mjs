// Module hooks for record-modules.mjs (they run on Node's hooks thread): log each resolved URL.
import { appendFileSync } from 'node:fs'

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context)
  appendFileSync(process.env.GHCR_PREFLIGHT_MODULE_LOG, `${result.url}\n`)
  return result
}
