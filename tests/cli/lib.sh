# tests/cli/lib.sh: helpers for the esprit-cli end-to-end tests (TAP output)
set -u
n=0
failed=0
work=$(mktemp -d)
sims=()
trap 'for p in "${sims[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT

# start_sim NAME ARGS...: runs esprit-sim, sets PORT to what it prints first
start_sim() {
  local name=$1; shift
  "$ESPRIT_SIM" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  sims+=($!)
  for _ in $(seq 100); do
    [ -s "$work/$name.out" ] && break
    sleep 0.05
  done
  PORT=$(head -n 1 "$work/$name.out")
}

stop_sims() {
  for p in "${sims[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  sims=()
}

# cli ARGS...: runs esprit-cli, output in $work/out, status in $rc
cli() {
  "$ESPRIT_CLI" "$@" > "$work/out" 2>&1
  rc=$?
}

ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $n - $2"
  else
    failed=$((failed + 1))
    echo "not ok $n - $2"
    sed 's/^/# /' "$work/out" 2>/dev/null | tail -n 30
  fi
}

# check DESCRIPTION COMMAND...: ok if COMMAND succeeds
check() {
  local what=$1; shift
  if "$@"; then ok 0 "$what"; else ok 1 "$what"; fi
}

# eventually DESCRIPTION COMMAND...: ok if COMMAND succeeds within 10 s (the virtual board
# logs its reboot after the client has already ended)
eventually() {
  local what=$1 i; shift
  for i in $(seq 100); do "$@" && { ok 0 "$what"; return; }; sleep 0.1; done
  ok 1 "$what"
}

has() { grep -qF -- "$1" "$work/out"; }

finish() {
  echo "1..$n"
  [ "$failed" = 0 ]
}
