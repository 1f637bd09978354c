#!/usr/bin/env bash
# Installs docker-jindr as a Docker CLI plugin, so that `docker jindr ...` works:
#   ./install.sh               build dist/docker-jindr if it is missing or older than the
#                              sources, then put it in ${DOCKER_CONFIG:-~/.docker}/cli-plugins/
#   ./install.sh --uninstall   remove it from there
# Running it again is harmless: it replaces the plugin in one step (rename), or says it is
# already up to date.
set -euo pipefail

usage() {
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
}

action=install
case "${1:-}" in
  '') ;;
  --uninstall) action=uninstall ;;
  -h | --help) usage; exit 0 ;;
  *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
target="$plugins/docker-jindr"
built="$root/dist/docker-jindr"

if [ "$action" = uninstall ]; then
  if [ -e "$target" ] || [ -L "$target" ]; then
    rm -f "$target"
    echo "removed $target"
  else
    echo "docker-jindr is not installed in $plugins: nothing to remove"
  fi
  exit 0
fi

# Is the executable missing, or older than anything it is built from?
needs_build() {
  [ -x "$built" ] || return 0
  local newer
  newer=$(cd "$root" && find src build plugin-metadata package.json package-lock.json -newer "$built" -type f -print -quit 2>/dev/null)
  [ -n "$newer" ]
}

if needs_build; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "install.sh: building docker-jindr needs npm (Node.js); install it and run ./install.sh again" >&2
    exit 1
  fi
  cd "$root"
  if [ ! -x node_modules/.bin/node ] || [ ! -d node_modules/esbuild ]; then
    echo "installing build dependencies (npm ci)..."
    npm ci --no-audit --no-fund --loglevel=error
  fi
  echo "building dist/docker-jindr..."
  npm run --silent build
fi

mkdir -p "$plugins"
if cmp -s "$built" "$target"; then
  echo "docker-jindr $("$target" --version) is already installed as $target"
else
  # Copy next to the target and rename: a docker command running meanwhile sees either
  # the old plugin or the new one, never a partial file.
  tmp=$(mktemp "$plugins/.docker-jindr.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  cp "$built" "$tmp"
  chmod 755 "$tmp"
  mv -f "$tmp" "$target"
  trap - EXIT
  echo "installed docker-jindr $("$target" --version) as $target"
fi

if ! command -v docker >/dev/null 2>&1; then
  echo "note: no docker command on PATH; install the Docker CLI to use 'docker jindr'" >&2
fi
