// Runs the action's bundle (dist/index.js, what preflight/action.yml runs) in a `run:` step, the
// way the runner runs `uses: ./preflight`: inputs as INPUT_* variables, outputs to GITHUB_OUTPUT,
// annotations on stdout. e2e.yml uses it for its deliberately misconfigured jobs (a read-only
// token, a bad fallback PAT): run through `uses:`, the project's own linter would rightly flag
// those jobs, and this repository keeps its workflows lint-clean.
// Inputs come from E2E_INPUT_<NAME> (NAME with underscores for hyphens: E2E_INPUT_GITHUB_TOKEN →
// the github-token input), since hyphenated variable names cannot be set from a workflow's env.
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

for (const [key, value] of Object.entries(process.env)) {
  const m = /^E2E_INPUT_([A-Z0-9_]+)$/.exec(key)
  if (m) process.env[`INPUT_${m[1].replace(/_/g, '-')}`] = value ?? ''
}
const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js')
await import(pathToFileURL(bundle).href)
