#!/usr/bin/env bash
# Make arm64 images runnable (qemu-user-static + binfmt_misc) and leave static busybox
# binaries for amd64 and arm64 in $JINDR_RIG_DIR (default /var/cache/jindr-rig), from
# which the tests build their two-platform images.
set -euo pipefail
dir=${JINDR_RIG_DIR:-/var/cache/jindr-rig}
mkdir -p "$dir"
need_pkgs=()
[ -x /usr/bin/qemu-aarch64-static ] || need_pkgs+=(qemu-user-static)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
command -v skopeo >/dev/null || need_pkgs+=(skopeo)
command -v htpasswd >/dev/null || need_pkgs+=(apache2-utils)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then dpkg --add-architecture arm64; updated=; fi
if [ ${#need_pkgs[@]} -gt 0 ] || [ ! -s "$dir/busybox-arm64" ]; then
  apt-get update -qq
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
cp /bin/busybox "$dir/busybox-amd64"
if [ ! -s "$dir/busybox-arm64" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq busybox-static:arm64 >/dev/null && dpkg -x busybox-static_*_arm64.deb x)
  cp "$tmp/x/bin/busybox" "$dir/busybox-arm64"
  rm -rf "$tmp"
fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  cat /usr/lib/binfmt.d/qemu-aarch64.conf >/proc/sys/fs/binfmt_misc/register
fi
