#!/usr/bin/env bash
# Runs the test suite (`npm test`). As root, it runs inside a private network
# namespace with only loopback: the tests' mDNS multicast then never leaves the
# machine, and peers of a concurrent run cannot hear each other. Elsewhere the
# tests run as they are (their peers still use their own mDNS service tags).
set -euo pipefail
cd "$(dirname "$0")/.."
# The pinned Node 24 first, also when this script is run directly rather than by npm.
export PATH="$PWD/node_modules/.bin:$PATH"
if [ "$(id -u)" = 0 ] && [ -z "${MESH_TEST_NETNS:-}" ] && unshare --net true 2>/dev/null; then
  exec unshare --net env MESH_TEST_NETNS=1 bash -c \
    'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "$0" "$@"' "$0" "$@"
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find test -name '*.test.ts' -o -name '*.test.tsx' | sort)
exec node --import tsx --test --test-concurrency=2 --test-timeout=600000 "${files[@]}"
