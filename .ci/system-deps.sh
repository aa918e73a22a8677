#!/bin/sh
# System packages the test suite needs: Chromium for the browser tests, wrk for
# the benchmark smoke runs, PostgreSQL (server binaries: the tests start a
# throwaway cluster of their own). Installed with apt-get when missing and we are root.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Please install these system packages first:$missing" >&2
    exit 1
fi
