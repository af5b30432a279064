#!/usr/bin/env bash
# Benchmark of `batch`: N generated submissions (default 50) of ROWS detection events each
# (default 100,000, CSV, all report formats), a cold run and a no-change rerun, with
# `--jobs 1` and `--jobs 2`. Prints wall time and peak memory of each run; the figures go into
# docs/performance.md by hand. Nothing here asserts a time.
#
# Usage: benches/batch.sh [N] [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sandbox-report/target}"
N="${1:-50}"
ROWS="${2:-100000}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/sandbox-report"
GEN="$CARGO_TARGET_DIR/release/sandbox-report-gen"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1756684800

for i in $(seq -w 1 "$N"); do
  d="$WORK/subs/bank-$i"
  mkdir -p "$d/logs"
  "$GEN" stream --kind detection --rows "$ROWS" --seed "$((10#$i))" -o "$d/logs/events.csv" >/dev/null
  cat > "$d/submission.yaml" <<YAML
schema_version: 1
timezone: Asia/Hong_Kong
submission:
  institution: { id: BANK-$i, name: "Benchmark Bank $i" }
  programme: "Benchmark"
  cohort: "0"
  use_case: { id: UC-$i, title: "Benchmark", family: anti_fraud }
  period: { start: 2025-06-01, end: 2025-08-31 }
streams:
  - { name: alerts, kind: detection, path: logs }
segments: [age_band, channel]
YAML
done
echo "sandbox-report $("$BIN" --version | cut -d' ' -f2), $(nproc) cores, $N submissions x $ROWS rows ($(du -sm "$WORK/subs" | cut -f1) MB of CSV)"

measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || true
  read -r secs kb < "$WORK/time"
  printf '%-34s %8.2f s  %6d MB peak   %s\n' "$label" "$secs" "$((kb / 1024))" "$(tail -n 2 "$WORK/stdout" | head -n 1)"
}

for jobs in ${JOBS_LIST:-1 2}; do
  rm -rf "$WORK/bundles"
  measure "cold run, --jobs $jobs" "$BIN" batch "$WORK/subs" -o "$WORK/bundles" --jobs "$jobs"
  measure "no-change rerun, --jobs $jobs" "$BIN" batch "$WORK/subs" -o "$WORK/bundles" --jobs "$jobs"
  rm -f "$WORK/bundles/.sandbox-report-hashes.json"
  measure "rerun, no hash cache, --jobs $jobs" "$BIN" batch "$WORK/subs" -o "$WORK/bundles" --jobs "$jobs"
  # One submission's input rewritten with other events: that job (and only it) rebuilds.
  "$GEN" stream --kind detection --rows "$ROWS" --seed 999 -o "$WORK/subs/bank-07/logs/events.csv" >/dev/null
  measure "one input changed, --jobs $jobs" "$BIN" batch "$WORK/subs" -o "$WORK/bundles" --jobs "$jobs"
  "$GEN" stream --kind detection --rows "$ROWS" --seed 7 -o "$WORK/subs/bank-07/logs/events.csv" >/dev/null
done
