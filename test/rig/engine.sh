#!/usr/bin/env bash
# Start a Docker engine if none answers. Installs Debian's docker.io when dockerd is missing.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
mkdir -p /var/log
nohup dockerd >/var/log/jindr-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "dockerd did not come up; see /var/log/jindr-dockerd.log" >&2
tail -20 /var/log/jindr-dockerd.log >&2
exit 1
