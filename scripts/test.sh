#!/usr/bin/env bash
# The whole test suite (`npm test`, and what CI runs): format and lint, typecheck, dist is
# current, jest (unit, rig and end-to-end tests of the built bundle under Node 20 and 24), and
# the scenarios against the rig. Every step runs; every failing test is named (with the first
# line of its failure) before the last line, which totals them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
passed=0
failed=0
step() {
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! step failed: $name"; fi
}
step "format and lint" npm run -s lint
step "typecheck" npm run -s typecheck
step "dist is current" bash scripts/check-dist.sh
step "npm package installs and runs alone" bash scripts/pack-check.sh
jest_json=.tmp/jest.json
rm -f "$jest_json"
printf '\n== jest\n'
NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 npx jest --json --outputFile="$jest_json" >.tmp/jest.log 2>&1
jest_rc=$?
tail -n 60 .tmp/jest.log
if [ -f "$jest_json" ]; then
  # Every failing test by name with the first line of its failure, and every suite that could
  # not run: the tail above cuts them off when many fail (the full log is .tmp/jest.log).
  counts=$(
    node --input-type=module - "$jest_json" <<'JS'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
const r = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const firstLine = (text) =>
  (text ?? '')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('●')) ?? ''
const lines = []
for (const suite of r.testResults) {
  const file = relative(process.cwd(), suite.name)
  if (suite.status === 'failed' && suite.assertionResults.every((a) => a.status !== 'failed')) {
    lines.push(`FAIL ${file}: the suite did not run: ${firstLine(suite.message)}`)
  }
  for (const a of suite.assertionResults) {
    if (a.status === 'failed') lines.push(`FAIL ${file} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`)
  }
}
if (lines.length) console.error(`\n${lines.length} jest failure(s):\n${lines.join('\n')}`)
const suitesFailedOutright = r.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed'),
).length
process.stdout.write(`${r.numPassedTests} ${r.numFailedTests + suitesFailedOutright}`)
JS
  )
  read -r jp jf <<<"$counts"
  passed=$((passed + ${jp:-0}))
  failed=$((failed + ${jf:-1}))
fi
[ "$jest_rc" -eq 0 ] || { [ "${jf:-1}" -gt 0 ] || failed=$((failed + 1)); }
printf '\n== scenarios\n'
node scripts/run-scenarios.mjs scenarios | tee .tmp/scenarios.log
sc=$(tail -n 1 .tmp/scenarios.log)
if [[ $sc =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
else
  failed=$((failed + 1))
fi
echo
echo "suite took $((SECONDS / 60)) min $((SECONDS % 60)) s (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
