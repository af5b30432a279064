#!/usr/bin/env bash
# Benchmarks of the release build. Prints wall time and peak memory of:
#   - `demo` on the bundled samples;
#   - `validate` and `build` on a generated stream of ROWS events (default 1,000,000), as CSV
#     and as Parquet, with rows per second.
# Figures go into docs/performance.md by hand; they are not asserted anywhere.
#
# Usage: benches/run.sh [ROWS] [KIND]      (KIND: detection | assistant | redteam)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sandbox-report/target}"
ROWS="${1:-1000000}"
KIND="${2:-detection}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/sandbox-report"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1756684800

measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
    echo "$label failed:"; cat "$WORK/stderr"; return 1; }
  read -r secs kb < "$WORK/time"
  printf '%-34s %8.2f s  %8.0f MB peak' "$label" "$secs" "$((kb / 1024))"
  if [ -n "${EVENTS:-}" ]; then
    awk -v n="$EVENTS" -v s="$secs" 'BEGIN { printf "  %10.0f rows/s", n / s }'
  fi
  echo
}

echo "sandbox-report $("$BIN" --version | cut -d' ' -f2), $(nproc) cores, $ROWS $KIND events"
EVENTS="" measure "demo (4 samples, all formats)" "$BIN" demo -o "$WORK/demo"

segments="segments: [age_band, channel]"
[ "$KIND" = redteam ] && segments=""
for ext in csv parquet; do
  dir="$WORK/$ext"
  mkdir -p "$dir/logs"
  "$BIN" generate stream --kind "$KIND" --rows "$ROWS" -o "$dir/logs/events.$ext" >/dev/null
  cat > "$dir/submission.yaml" <<YAML
schema_version: 1
timezone: Asia/Hong_Kong
submission:
  institution: { id: BENCH, name: "Benchmark Bank" }
  programme: "Benchmark"
  cohort: "0"
  use_case: { id: UC-BENCH, title: "Benchmark", family: other }
  period: { start: 2025-06-01, end: 2025-08-31 }
streams:
  - { name: bench, kind: $KIND, path: logs }
$segments
YAML
  size=$(du -m "$dir/logs/events.$ext" | cut -f1)
  EVENTS="$ROWS" measure "validate ($ext, ${size} MB)" "$BIN" validate "$dir/submission.yaml"
  EVENTS="$ROWS" measure "build json+md ($ext)" "$BIN" build "$dir/submission.yaml" -o "$dir/out" --format json,md
done
