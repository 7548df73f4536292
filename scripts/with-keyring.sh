#!/usr/bin/env bash
# Runs a command with an unlocked Secret Service (gnome-keyring) on the
# current D-Bus session bus; meant to run inside `dbus-run-session`.
# The keyring lives in a throw-away XDG data directory.
set -euo pipefail
export XDG_DATA_HOME=$(mktemp -d)
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
eval "$(printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL
exec "$@"
