// Asserts the outputs of a ghcr-preflight step in e2e.yml (contracts §3), read from the
// environment: RESULT, CAN_PUSH, SOURCE, IMAGES, FINDINGS and, for a step that may fail,
// OUTCOME. The image is ghcr.io/<owner, lower-cased>/ghcr-preflight-e2e. Usage: node assert-outputs.mjs <result> <credential-source> [finding id]
// Prints every mismatch as a workflow error and exits 1; never prints a credential (the
// password output is not read).
const [result, source, findingId] = process.argv.slice(2)
const env = process.env
const problems = []
const expect = (what, got, want) => {
  if (got !== want)
    problems.push(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
}
expect('result', env.RESULT, result)
expect('credential-source', env.SOURCE, source)
expect('can-push', env.CAN_PUSH, String(result === 'ready' || result === 'fallback'))
expect(
  'images',
  env.IMAGES,
  `ghcr.io/${(env.GITHUB_REPOSITORY_OWNER ?? '').toLowerCase()}/ghcr-preflight-e2e`,
)
if (env.OUTCOME !== undefined)
  expect('step outcome', env.OUTCOME, result === 'fail' ? 'failure' : 'success')
let findings = []
try {
  findings = JSON.parse(env.FINDINGS || '[]')
  if (!Array.isArray(findings)) throw new Error('not an array')
} catch (e) {
  problems.push(`findings is not a JSON array: ${e.message}`)
}
if (findingId && !findings.some((f) => f.id === findingId && f.severity === 'error')) {
  problems.push(
    `findings: expected an error ${findingId}, got ${findings.map((f) => `${f.id} (${f.severity})`).join(', ') || 'none'}`,
  )
}
if (!findingId && (result === 'ready' || result === 'fallback')) {
  const errors = findings.filter((f) => f.severity === 'error')
  if (errors.length > 0)
    problems.push(`findings: no error expected, got ${errors.map((f) => f.id).join(', ')}`)
}
for (const p of problems) console.log(`::error title=e2e assertion::${p}`)
console.log(
  problems.length === 0
    ? `outputs as expected: result=${env.RESULT}, credential-source=${env.SOURCE}`
    : `${problems.length} assertion(s) failed`,
)
process.exitCode = problems.length === 0 ? 0 : 1
