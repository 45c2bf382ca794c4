#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Tidings needs, when any is missing; quick and silent
# when everything is there. Used by tools/run and tools/test (see README.md).
#   tools/deps.sh run    what building and running the product needs
#   tools/deps.sh test   that, plus what the tests need
#   tools/deps.sh fuzz   what building the product needs, plus clang and libFuzzer (the fuzz preset)
set -euo pipefail

purpose=${1:-test}

build_packages=(
    cmake ninja-build g++ ccache mold pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev libsodium-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql libpq-dev libhiredis-dev qt6-qpa-plugins libgl-dev
    qtkeychain-qt6-dev libsecret-1-0 libcurl4-openssl-dev libssl-dev libqrencode-dev
    qt6-multimedia-dev gstreamer1.0-plugins-good
    curl
)
# The tests make a TLS certificate with openssl, render the UI offscreen with real fonts,
# keep tokens in a real keyring on a private D-Bus session and make a small video with
# GStreamer's gst-launch-1.0.
# The cluster tests start real PostgreSQL, Redis and HAProxy servers of their own.
# The packaging tests check the desktop entry and the AppStream metadata with their validators,
# the relay's systemd unit with systemd-analyze, and make the .debs (dpkg-shlibdeps) and check
# them with lintian.
test_packages=(openssl fonts-dejavu-core dbus gnome-keyring gstreamer1.0-tools libnghttp2-dev
               postgresql redis-server haproxy desktop-file-utils appstream systemd groff-base
               dpkg-dev lintian)
# The fuzz preset builds with clang-14; libclang-rt-14-dev carries libFuzzer and the sanitizers.
fuzz_packages=(clang-14 libclang-rt-14-dev)

packages=("${build_packages[@]}")
[ "$purpose" = test ] && packages+=("${test_packages[@]}")
[ "$purpose" = fuzz ] && packages+=("${fuzz_packages[@]}")

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "tidings: not a Debian/Ubuntu system; install the packages listed in README.md yourself." >&2
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "tidings: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "tidings: error: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi
log=$(mktemp -t tidings-deps.XXXXXX.log)
if ! { "${sudo[@]}" apt-get update -q &&
       DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "tidings: error: installing packages failed (full log: $log)" >&2
    exit 1
fi
rm -f "$log"
echo "tidings: packages installed"
