#!/usr/bin/env bash
# Benchmarks of the release build. Prints wall time and peak memory of:
#   - `demo` (all samples, all formats, the cohort summary with letters);
#   - `validate` and `build` on a generated stream of ROWS events (default 1,000,000), as CSV
#     and as Parquet, with rows per second and the time of the metrics step alone;
#   - the PDF and HTML render of the largest sample, with the PDF size;
#   - `cohort` over 50 and 1,000 generated bundles.
# Figures go into docs/performance.md by hand; nothing here asserts a time.
#
# Usage: benches/run.sh [ROWS] [KIND]      (KIND: detection | assistant | redteam)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sandbox-report/target}"
ROWS="${1:-1000000}"
KIND="${2:-detection}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/sandbox-report"
GEN="$CARGO_TARGET_DIR/release/sandbox-report-gen"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1756684800
export SANDBOX_REPORT_PSEUDONYM_KEY=benchmark-key-0123456789abcdef

measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
    echo "$label failed:"; cat "$WORK/stderr"; return 1; }
  read -r secs kb < "$WORK/time"
  printf '%-40s %8.2f s  %6d MB peak' "$label" "$secs" "$((kb / 1024))"
  if [ -n "${EVENTS:-}" ]; then
    awk -v n="$EVENTS" -v s="$secs" 'BEGIN { printf "  %10.0f rows/s", n / s }'
  fi
  echo
}

# The elapsed_ms of a log message in the JSON log of the last measured command.
stage() { # message [file]
  grep -F "\"message\":\"$1\"" "$WORK/stderr" | { if [ -n "${2:-}" ]; then grep -F "\"file\":\"$2\""; else cat; fi; } \
    | sed -E 's/.*"elapsed_ms":([0-9]+).*/\1/' | head -n 1
}

echo "sandbox-report $("$BIN" --version | cut -d' ' -f2), $(nproc) cores, $ROWS $KIND events"
EVENTS="" measure "demo (12 bundles, cohort, letters)" "$BIN" demo -o "$WORK/demo"

largest=sample-data/submissions/harbour-bank-card-fraud/submission.yaml
EVENTS="" measure "build largest sample (12,005 rows)" "$BIN" --log-format json --log-level info build "$largest" -o "$WORK/largest"
echo "    pdf render $(stage rendered report.pdf) ms, html render $(stage rendered report.html) ms, pdf $(du -k "$WORK/largest/report.pdf" | cut -f1) KB, $(pdfinfo "$WORK/largest/report.pdf" 2>/dev/null | awk '/^Pages/ {print $2}') pages"

segments="segments: [age_band, channel]"
[ "$KIND" = redteam ] && segments=""
for ext in csv parquet; do
  dir="$WORK/$ext"
  mkdir -p "$dir/logs"
  "$GEN" stream --kind "$KIND" --rows "$ROWS" -o "$dir/logs/events.$ext" >/dev/null
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
  EVENTS="$ROWS" measure "build json+md ($ext)" "$BIN" --log-format json --log-level info build "$dir/submission.yaml" -o "$dir/out" --format json,md
  echo "    read+validate $(stage 'read and validated the inputs') ms, metrics $(stage 'computed the metrics') ms"
done

for n in 50 1000; do
  "$GEN" bundles --count "$n" -o "$WORK/bundles-$n" >/dev/null
  EVENTS="" measure "cohort of $n bundles (pdf, html, md)" "$BIN" cohort "$WORK/bundles-$n" -o "$WORK/cohort-$n"
  echo "    cohort.pdf $(pdfinfo "$WORK/cohort-$n/cohort.pdf" 2>/dev/null | awk '/^Pages/ {print $2}') pages, $(du -k "$WORK/cohort-$n/cohort.pdf" | cut -f1) KB"
done
