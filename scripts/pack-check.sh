#!/usr/bin/env bash
# The npm package as a user gets it (`npx ghcr-preflight`): `npm pack`, then
#  1. the tarball alone, unpacked with no node_modules anywhere near it: the CLI must run, which
#     proves it needs no runtime dependency (dist/ is bundled), and every bare import in dist/
#     must be a Node built-in;
#  2. the tarball installed into an empty folder the way npx installs it (production
#     dependencies only, --omit=dev), then run through its bin with `npx ghcr-preflight`.
# Runs on whatever `node` is first on PATH: CI runs it on every supported Node version.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tgz=$(npm pack --silent --pack-destination "$tmp" | tail -n 1)
echo "pack-check: $tgz on node $(node --version)"
tar -tzf "$tmp/$tgz" | sed 's/^/  /'

# A workflow with one error finding (packages: read on a job that pushes), one clean.
mkdir -p "$tmp/project/.github/workflows"
cat >"$tmp/project/.github/workflows/build.yml" <<'YAML'
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      packages: read
    steps:
      - run: docker push ghcr.io/acme/app:1
YAML

expect_lint() { # $1: how the CLI is started; the rest: the command line
  local how=$1 out code
  shift
  set +e
  out=$(cd "$tmp/project" && "$@" lint --format json 2>&1)
  code=$?
  set -e
  if [ "$code" -ne 1 ] || ! grep -q '"id": *"packages-permission-missing"' <<<"$out"; then
    echo "pack-check: $how: expected exit 1 with packages-permission-missing, got exit $code:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "pack-check: $how: lint found packages-permission-missing (exit 1)"
}

# 1. The tarball alone: no node_modules, no npm.
mkdir "$tmp/bare"
tar -xzf "$tmp/$tgz" -C "$tmp/bare"
cli="$tmp/bare/package/dist/cli/index.js"
node "$cli" --version | grep -qx "$(node -p "require('$root/package.json').version")"
expect_lint "unpacked tarball, no dependencies" node "$cli"
node --input-type=module - "$tmp/bare/package/dist" <<'JS'
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
const dir = process.argv[2]
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
const files = readdirSync(dir, { recursive: true }).filter((f) => /\.(c|m)?js$/.test(f))
const bare = new Set()
for (const f of files) {
  const text = readFileSync(join(dir, f), 'utf8')
  // ES imports, dynamic imports, require(), and createRequire(import.meta.url)(…) as ncc emits
  // them; only a package-shaped name counts (a minified call such as f("text") is not an import).
  const forms = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\(import\.meta\.url\)\s*\(\s*)["']([^"']*)["']/g
  const packageName = /^(?:node:)?(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w./-]*)?$/
  for (const m of text.matchAll(forms)) {
    if (packageName.test(m[1]) && !builtins.has(m[1])) bare.add(`${f}: ${m[1]}`)
  }
}
if (bare.size) {
  console.error(`pack-check: dist/ imports packages that are not bundled:\n${[...bare].join('\n')}`)
  process.exit(1)
}
console.log(`pack-check: dist/ (${files.length} files) imports only Node built-ins`)
JS

# 2. As npx installs it: into an empty folder, production dependencies only.
mkdir "$tmp/user"
(cd "$tmp/user" && npm init -y >/dev/null && npm install --omit=dev --no-audit --no-fund --loglevel=error "$tmp/$tgz" >/dev/null)
deps=$(cd "$tmp/user" && npm ls --omit=dev --all --parseable 2>/dev/null | sed "s|^$tmp/user/\?||" | grep -v '^$' | grep -vx 'node_modules/ghcr-preflight' || true)
echo "pack-check: installed with the package: ${deps:-nothing else}" | tr '\n' ' '
echo
expect_lint "npm install <tarball> then npx" npx --prefix "$tmp/user" --no-install ghcr-preflight
echo "pack-check: ok"
