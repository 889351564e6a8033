#!/usr/bin/env bash
# Installs Ceph (ceph-mon, ceph-osd, radosgw) for the test suite's local S3 server, without
# root: the .deb files of those packages and of their dependencies missing on this machine
# are fetched with `apt-get download` and unpacked with `dpkg -x` into .cache/ceph/root.
# Idempotent: does nothing once the stamp file exists; `--force` unpacks again (e.g. after
# a Debian point release).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$repo_root/.cache/ceph"
root="$cache/root"
stamp="$root/.cti-installed"
wanted=(ceph-mon ceph-osd radosgw)

log() { printf 'ceph install: %s\n' "$*" >&2; }

mkdir -p "$cache"
# Two test runs starting at once must not unpack into the same directory.
exec 9>"$cache/install.lock"
flock 9

if [[ -f "$stamp" && "${1:-}" != --force ]]; then
  log "already installed in $root ($(tr '\n' ' ' <"$stamp"))"
  exit 0
fi

# apt options: the machine's package lists when readable, otherwise a private copy that
# `apt-get update` can fill without root (a fresh image may ship without lists).
apt_opts=()
if ((EUID == 0)); then apt_opts+=(-o APT::Sandbox::User=root); fi # no warning about _apt
if ! apt-cache show radosgw >/dev/null 2>&1; then
  log "no usable apt package lists; fetching a private copy into $cache/apt"
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial"
  apt_opts+=(-o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt" -o Debug::NoLocking=1)
  apt-get "${apt_opts[@]}" -qq update
fi

# Package states and the dependency graph are read once: one apt-cache call per package
# would take minutes.
declare -A is_installed=() depends_of=()
while read -r name status; do
  [[ "$status" == installed ]] && is_installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n')
current=""
while IFS= read -r line; do
  if [[ "$line" != " "* ]]; then
    current="$line"
  elif [[ -n "$current" ]]; then
    depends_of[$current]+="$line"$'\n'
  fi
done < <(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances "${wanted[@]}")

# Prints the alternative to follow in an OR group (or the provider of a virtual package),
# or nothing when one of them is installed.
pick() {
  local alt name
  (($#)) || return 0
  for alt in "$@"; do
    name="${alt#<}"; name="${name%>}"; name="${name%:any}"
    [[ -n "${is_installed[$name]:-}" ]] && return 0
  done
  printf '%s\n' "$1"
}

# Walks the Depends/PreDepends graph from the wanted packages, stopping at packages that
# are installed on this machine. Of alternatives ("a | b") the first is taken unless one is
# installed; a virtual package is replaced by its first provider.
resolve() {
  local -A seen=()
  local queue=("${wanted[@]}") pkg line dep virtual group providers
  while ((${#queue[@]})); do
    pkg="${queue[0]}"
    queue=("${queue[@]:1}")
    [[ -n "${seen[$pkg]:-}" || -n "${is_installed[$pkg]:-}" ]] && continue
    seen[$pkg]=1
    printf '%s\n' "$pkg"
    group=() providers=() virtual=""
    # An OR group ends at a line without the leading "|"; the lines indented further
    # below a virtual package name are its providers.
    while IFS= read -r line; do
      if [[ "$line" =~ ^\ {4}([^ ]+)$ ]]; then
        [[ -n "$virtual" ]] && providers+=("${BASH_REMATCH[1]}")
        continue
      fi
      [[ -n "$virtual" ]] && queue+=($(pick "${providers[@]}"))
      virtual="" providers=()
      if [[ "$line" =~ ^\ ([ |])(Depends|PreDepends):\ (.*)$ ]]; then
        group+=("${BASH_REMATCH[3]}")
        if [[ "${BASH_REMATCH[1]}" != "|" ]]; then
          dep="$(pick "${group[@]}")"
          group=()
          if [[ "$dep" == \<*\> ]]; then virtual="$dep"; elif [[ -n "$dep" ]]; then queue+=("$dep"); fi
        fi
      fi
    done <<<"${depends_of[$pkg]:-}"
  done
}

mapfile -t packages < <(resolve | sort -u)
log "${#packages[@]} packages to fetch: ${packages[*]}"

debs="$cache/debs"
rm -rf "$debs"
mkdir -p "$debs"
(cd "$debs" && apt-get "${apt_opts[@]}" -qq download "${packages[@]}")

staging="$cache/root.tmp-$$"
rm -rf "$staging"
mkdir -p "$staging"
for p in "${packages[@]}"; do
  deb=("$debs/${p}"_*.deb)
  dpkg -x "${deb[0]}" "$staging"
done
rm -rf "$root"
mv "$staging" "$root"
for p in "${wanted[@]}"; do dpkg-deb -W --showformat='${Package}=${Version}\n' "$debs/${p}"_*.deb; done >"$stamp"
rm -rf "$debs"
log "unpacked into $root ($(du -sh "$root" | cut -f1))"
