#!/usr/bin/env bash
# yimen's audit against DuckDB and a hand-written one-pass Rust check, on the
# same generated export, in one run.
#
#   bash benches/audit_vs_duckdb.sh            # 10M cases (about 1.2 GB of CSV)
#   CASES=1000000 bash benches/audit_vs_duckdb.sh
#
# It builds yimen in release mode, generates a clean export with
# `yimen generate --plain --clean` (violations would make the report, not the
# checks, dominate), installs DuckDB with pip into benches/.venv, and prints
# for each: wall time, rows/s and peak RSS, then the ratios. The references
# run three checks (see duckdb_checks.py and handwritten_pass.rs); yimen runs
# every shipped rule and metric (31 rules, 7 metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${CASES:-10000000}
WORK=${WORK:-$(mktemp -d)}
HOLIDAYS=${HOLIDAYS:-../shared/data/holiday-cn}
AS_OF=2025-12-31

cargo build --release --quiet
cargo bench --no-run --quiet --bench handwritten_pass
handwritten=$(ls -t target/release/deps/handwritten_pass-* | grep -v '\.d$' | head -1)
if [ ! -x benches/.venv/bin/python ]; then
  python3 -m venv benches/.venv
  benches/.venv/bin/pip install --quiet duckdb
fi
if [ ! -f "$WORK/export/cases.csv" ]; then
  ./target/release/yimen generate "$WORK/export" --cases "$CASES" --plain --clean --seed 1
fi
size=$(du -sb "$WORK/export/cases.csv" | cut -f1)

measure() { # label, command...
  local label=$1; shift
  # Every tool reads the export from the page cache: the build and the
  # generator may have pushed it out, and whichever ran first paid for the
  # disk (yimen, first, measured 5.4 s cold against 4.2 s warm).
  cat "$WORK"/export/* > /dev/null
  /usr/bin/time -f "%e %M" -o "$WORK/$label.time" "$@" > "$WORK/$label.out"
  read -r wall rss < "$WORK/$label.time"
  echo "$label $wall $rss"
}

y=$(measure yimen ./target/release/yimen audit "$WORK/export" --as-of "$AS_OF" --format json --fail-on never)
d=$(measure duckdb benches/.venv/bin/python benches/duckdb_checks.py "$WORK/export" "$HOLIDAYS" "$AS_OF")
h=$(measure handwritten "$handwritten" "$WORK/export" "$AS_OF")
cat "$WORK/duckdb.out" "$WORK/handwritten.out"
python3 - "$CASES" "$size" "$y" "$d" "$h" <<'PY'
import sys
cases, size = int(sys.argv[1]), int(sys.argv[2])
rows = {}
for arg in sys.argv[3:]:
    label, wall, rss = arg.split()
    rows[label] = (float(wall), int(rss))
for label, (wall, rss) in rows.items():
    print(f"{label:11} wall {wall:8.2f} s  {cases / wall:12,.0f} rows/s  {size / wall / 1e6:8.1f} MB/s  peak RSS {rss / 1024:8.1f} MiB")
yw, yr = rows["yimen"]
dw, dr = rows["duckdb"]
hw, _ = rows["handwritten"]
print(f"ratio       yimen/duckdb wall {yw / dw:.2f}x (target <= 0.20), peak RSS {yr / dr:.2f}x (target <= 1.00)")
print(f"ratio       yimen/handwritten wall {yw / hw:.2f}x (target <= 1.50)")
PY
