#!/usr/bin/env bash
# Build stand-ins for Docker Hub's registry:2 and registry:3 from Debian's docker-registry
# (CNCF distribution 2.8.2), since no image can be pulled here. registry:3's stand-in has
# 3.x's layout (config at /etc/distribution/config.yml, deletes enabled), not its behaviour.
# Images that already exist are left alone, so a real registry image is never replaced.
set -euo pipefail
need=()
for tag in 2 3; do docker image inspect "registry:$tag" >/dev/null 2>&1 || need+=("$tag"); done
[ ${#need[@]} -eq 0 ] && exit 0
if [ ! -x /usr/bin/docker-registry ] || [ ! -x /bin/busybox ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry busybox-static >/dev/null
fi
# Debian starts a registry service on :5000 when the package is installed; we only want its binary.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
pkill -x docker-registry 2>/dev/null || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,lib/x86_64-linux-gnu,lib64,etc/docker/registry,etc/distribution,var/lib/registry,tmp}
cp /usr/bin/docker-registry "$root/bin/registry"
cp /lib/x86_64-linux-gnu/libc.so.6 "$root/lib/x86_64-linux-gnu/"
cp /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
cp /bin/busybox "$root/bin/busybox"
for cmd in sh find du ls cat rm mkdir echo sleep ps kill wget; do ln -sf busybox "$root/bin/$cmd"; done
cat >"$root/entrypoint.sh" <<'SH'
#!/bin/sh
set -e
case "$1" in
    *.yaml|*.yml) set -- registry serve "$@" ;;
    serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac
exec "$@"
SH
chmod +x "$root/entrypoint.sh"
config() {
  cat <<YML
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
$1http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
YML
}
config "" >"$root/etc/docker/registry/config.yml"
config "  delete:
    enabled: true
" >"$root/etc/distribution/config.yml"
for tag in "${need[@]}"; do
  if [ "$tag" = 2 ]; then cfg=/etc/docker/registry/config.yml; else cfg=/etc/distribution/config.yml; fi
  tar -C "$root" -c . | docker import \
    -c 'ENTRYPOINT ["/entrypoint.sh"]' -c "CMD [\"$cfg\"]" -c 'EXPOSE 5000' \
    -c 'VOLUME ["/var/lib/registry"]' -c 'ENV PATH=/bin' - "registry:$tag" >/dev/null
  echo "built stand-in registry:$tag"
done
