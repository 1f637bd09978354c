#!/bin/sh
# docker-jindr in its plain-Node form, for platforms where no single executable can be
# built: runs jindr.cjs, the same bundle the executable holds, next to this file, with
# the machine's Node.js, which must be 24 or later. Installed by ./install.sh --plain-node.
# The Docker CLI's metadata request is answered here, without Node: it comes before every
# `docker jindr ...`, and with an old Node the user then sees the refusal below.
if [ "$#" -eq 1 ] && [ "$1" = docker-cli-plugin-metadata ]; then
  printf '%s\n' '@METADATA@'
  exit 0
fi
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=$(dirname "$self")/$link ;;
  esac
done
version=$(node --version 2>/dev/null) || version=
major=${version#v}
major=${major%%.*}
case $major in '' | *[!0-9]*) major=0 ;; esac
if [ "$major" -lt 24 ]; then
  if [ -n "$version" ]; then found="the node on PATH is $version"; else found='no node on PATH'; fi
  echo "docker-jindr: needs Node.js 24 or later ($found): install Node.js 24 from https://nodejs.org, or run ./install.sh again for a single executable" >&2
  exit 1
fi
exec node "$(dirname "$self")/jindr.cjs" "$@"
