#!/usr/bin/env bash
# Builds the action bundle and the CLI bundle with ncc, writes each bundle's third-party licence
# file, and renders docs/findings.md from the findings catalogue. BUILD_OUT redirects the output
# (scripts/check-dist.sh builds to a temp dir).
#
# The action's bundle is split: dist/index.js holds what every run needs, and ncc writes the
# code loaded with `await import()` (octokit, the proxy client, undici) as chunk files next to
# it (dist/NNN.index.js). They are part of dist/ and committed with it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BUILD_OUT:-dist}
docs=${BUILD_OUT:+$(dirname "$out")/findings.md}
docs=${docs:-docs/findings.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# src/runner/ imports a few files of toolkit packages by path, because the packages export only
# an index that loads far more (start-up). A package update that moves them must stop the build
# here, with the reason, not later with a bundler error.
missing=0
while IFS=: read -r file spec; do
  target=$(realpath -m "$(dirname "$file")/$spec")
  if [ ! -f "$target" ]; then
    echo "build: $file imports $spec, which does not exist (a dependency update moved it)." >&2
    missing=1
  fi
done < <(grep -roE --include='*.ts' "from '(\.\./)+node_modules/[^']+'" src |
  sed -E "s/from '([^']+)'/\1/")
if [ "$missing" -ne 0 ]; then
  echo "build: update the import in src/runner/ (and check __tests__/runner/ still passes)." >&2
  exit 1
fi

rm -rf "$out"
# Each bundle's module functions are wrapped for eager compilation (scripts/lib/eager-compile.mjs:
# --minify drops the parentheses that make V8 compile them once instead of twice).
# The three bundles are independent: built side by side (ncc is mostly single-threaded), each
# into a folder of its own (ncc deletes every .js under its output folder before writing, so a
# bundle inside another's folder would lose files), then put in place.
bundle() { # $1: entry, $2: name
  npx ncc build "$1" -o "$tmp/$2" --minify --quiet --stats-out "$tmp/$2.json" &&
    node scripts/lib/licenses.mjs "$tmp/$2.json" "$tmp/$2/licenses.txt"
}
bundle src/index.ts action &
action=$!
bundle src/cli/index.ts cli &
cli=$!
bundle src/post.ts post &
post=$!
failed=0
for pid in "$action" "$cli" "$post"; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || { echo "build: a bundle failed (above)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
mv "$tmp/action" "$out"
mv "$tmp/cli" "$out/cli"
mv "$tmp/post" "$out/post"
node scripts/lib/eager-compile.mjs "$out/index.js" "$out/cli/index.js" "$out/post/index.js"
node "$out/cli/index.js" findings --format markdown >"$docs"
