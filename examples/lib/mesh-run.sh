# Shared by the examples' run.sh: a researcher and two volunteers on this
# machine, each with its own data dir in a temp dir, on loopback, under an
# mDNS tag of this run's own (peers of other runs on the LAN never join it).
# Source it with the example's short name:  source "$here/../lib/mesh-run.sh" NAME
#
# Then: run_project PUBLISH_ARGS... (starts two volunteers and the researcher,
# waits until the project is done, sets $project_id), export_result FORMAT
# FILE, and `node "$examples_lib/summary.mjs" "$work"` for the run's figures.
# Set finished=1 at the end: the temp dir is removed on success and kept,
# with every peer's log, otherwise. MESH_EXAMPLE_TIMEOUT (seconds, default
# 300) bounds the wait. The sourcing script sets `set -euo pipefail`.
examples_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$examples_lib/../.." && pwd)"
mesh=(node "$repo/bin/mesh.js")
loopback=(--listen /ip4/127.0.0.1/tcp/0)

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-example-$1.XXXXXX")"
export MESH_MDNS_SERVICE_TAG="mesh-example-$1-$$-$RANDOM"
pids=()
finished=0
project_id=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$finished" = 1 ]; then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for a background process, at most $2 seconds; 0 when it exited 0.
wait_for() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; return 124; fi
    sleep 0.2
  done
  wait "$pid"
}

# A field of a JSON file the example's make-inputs.mjs wrote: json_field FILE FIELD
json_field() { node -p "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).$2" "$1"; }

# Two volunteers, then `mesh publish ARGS... --until-done`; returns once the project is done.
run_project() {
  for v in 1 2; do
    "${mesh[@]}" volunteer --auto --accept-wgsl --until-done --json --data-dir "$work/volunteer-$v" "${loopback[@]}" >"$work/volunteer-$v.log" 2>&1 &
    pids+=($!)
  done
  echo "publishing; two volunteers compute it ..."
  "${mesh[@]}" publish "$@" --until-done --json --data-dir "$work/researcher" "${loopback[@]}" >"$work/researcher.log" 2>&1 &
  local researcher=$!
  pids+=($researcher)
  if ! wait_for "$researcher" "${MESH_EXAMPLE_TIMEOUT:-300}"; then
    echo "the researcher did not finish; its last lines:" >&2
    tail -n 20 "$work/researcher.log" >&2
    exit 1
  fi
  for pid in "${pids[@]:0:2}"; do wait_for "$pid" 20 || true; done
  project_id="$(grep '"event":"published"' "$work/researcher.log" | head -n 1 | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')"
}

# export_result FORMAT FILE: the verified result of the project run_project ran.
export_result() {
  "${mesh[@]}" export "$project_id" --format "$1" --out "$2" --data-dir "$work/researcher" >/dev/null
}
