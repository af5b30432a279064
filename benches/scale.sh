#!/usr/bin/env bash
# Scale benchmark (issue 10, item 5): sandbox-report against the DuckDB peer and the bare polars
# scan (the I/O floor) of ../shared/bench/, side by side in one run, on identical data.
#
# Usage: benches/scale.sh ROWS [RUNS] [--record FILE]
#   ROWS   detection rows; the assistant stream gets ROWS/2 (e.g. 1000000, 10000000)
#   RUNS   runs of each command (default 1); the table shows the median wall time and the
#          median peak RSS
#   --record FILE   also append a dated Markdown block of the figures to FILE
#   --data-only     generate (or check) the data and stop, e.g. to prepare it ahead of a run
# Run it with `nice -n 5 benches/scale.sh 10000000` on an otherwise idle machine. Nothing here
# asserts a time; it is not run by `cargo test` or CI (Cargo only picks up benches/*.rs).
#
# The binary is $SANDBOX_REPORT_BIN, or $CARGO_TARGET_DIR/release/sandbox-report with
# CARGO_TARGET_DIR defaulting to $HOME/.cache/sandbox-report/target. The script never builds it:
# run `cargo build --release` first.
#
# Data: the tool's own generator. `sandbox-report-gen stream` writes one file per call, with
# event ids numbered from 1 in each file, so several calls would repeat ids; instead one call per
# stream and format writes all the rows and the script cuts that file into BENCH_FILES (default 8)
# consecutive part files (the generator sorts by time, so each part is a stretch of the period):
#   - CSV:     cut by lines with awk, header repeated; the rows are byte for byte the generator's;
#   - Parquet: the generator's Parquet of the same seed (the same rows, timestamps stored natively
#              with their zone), cut into row slices with the bench venv's polars (zstd, as the
#              generator writes).
# Layout under ${BENCH_DATA:-/tmp/sandbox-report-scale}/ROWS/ (reused by later runs):
#   csv/submission.yaml      csv/logs/fraud/part-NNN.csv      csv/logs/bot/part-NNN.csv
#   parquet/submission.yaml  parquet/logs/fraud/part-NNN.parquet  parquet/logs/bot/part-NNN.parquet
# This is the layout the peers read (logs/fraud/**/*.csv, logs/bot/**/*.csv, canonical column
# names), so the peer and the floor run on exactly the same CSV files as `sandbox-report`; gen_big.py
# is not needed. The generator writes CSV timestamps as local time without an offset: the DuckDB
# peer runs with TZ=Asia/Hong_Kong (the submission's timezone) so that it reads them as
# sandbox-report does and its period filter keeps the same rows.
#
# Measured (each RUNS times, /usr/bin/time -f '%e %M'; rows/s counts both streams, ROWS * 1.5):
#   validate-csv    sandbox-report validate on the CSV submission
#   build-csv       sandbox-report build, every format (pdf, html, md, json), CSV submission
#   build-parquet   the same on the Parquet submission
#   duckdb-peer     ../shared/bench/peer_duckdb.py on the CSV submission (SQL metrics, HTML + PDF)
#   polars-floor    ../shared/bench/limit_polars.py on the CSV submission
# and the three ratios of issue 10: duckdb-peer / build-csv (goal >= 3), build-csv / polars-floor
# (goal <= 2.5), build-csv / build-parquet (goal >= 3). The builds run with the JSON info log, from
# which the stage times (reading, validation and metrics; each render) are printed.
#
# The peers' Python venv is the one ../shared/bench/run.sh uses:
# ${BENCH_VENV:-$HOME/.cache/sandbox-report/bench-venv}, created from ../shared/bench/requirements.txt.
set -euo pipefail

usage() { echo "usage: benches/scale.sh ROWS [RUNS] [--record FILE] [--data-only]" >&2; exit 2; }
RECORD=""; DATA_ONLY=""
pos=()
while [ $# -gt 0 ]; do
  case "$1" in
    --record) [ $# -ge 2 ] || usage; RECORD=$2; shift 2 ;;
    --record=*) RECORD=${1#--record=}; shift ;;
    --data-only) DATA_ONLY=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) pos+=("$1"); shift ;;
  esac
