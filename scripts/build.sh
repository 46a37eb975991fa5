#!/usr/bin/env bash
# Builds the action bundle and the CLI bundle with ncc, and renders docs/findings.md from the
# findings catalogue. BUILD_OUT redirects the output (scripts/check-dist.sh builds to a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BUILD_OUT:-dist}
docs=${BUILD_OUT:+$(dirname "$out")/findings.md}
docs=${docs:-docs/findings.md}
rm -rf "$out"
npx ncc build src/index.ts -o "$out" --minify --license licenses.txt --quiet
npx ncc build src/cli/index.ts -o "$out/cli" --minify --quiet
npx ncc build src/post.ts -o "$out/post" --minify --quiet
node "$out/cli/index.js" findings --format markdown >"$docs"
