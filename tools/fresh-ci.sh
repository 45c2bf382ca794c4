#!/usr/bin/env bash
# Runs .ci/run on a clean clone inside a fresh Debian chroot, as CI would on a new machine,
# and prints how long it took. A developer tool, not part of the quick start.
#   sudo tools/fresh-ci.sh              Debian 12 (bookworm, Qt 6.4)
#   sudo tools/fresh-ci.sh trixie       Debian 13 (Qt 6.8): checks the build on current Qt
# Needs root and debootstrap; the chroot is kept in /var/tmp/tidings-chroot-<suite> for reuse.
set -euo pipefail

suite=${1:-bookworm}
root=/var/tmp/tidings-chroot-$suite
source_dir=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" -eq 0 ] || { echo "fresh-ci: run as root (chroot needs it)" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap

if [ ! -x "$root/bin/bash" ]; then
    echo "fresh-ci: bootstrapping Debian $suite into $root"
    debootstrap --variant=minbase "$suite" "$root" http://deb.debian.org/debian >/dev/null
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
for fs in proc dev dev/pts sys; do
    mountpoint -q "$root/$fs" && continue
    if [ "$fs" = proc ]; then mount -t proc proc "$root/proc"; else mount --bind "/$fs" "$root/$fs"; fi
done
trap 'for fs in sys dev/pts dev proc; do umount "$root/$fs" 2>/dev/null || true; done' EXIT

rm -rf "$root/root/tidings"
git clone -q "$source_dir" "$root/root/tidings"
start=$(date +%s)
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c 'cd /root/tidings && .ci/run'
echo "fresh-ci: Debian $suite, clean clone: .ci/run passed in $(( $(date +%s) - start )) s"
