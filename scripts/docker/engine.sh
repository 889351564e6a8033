#!/bin/sh
# Makes a Docker engine answer on this machine (idempotent; run as root). The container tests
# (test/task/image.it.test.ts and the Fargate-run tests) need one, and CI starts on a fresh clone
# with nothing running (.ci/run calls this before `npm test`).
# - installs Debian's docker.io and debootstrap (scripts/docker/base-images.sh builds the
#   stand-in base images with it) when missing;
# - starts dockerd when no daemon answers: no default bridge and no iptables rules, so containers
#   use `--network host` or `--network none` only, and nothing is routed to private ranges;
# - waits until `docker info` works.
set -eu
cd "$(dirname "$0")/../.."
log_dir=.cache/docker
mkdir -p "$log_dir"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "engine.sh: docker.io and debootstrap are missing and installing them needs root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "engine.sh: no Docker daemon answers and starting one needs root" >&2
  exit 1
fi
echo "engine.sh: starting dockerd (log: $log_dir/dockerd.log)" >&2
# setsid: the daemon outlives this script and the CI step's process group.
setsid dockerd --bridge=none --iptables=false >>"$log_dir/dockerd.log" 2>&1 </dev/null &

waited=0
until docker info >/dev/null 2>&1; do
  if [ "$waited" -ge 60 ]; then
    echo "engine.sh: dockerd did not answer within 60 s; see $log_dir/dockerd.log" >&2
    tail -n 20 "$log_dir/dockerd.log" >&2 || true
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
