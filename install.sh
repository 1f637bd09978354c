#!/usr/bin/env bash
# Installs docker-jindr as a Docker CLI plugin, so that `docker jindr ...` works:
#   ./install.sh               build the single executable dist/docker-jindr if it is missing or
#                              older than the sources, then put it in ${DOCKER_CONFIG:-~/.docker}/cli-plugins/
#   ./install.sh --plain-node  install the plain-Node form instead: a launcher and the bundle it
#                              runs with the machine's Node.js 24+ (where no single executable builds)
#   ./install.sh --uninstall   remove it from there
# Building needs Node.js 24 or later: node_modules' (npm ci installs it where npm has one for
# this platform), else the machine's `node`. Running it again is harmless: it replaces the
# plugin in one step (rename), or says it is already up to date.
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

action=install
form=sea
case "${1:-}" in
  '') ;;
  --plain-node) form=plain ;;
  --uninstall) action=uninstall ;;
  -h | --help) usage; exit 0 ;;
  *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
target="$plugins/docker-jindr"
# The plain-Node form's bundle, next to its launcher (a name the Docker CLI does not take for a plugin).
target_bundle="$plugins/jindr.cjs"

if [ "$action" = uninstall ]; then
  if [ -e "$target" ] || [ -L "$target" ]; then
    rm -f "$target" "$target_bundle"
    echo "removed $target"
  else
    echo "docker-jindr is not installed in $plugins: nothing to remove"
  fi
  exit 0
fi

# The major version of Node.js program $1, or 0.
node_major() {
  local v
  v=$("$1" --version 2>/dev/null) || v=
  v=${v#v}
  v=${v%%.*}
  case $v in '' | *[!0-9]*) echo 0 ;; *) echo "$v" ;; esac
}

# Node.js 24 or later to build with: node_modules' own, else the machine's.
find_node() {
  if [ -x "$root/node_modules/.bin/node" ] && [ "$(node_major "$root/node_modules/.bin/node")" -ge 24 ]; then
    echo "$root/node_modules/.bin/node"
  elif command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 24 ]; then
    command -v node
  else
    return 1
  fi
}

no_node24() {
  local found='no node on PATH'
  if command -v node >/dev/null 2>&1; then found="the node on PATH is $(node --version 2>/dev/null)"; fi
  echo "install.sh: building docker-jindr needs Node.js 24 or later and npm has none for this platform ($found): install Node.js 24 from https://nodejs.org and run ./install.sh again" >&2
  exit 1
}

# Is $1 missing, or older than anything it is built from?
needs_build() {
  [ -e "$1" ] || return 0
  local newer
  newer=$(cd "$root" && find src build plugin-metadata package.json package-lock.json -newer "$1" -type f -print -quit 2>/dev/null)
  [ -n "$newer" ]
}

# Builds with "$node" build/build.ts "$@".
build() {
  cd "$root"
  if [ ! -d node_modules/esbuild ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "install.sh: building docker-jindr needs npm and Node.js 24 or later; install them (https://nodejs.org) and run ./install.sh again" >&2
      exit 1
    fi
    echo "installing build dependencies (npm ci)..."
    npm ci --no-audit --no-fund --loglevel=error || exit 1
  fi
  node=$(find_node) || no_node24
  "$node" build/build.ts "$@"
}

if [ "$form" = sea ] && needs_build "$root/dist/docker-jindr"; then
  echo "building dist/docker-jindr..."
  if ! build; then
    echo "install.sh: no single executable could be built here; installing the plain-Node form instead (it runs with the node on PATH, which must be 24 or later)" >&2
    form=plain
  fi
fi
if [ "$form" = plain ] && needs_build "$root/dist/plain-node/jindr.cjs"; then
  echo "building dist/plain-node..."
  build --plain-node
fi

# Copies $1 next to $2 and renames it into place: a docker command running meanwhile sees
# either the old file or the new one, never a partial file.
put() {
  local tmp
  tmp=$(mktemp "$plugins/.docker-jindr.XXXXXX")
  cp "$1" "$tmp"
  chmod "$3" "$tmp"
  mv -f "$tmp" "$2"
}

mkdir -p "$plugins"
if [ "$form" = sea ]; then
  built="$root/dist/docker-jindr"
  up_to_date() { cmp -s "$built" "$target" && [ ! -e "$target_bundle" ]; }
else
  built="$root/dist/plain-node/docker-jindr"
  up_to_date() { cmp -s "$built" "$target" && cmp -s "$root/dist/plain-node/jindr.cjs" "$target_bundle"; }
fi
version() { "$target" --version 2>/dev/null || echo "(its version needs Node.js 24 or later on PATH)"; }
if up_to_date; then
  echo "docker-jindr $(version) is already installed as $target"
  exit 0
fi
if [ "$form" = sea ]; then
  put "$built" "$target" 755
  rm -f "$target_bundle"
else
  # The bundle first: the new launcher never starts without it.
  put "$root/dist/plain-node/jindr.cjs" "$target_bundle" 644
  put "$built" "$target" 755
fi
label=
[ "$form" = sea ] || label=' (plain-Node form)'
echo "installed docker-jindr $(version) as $target$label"
if [ "$form" = plain ] && [ "$(node_major node)" -lt 24 ]; then
  echo "note: the plain-Node form runs the node on PATH, which is not Node.js 24 or later: install Node.js 24 from https://nodejs.org" >&2
fi

if ! command -v docker >/dev/null 2>&1; then
  echo "note: no docker command on PATH; install the Docker CLI to use 'docker jindr'" >&2
fi
