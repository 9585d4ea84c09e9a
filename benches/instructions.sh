#!/usr/bin/env bash
# The instructions yimen's audit executes (callgrind, one thread): the measure
# of a speed change where wall time moves by ±20% from run to run. Needs
# valgrind.
#
#   bash benches/instructions.sh               # every shipped policy, and reading alone
#   bash benches/instructions.sh H003 M05      # and each of these rules alone
#   CASES=50000 WORK=/tmp/ins bash benches/instructions.sh
#   REAL=1 WORK=/tmp/insr bash benches/instructions.sh   # the real catalogue
#   RUNS=5 bash benches/instructions.sh        # each count the median of 5 runs
#
# It builds yimen in release mode, generates a clean export (`yimen generate
# --plain --clean --seed 1`, 200k cases by default) and audits it under
# callgrind: with every shipped policy; with none (the schema and parameters
# only: reading, typing and start-up); and with each named rule or metric alone
# (its file's policy header, the schema and the parameters, and the rules it
# names in `fires(…)`: M04 counts with H003). It prints each
# run's instructions, per case, and per case above reading alone, and the
# instructions of the hand-written pass (benches/handwritten_pass.rs) on the
# same export. The same binary and export give the same counts to within
# 0.1% on most VMs; on session 49's,
# to within 0.6% (most likely the heap's random placement, under the tables
# keyed by a string's address): compare the medians of a few runs there
# (RUNS=5: each audit's count is then the median of five runs);
# at small CASES the start-up and per-chunk costs weigh on the per-case
# figures.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${CASES:-200000}
RUNS=${RUNS:-1}
WORK=${WORK:-$(mktemp -d)}
AS_OF=2026-06-30
if ! command -v valgrind > /dev/null; then
  echo "instructions.sh: valgrind is needed (apt-get install valgrind)" >&2
  exit 2
fi
cargo build --release --quiet
bin=./target/release/yimen
if [ ! -f "$WORK/export/cases.csv" ]; then
  # REAL=1: the items of the real published catalogue (1,135, in the
  # shared data), where the generated catalogue has 144: what depends on
  # the number of distinct items (memos, lookups, groups) shows there.
  real=()
  if [ -n "${REAL:-}" ]; then
    real=(--real-catalogue ../shared/data/real/guangan-catalogue.csv --depts 1000 --items-per-dept 1000)
  fi
  "$bin" generate "$WORK/export" --cases "$CASES" --plain --clean --seed 1 "${real[@]}" > /dev/null
fi

# A policy folder with rule or metric $1 alone (or none, for "-") in $2, and
# the rules it names in `fires(…)`, theirs in turn (M04 reads H003's verdict):
# each in a file of its own, after its policy file's header.
policy_of() {
  rm -rf "$2"
  mkdir -p "$2"
  cp policies/schema.yaml policies/params.yimen "$2/"
  [ "$1" = "-" ] && return
  local todo=("$1") taken=" " code file
  while [ ${#todo[@]} -gt 0 ]; do
    code=${todo[0]}
    todo=("${todo[@]:1}")
    case "$taken" in *" $code "*) continue ;; esac
    taken="$taken$code "
    file=$(grep -lE "^(rule|metric) $code " policies/*.yimen | head -1 || true)
    if [ -z "$file" ]; then
      echo "instructions.sh: no rule or metric $code in policies/" >&2
      exit 2
    fi
    awk -v code="$code" '
      /^policy / { p = 1 }
      p { print }
      p && /^}/ { p = 0 }
      $0 ~ "^(rule|metric) " code " " { r = 1 }
      r { print }
      r && /^}/ { r = 0 }
    ' "$file" > "$2/one-$code.yimen"
    for fired in $(grep -oE 'fires\([A-Z][0-9A-Z]*\)' "$2/one-$code.yimen" | sed -E 's/fires\((.*)\)/\1/' | sort -u); do
      todo+=("$fired")
    done
  done
}

# Audit under callgrind: label, then yimen's policy arguments; prints the
# count, the median of RUNS runs (the last run's callgrind output kept).
count() {
  local label=$1
  shift
  local counts=()
  for _ in $(seq 1 "$RUNS"); do
    # (An audit that fails, a policy that does not check, counts nothing.)
    if ! valgrind --tool=callgrind --callgrind-out-file="$WORK/$label.callgrind" \
      "$bin" audit "$WORK/export" "$@" --threads 1 --as-of "$AS_OF" \
      --format json --output "$WORK/$label.json" --fail-on never 2> "$WORK/$label.log"; then
      echo "instructions.sh: the audit of $label failed (see $WORK/$label.log)" >&2
      exit 2
    fi
    counts+=("$(grep -o 'Collected : [0-9]*' "$WORK/$label.log" | grep -o '[0-9]*$')")
  done
  printf '%s\n' "${counts[@]}" | sort -n | awk '{ c[NR] = $1 } END { print c[int((NR + 1) / 2)] }'
}

sep() { # 1234567 -> 1,234,567
  echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'
}

row() { # label, instructions, instructions of reading alone
  printf '%-10s %15s instructions %9s per case %9s per case above reading\n' "$1" \
    "$(sep "$2")" "$(sep $(($2 / CASES)))" "$(sep $((($2 - $3) / CASES)))"
}

policy_of - "$WORK/policy-none"
reading=$(count reading --policy "$WORK/policy-none")
all=$(count all)
# The hand-written pass of the speed benchmark (three checks, both its
# threads counted), on the same export: the yardstick of issue #4's 1.5x.
cargo bench --no-run --quiet --bench handwritten_pass
handwritten_bin=$(ls -t target/release/deps/handwritten_pass-* | grep -v '\.d$' | head -1)
valgrind --tool=callgrind --callgrind-out-file="$WORK/handwritten.callgrind" \
  "$handwritten_bin" "$WORK/export" "$AS_OF" > "$WORK/handwritten.out" 2> "$WORK/handwritten.log"
handwritten=$(grep -o 'Collected : [0-9]*' "$WORK/handwritten.log" | grep -o '[0-9]*$')
echo "$CASES cases, one thread, --as-of $AS_OF, each audit the median of $RUNS run(s) (callgrind output and JSON in $WORK)"
row reading "$reading" "$reading"
row all "$all" "$reading"
printf '%-10s %15s instructions %9s per case (the speed benchmark\x27s reference)\n' \
  handwritten "$(sep "$handwritten")" "$(sep $((handwritten / CASES)))"
for code in "$@"; do
  policy_of "$code" "$WORK/policy-$code"
  n=$(count "$code" --policy "$WORK/policy-$code")
  row "$code" "$n" "$reading"
done
