#!/usr/bin/env bash
# Setup for development and CI (README, first command): the Debian packages the test rig drives
# (docker-registry = the real registry, skopeo = the real client), then the npm dependencies.
# Safe to run again: apt-get runs only when a binary is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
[ -x /usr/bin/skopeo ] || missing+=(skopeo)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: as root run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci

# Node 24 is what the runner uses (runs.using: node24); the tests run the bundle under it too.
npx -y node@24 --version >/dev/null

# Show the main job on an embedded default: the lint over examples/ and one preflight run
# against the test rig (see scripts/demo.mjs).
node scripts/demo.mjs
