#!/usr/bin/env bash
# The Debian package on a fresh Debian 12: `cpack -G DEB` from build/, a minimal bookworm made by
# debootstrap from Debian's mirror in a temporary folder, `apt-get install ./pushbench_*.deb`
# there (apt brings the package's dependencies), then `pushbench run ci` from the installed paths
# inside it, as a user (not root) in their home folder. Everything it mounts and makes is
# removed on exit, Ctrl-C included. Needs root and Debian's mirror; takes a few minutes (most of
# it debootstrap and apt).
#   scripts/package_test.sh [SCENARIO]      (default: ci)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-ci}
mirror=http://deb.debian.org/debian
[[ $(id -u) -eq 0 ]] || { echo "package_test: needs root (debootstrap, chroot)" >&2; exit 2; }
scripts/setup.sh release >/dev/null
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

(cd build && cpack -G DEB >/dev/null)
deb=$(ls -t build/pushbench_*.deb | head -1)
root=$(mktemp -d /tmp/pushbench-fresh.XXXXXX)
chmod 755 "$root"  # the fresh system's /, which its users (and apt's _apt) traverse
cleanup() {
  for mount in proc sys dev; do umount -l "$root/$mount" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT INT TERM

echo "package_test: a fresh bookworm in $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { cat "$root.log" >&2; exit 1; }
rm -f "$root.log"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"

echo "package_test: apt-get install ./$(basename "$deb")" >&2
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/$(basename "$deb")" >/dev/null
echo "package_test: pushbench run $scenario, from /usr/bin/pushbench, as a user in their home" >&2
chroot "$root" useradd --create-home bench
chroot "$root" runuser -u bench -- sh -c 'cd /home/bench && /usr/bin/pushbench run "$1"' sh "$scenario"
chroot "$root" sh -c 'test -f /home/bench/results/*/summary.md'  # results/ where it ran
echo "package_test: $(basename "$deb") installs on a fresh Debian 12 and runs '$scenario'" >&2
