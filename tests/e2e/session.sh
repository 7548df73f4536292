#!/usr/bin/env bash
# Runs inside the private D-Bus session of the end-to-end suite: starts a
# notification server that records what it receives (python-dbusmock's
# notification_daemon template, with Debian's python3), then the flows under
# Xvfb. The flows read the server's log ($GUICHET_NOTIFY_LOG).
set -euo pipefail
export GUICHET_NOTIFY_LOG="$PWD/test-artifacts/e2e/notifications.log"
/usr/bin/python3 -m dbusmock --template notification_daemon -l "$GUICHET_NOTIFY_LOG" &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null \
        | grep -q "boolean true" && break
    sleep 0.2
done
scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1400x900x24" node --test --test-reporter=spec "$@" tests/e2e/flows.test.mjs
