#!/usr/bin/env bash
# The whole test suite (`npm test`, and what CI runs): format and lint, typecheck, dist is
# current, jest (unit, rig and end-to-end tests of the built bundle under Node 20 and 24), and
# the scenarios against the rig. Every step runs; the last line totals them.
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
jest_json=.tmp/jest.json
rm -f "$jest_json"
NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 npx jest --json --outputFile="$jest_json" 2>&1 | tail -n 60
jest_rc=${PIPESTATUS[0]}
if [ -f "$jest_json" ]; then
  jp=$(node -e "const r=require('./$jest_json');process.stdout.write(String(r.numPassedTests))")
  jf=$(node -e "const r=require('./$jest_json');process.stdout.write(String(r.numFailedTests+r.numRuntimeErrorTestSuites))")
  passed=$((passed + jp))
  failed=$((failed + jf))
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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