done
[ ${#pos[@]} -ge 1 ] && [ ${#pos[@]} -le 2 ] || usage
ROWS=${pos[0]}; RUNS=${pos[1]:-1}
[[ "$ROWS" =~ ^[0-9]+$ ]] && [ "$ROWS" -ge 16 ] || { echo "ROWS must be a whole number >= 16" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a whole number >= 1" >&2; exit 2; }
if [ -n "$RECORD" ]; then RECORD=$(realpath -m "$RECORD"); fi

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(realpath -m "$repo/../shared/bench")
[ -f "$shared/peer_duckdb.py" ] && [ -f "$shared/limit_polars.py" ] || {
  echo "error: the peers are missing: expected $shared/peer_duckdb.py and limit_polars.py" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sandbox-report/target}"
BIN=${SANDBOX_REPORT_BIN:-$CARGO_TARGET_DIR/release/sandbox-report}
[ -x "$BIN" ] || {
  echo "error: no sandbox-report binary at $BIN" >&2
  echo "  hint: build it first (cargo build --release), or set SANDBOX_REPORT_BIN to a binary" >&2
  exit 2; }
BIN=$(realpath "$BIN")
# The generator is the separate binary beside it.
GEN=${SANDBOX_REPORT_GEN:-$(dirname "$BIN")/sandbox-report-gen}

[ -x /usr/bin/time ] || {
  echo "/usr/bin/time is missing; installing the 'time' package" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null; }

# The peers' venv, exactly as ../shared/bench/run.sh makes it.
venv=${BENCH_VENV:-$HOME/.cache/sandbox-report/bench-venv}
if ! cmp -s "$shared/requirements.txt" "$venv/requirements.installed" 2>/dev/null; then
  echo "creating the bench venv in $venv" >&2
  python3 -m venv "$venv" && "$venv/bin/pip" install -q -r "$shared/requirements.txt" && cp "$shared/requirements.txt" "$venv/requirements.installed"
fi
PY=$venv/bin/python

export SOURCE_DATE_EPOCH=1756684800
export SANDBOX_REPORT_PSEUDONYM_KEY=benchmark-key-0123456789abcdef
ASSIST=$((ROWS / 2)); TOTAL=$((ROWS + ASSIST))
FILES=${BENCH_FILES:-8}
TZ_SUB=Asia/Hong_Kong
D=${BENCH_DATA:-/tmp/sandbox-report-scale}/$ROWS

submission_yaml() { # dir: the submission.yaml of the generated streams
  cat > "$1/submission.yaml" <<YAML
# Written by benches/scale.sh: $ROWS detection + $ASSIST assistant rows, $FILES files each.
schema_version: 1
timezone: $TZ_SUB
currency: HKD
submission:
  institution: { id: BENCH, name: "Benchmark Bank" }
  programme: "HKMA GenA.I. Sandbox"
  cohort: "2"
  use_case: { id: UC-BENCH, title: "Scale benchmark", family: anti_fraud }
  period: { start: 2025-06-01, end: 2025-08-31 }
streams:
  - { name: fraud, kind: detection, path: logs/fraud }
  - { name: bot, kind: assistant, path: logs/bot }
segments: [age_band, channel]
report:
  formats: [pdf, html, md, json]
YAML
}

split_csv() { # file dir: cut a CSV into FILES parts by lines, header repeated
  local n per
  n=$(($(wc -l < "$1") - 1)); per=$(((n + FILES - 1) / FILES))
  awk -v per="$per" -v dir="$2" 'NR == 1 { h = $0; next }
    { k = int((NR - 2) / per); f = sprintf("%s/part-%03d.csv", dir, k)
      if (f != cur) { if (cur != "") close(cur); cur = f; print h > f }
      print > f }' "$1"
}

split_parquet() { # file dir: cut a Parquet file into FILES row slices
  "$PY" - "$1" "$2" "$FILES" <<'PY'
import sys
import polars as pl
src, out, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = pl.scan_parquet(src).select(pl.len()).collect().item()
per = -(-n // k)
for i in range(k):
    if i * per >= n:
        break
    pl.scan_parquet(src).slice(i * per, per).sink_parquet(f"{out}/part-{i:03d}.parquet", compression="zstd")
PY
}

generate() {
  rm -rf "$D"; mkdir -p "$D/tmp"
  local kind stream rows ext
  for ext in csv parquet; do
    mkdir -p "$D/$ext/logs"
    submission_yaml "$D/$ext"
    for kind in detection assistant; do
      if [ "$kind" = detection ]; then stream=fraud; rows=$ROWS; else stream=bot; rows=$ASSIST; fi
      echo "generating $rows $kind rows as $ext" >&2
      "$GEN" stream --kind "$kind" --rows "$rows" --seed 7 -o "$D/tmp/$kind.$ext" >/dev/null
      mkdir -p "$D/$ext/logs/$stream"
      "split_$ext" "$D/tmp/$kind.$ext" "$D/$ext/logs/$stream"
      rm -f "$D/tmp/$kind.$ext"
    done
  done
  rmdir "$D/tmp"
  echo "$BIN $("$BIN" --version)" > "$D/.complete"
}
if [ -f "$D/.complete" ]; then
  echo "reusing the data in $D (generated by $(cat "$D/.complete"); delete the folder to regenerate)" >&2
else
  generate
fi
if [ -n "$DATA_ONLY" ]; then echo "data in $D: CSV $(du -sh "$D/csv/logs" | cut -f1), Parquet $(du -sh "$D/parquet/logs" | cut -f1)"; exit 0; fi

O=$(mktemp -d); trap 'rm -rf "$O"' EXIT
labels=()
measure() { # label, command...: RUNS runs; keeps the median wall s and median peak KiB
  local label=$1; shift; local walls=() rss=() w m
  for _ in $(seq "$RUNS"); do
    rm -rf "$O/out"
    /usr/bin/time -f '%e %M' -o "$O/t" "$@" >/dev/null 2>"$O/err-$label" || {
      echo "$label failed (exit $?):" >&2; tail -5 "$O/t" "$O/err-$label" >&2; exit 1; }
    read -r w m < "$O/t"; walls+=("$w"); rss+=("$m")
  done
  printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > "$O/wall-$label"
  printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > "$O/rss-$label"
  labels+=("$label")
  printf '  %-14s %s\n' "$label" "done ($(cat "$O/wall-$label") s)" >&2
}
stage_times() { # label: "message [file] N ms" for each line of the JSON info log with an elapsed_ms
  "$PY" - "$O/err-$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    f = dict(e, **e.get("fields", {})) if isinstance(e.get("fields"), dict) else e
    if "elapsed_ms" in f:
        what = f.get("message", "?") + (f" {f['file']}" if f.get("file") else "")
        out.append(f"{what} {f['elapsed_ms']} ms")
print("; ".join(out) or "no stage times in the log")
PY
}

csv_size=$(du -sh "$D/csv/logs" | cut -f1); pq_size=$(du -sh "$D/parquet/logs" | cut -f1)
version=$("$BIN" --version)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock report-templates 2>/dev/null)" ]; then
  commit="$commit (work tree with uncommitted changes under src/, Cargo.* or report-templates/)"
fi
when=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "$version, repo HEAD $commit (the commit the work tree is at, not necessarily the binary's); $(nproc) cores; $ROWS detection + $ASSIST assistant rows, $FILES files each; CSV $csv_size, Parquet $pq_size; $RUNS run(s) each"

measure validate-csv "$BIN" validate "$D/csv/submission.yaml"
measure build-csv "$BIN" --log-format json --log-level info build "$D/csv/submission.yaml" -o "$O/out"
measure build-parquet "$BIN" --log-format json --log-level info build "$D/parquet/submission.yaml" -o "$O/out"
measure duckdb-peer env TZ="$TZ_SUB" "$PY" "$shared/peer_duckdb.py" "$D/csv" "$O/out"
measure polars-floor "$PY" "$shared/limit_polars.py" "$D/csv"

wall() { cat "$O/wall-$1"; }
rows_table() { # markdown|text
  local l w m r
  [ "$1" = markdown ] && printf '| command | wall s | peak MiB | rows/s |\n| --- | ---: | ---: | ---: |\n' \
    || printf '%-14s %9s %9s %12s\n' command "wall s" "peak MiB" "rows/s"
  for l in "${labels[@]}"; do
    w=$(wall "$l"); m=$(awk -v k="$(cat "$O/rss-$l")" 'BEGIN {printf "%.0f", k / 1024}')
    r=$(awk -v n="$TOTAL" -v s="$w" 'BEGIN {if (s > 0) printf "%.0f", n / s; else print "-"}')
    if [ "$1" = markdown ]; then printf '| `%s` | %.2f | %s | %s |\n' "$l" "$w" "$m" "$r"
    else printf '%-14s %9.2f %9s %12s\n' "$l" "$w" "$m" "$r"; fi
  done
}
ratios() { # markdown|text
  awk -v fmt="$1" -v b="$(wall build-csv)" -v d="$(wall duckdb-peer)" -v f="$(wall polars-floor)" -v p="$(wall build-parquet)" '
    function row(name, v, goal, ok) {
      if (fmt == "markdown") printf "| %s | %.2f | %s | %s |\n", name, v, goal, ok ? "met" : "missed"
      else printf "%-30s %6.2f   (goal %s: %s)\n", name, v, goal, ok ? "met" : "missed" }
    BEGIN {
      if (fmt == "markdown") printf "| ratio | value | goal | |\n| --- | ---: | --- | --- |\n"
      r = b > 0 ? d / b : 0; row("duckdb-peer / build-csv", r, ">= 3", r >= 3)
      r = f > 0 ? b / f : 0; row("build-csv / polars-floor", r, "<= 2.5", r <= 2.5)
      r = p > 0 ? b / p : 0; row("build-csv / build-parquet", r, ">= 3", r >= 3) }'
}
stages() {
  local l
  for l in build-csv build-parquet; do echo "$l stages (last run, info log): $(stage_times "$l")"; done
}

echo
rows_table text
echo
ratios text
stages

if [ -n "$RECORD" ]; then
  {
    echo
    echo "### $when: $ROWS detection + $ASSIST assistant rows"
    echo
    echo "\`benches/scale.sh $ROWS $RUNS\`; $version, binary $BIN, repo HEAD $commit; $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo) GiB;"
    echo "$FILES files per stream, CSV $csv_size, Parquet $pq_size; median of $RUNS run(s); rows/s counts both streams ($TOTAL rows)."
    echo
    rows_table markdown
    echo
    ratios markdown
    echo
    stages | sed 's/^/- /'
  } >> "$RECORD"
  echo "appended the figures to $RECORD"
fi
