#!/usr/bin/env bash
# Fails when the committed dist/ (or docs/findings.md) differs from a fresh build of the sources:
# users and CI run the committed bundle, so it must be exactly what src/ builds to.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
BUILD_OUT="$tmp/dist" bash scripts/build.sh >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
if ! diff -r -q dist "$tmp/dist" >"$tmp/diff.txt"; then
  echo "dist/ is stale: it differs from a fresh build of src/. Run \`npm run build\` and commit dist/."
  cat "$tmp/diff.txt"
  exit 1
fi
if ! cmp -s docs/findings.md "$tmp/findings.md"; then
  echo "docs/findings.md is stale: run \`npm run build\` and commit it."
  exit 1
fi
echo "dist/ and docs/findings.md match a fresh build."
