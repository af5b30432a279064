#!/usr/bin/env bash
# Benchmark of the input limits (issue 29): `validate` of a submission whose only file is a
# 4 MB .csv.gz that inflates to 4 GiB of one line, and of one that inflates to 4 GiB of short
# rows. Both must be refused within seconds (line_too_long, file_too_large), not read for
# minutes. Prints wall time and peak memory; the figures go into docs/performance.md by hand.
# Nothing here asserts a time.
#
# Usage: benches/bomb.sh            (builds and uses the release binary)
#        BIN=path/to/sandbox-report benches/bomb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sandbox-report/target}"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$CARGO_TARGET_DIR/release/sandbox-report"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1756684800

# 4 GiB of text from 4,096 copies of one gzip member of 1 MiB: about 4 MB on disk.
python3 - "$WORK" <<'PY'
import gzip, sys
work = sys.argv[1]
header = gzip.compress(b"event_id,timestamp,decision\n", 9)
line = gzip.compress(b"x" * (1 << 20), 9)
row = b"e1,2025-06-02 10:00:00,true\n"
rows = gzip.compress(row * ((1 << 20) // len(row)), 9)
for name, member in (("one-line", line), ("rows", rows)):
    with open(f"{work}/{name}.csv.gz", "wb") as f:
        f.write(header)
        for _ in range(4096):
            f.write(member)
PY
for name in one-line rows; do
  d="$WORK/$name"
  mkdir -p "$d/logs"
  mv "$WORK/$name.csv.gz" "$d/logs/"
  cat > "$d/submission.yaml" <<YAML
schema_version: 1
timezone: UTC
submission:
  institution: { id: B-1, name: "Bomb Test Bank" }
  programme: "Benchmark"
  cohort: "0"
  use_case: { id: UC-B, title: "Bomb", family: anti_fraud }
  period: { start: 2025-06-01, end: 2025-06-30 }
streams:
  - { name: alerts, kind: detection, path: logs }
YAML
  size=$(du -k "$d/logs/$name.csv.gz" | cut -f1)
  echo "== $name.csv.gz (${size} KiB on disk, 4 GiB of text)"
  /usr/bin/time -f "wall %e s, peak %M KB" "$BIN" validate "$d/submission.yaml" 2>&1 | grep -E 'error\[|wall' | cut -c1-160 || true
done
