#!/usr/bin/env bash
# Set-up for a fresh Debian/Ubuntu machine: the system tools the fixers and tests run for real
# (git with git-http-backend, black, isort, flake8, pycodestyle, autopep8, Go's gofmt from golang-go,
# rustfmt and cargo for `cargo fmt`), then the npm packages
# (which bring Node 24 for the scripts and tests through the `node` devDependency).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git black isort flake8 pycodestyle python3-autopep8 golang-go rustfmt cargo)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
