#!/usr/bin/env bash
# Builds a local base image for the Dockerfile where no container registry is reachable:
# Debian bookworm (mmdebstrap, minbase) plus this machine's /usr/bin/node, imported into podman.
# Cached: an image of that name already present is reused. Prints the image name.
#   deploy/base-image.sh [name]        (root; CONTAINERS_CONF as for podman)
set -euo pipefail
node_version=$(/usr/bin/node --version)
name=${1:-localhost/keyward-base:bookworm-node${node_version#v}}
if podman image exists "$name"; then
  echo "$name"
  exit 0
fi
rootfs=$(mktemp --suffix=.tar)
trap 'rm -f "$rootfs"' EXIT
# node from nodesource/official builds needs only libc and libstdc++ (both in minbase).
mmdebstrap --quiet --variant=minbase --include=ca-certificates \
  --customize-hook='copy-in /usr/bin/node /usr/bin' bookworm "$rootfs" >&2
podman import --quiet "$rootfs" "$name" >/dev/null
echo "$name"
