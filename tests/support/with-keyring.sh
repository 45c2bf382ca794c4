#!/bin/sh
# Runs a command on a private D-Bus session with a real, unlocked GNOME keyring (the
# Secret Service QtKeychain talks to), so keychain tests never touch the user's own.
#   tests/support/with-keyring.sh ./tst_token_store
set -eu
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "with-keyring.sh: needs dbus-run-session and gnome-keyring-daemon (tools/deps.sh test)" >&2
    exit 1
fi
# A keyring of its own: the daemon keeps its files under $XDG_DATA_HOME/keyrings.
scratch=$(mktemp -d -t tidings-keyring.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" HOME="$scratch"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- sh -c '
    printf tidings-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"' sh "$@"
