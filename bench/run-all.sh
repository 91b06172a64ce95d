#!/usr/bin/env bash
# Re-runs every figure in docs/benchmarks.md on the current build and prints them as the tables
# there. Each row says its configuration. Loopback only; everything it starts, it stops.
#   bench/run-all.sh            # all sections (about 5 minutes on 2 cores)
#   SECTIONS="micro stratum" bench/run-all.sh
# Sections: micro (hash, work, PPLNS, notify fan-out benchmarks), stratum (durable SQLite on disk, SQLite on
# tmpfs, PostgreSQL; throughput, CPU per share, latency, memory per connection, notify fan-out).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sections=${SECTIONS:-micro stratum blocks hostile}
build=${BUILD_DIR:-build}
TARGETS="hash_bench work_bench pplns_bench proof_bench fanout_bench submit_latency_bench poold testnode stratum-bench hostile_tests" \
  scripts/build.sh -DPOOL_BUILD_BENCH=ON -DPOOL_BUILD_TESTS=ON >/dev/null
bin="$root/$build"
work=$(mktemp -d /tmp/pool-bench.XXXXXX)
pids=()
pg_dir=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "$pg_dir" ]]; then "$root/scripts/postgres.sh" stop "$pg_dir"; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "# bench/run-all.sh on $(nproc) cores, $(uname -r), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# load average before: $(load)"

# Google Benchmark binaries: name, time, unit.
gbench() {
  "$@" --benchmark_format=json 2>/dev/null | python3 -c '
import json, sys
for b in json.load(sys.stdin)["benchmarks"]:
    if b.get("run_type") == "aggregate": continue
    extra = "".join(f", {k} {v:.0f}" for k, v in b.items() if k.endswith("_MiB"))
    print("| `%s` | %.3g %s%s |" % (b["name"], b["real_time"], b["time_unit"], extra))'
}

if [[ " $sections " == *" micro "* ]]; then
  echo
  echo "## Micro-benchmarks (RelWithDebInfo)"
  echo "| benchmark | time |"
  echo "|---|---|"
  gbench "$bin/bench/hash_bench" --benchmark_min_time=0.3
  gbench "$bin/bench/work_bench"
  gbench "$bin/bench/pplns_bench"
  gbench "$bin/bench/proof_bench"
  # SOLO and pool-mode notify fan-out to 10,000 sessions (cpu_ms: the busier thread's CPU time).
  "$bin/bench/fanout_bench" --benchmark_filter='rebuild:0' --benchmark_format=json 2>/dev/null | python3 -c '
import json, sys
for b in json.load(sys.stdin)["benchmarks"]:
    print("| `%s` | %.3g %s (cpu_ms %.2g) |" % (b["name"], b["real_time"], b["time_unit"], b["cpu_ms"]))'
fi

# One pool + test node per configuration; prints stratum-bench's lines.
run_pool() {  # name db_url
  # full: closed and open loop; repeat: closed loop only; connections: idle connections and the
  # notify fan-out, on a test node at regtest's own difficulty (it mines the block itself)
  local name=$1 db=$2 mode=${3:-full}
  local bits=(--bits 1d00ffff)
  [[ "$mode" == connections ]] && bits=()
  local rpc=$(free_port) zmq=$(free_port) port=$(free_port) api=$(free_port)
  "$bin/tools/testnode/testnode" --port "$rpc" "${bits[@]}" --zmq-hashblock "tcp://127.0.0.1:$zmq" >"$work/node-$name.log" 2>&1 &
  local node_pid=$!
  pids+=($node_pid)
  wait_port "$rpc"
  curl -s -u pool:pool -d '{"method":"test_addtransactions","params":[4000]}' "http://127.0.0.1:$rpc/" >/dev/null
  cat >"$work/$name.ini" <<INI
[bitcoin]
host = 127.0.0.1
port = $rpc
user = pool
password = pool
zmq_hashblock = tcp://127.0.0.1:$zmq
[stratum]
host = 127.0.0.1
port = $port
difficulty = 1e-9
min_difficulty = 1e-9
max_difficulty = 1e-9
threads = 2
max_connections_per_ip = 0
[pool]
payout_scheme = pplns
[database]
db_path = $db
[api]
host = 127.0.0.1
port = $api
[log]
level = warn
INI
  "$bin/src/app/poold" --config "$work/$name.ini" >"$work/poold-$name.log" 2>&1 &
  local pool_pid=$!
  pids+=($pool_pid)
  wait_port "$port"
  local sb=("$bin/tools/stratum_bench/stratum-bench" --port "$port" -u bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.bench
            --pool-pid "$pool_pid")
  field() { echo "$1" | grep -oP "$2" | head -n 1; }
  if [[ "$mode" == connections ]]; then
    idle=$("${sb[@]}" -n 10000 -w 0 --local-ips 2 -t 2 --node-port "$rpc")
    memory_row="| idle connections, 10,000 | $(field "$idle" '[0-9.]+ KiB per connection') (RSS growth of poold / connections) |"
    fanout_row="| new block's notify to 10,000 sessions | $(field "$idle" 'first [0-9.]+ ms, last [0-9.]+ ms after mining it') (client and pool share the 2 cores) |"
    kill "$pool_pid" "$node_pid" 2>/dev/null || true
    wait "$pool_pid" "$node_pid" 2>/dev/null || true
    return
  fi
  closed=$("${sb[@]}" -t 1 -n 200 -w 8 -d 10)
  echo "| $name | closed loop 200 × 8 in flight | $(field "$closed" '[0-9]+(?= accepted/s)') accepted/s | $(field "$closed" '[0-9.]+(?= us per accepted share)') µs | $(field "$closed" 'p50 [0-9]+ us, p99 [0-9]+ us') |"
  if [[ "$mode" == full ]]; then
    open=$("${sb[@]}" -t 1 -n 500 -w 4 -d 10 -r 50000)
    echo "| $name | open loop, 50,000/s offered | $(field "$open" '[0-9]+(?= accepted/s)') accepted/s | $(field "$open" '[0-9.]+(?= us per accepted share)') µs | $(field "$open" 'p50 [0-9]+ us, p99 [0-9]+ us, p999 [0-9]+ us') |"
  fi
  kill "$pool_pid" "$node_pid" 2>/dev/null || true
  wait "$pool_pid" "$node_pid" 2>/dev/null || true
}

if [[ " $sections " == *" stratum "* ]]; then
  echo
  echo "## Stratum: every \`true\` after its share is committed"
  echo "Test node with 4,000 mempool transactions (12-level merkle branch), share difficulty 1e-9, poold with 2 threads, stratum-bench with 1 thread, one 2-core machine."
  echo
  echo "| store | load | accepted | pool CPU per share | submit→reply |"
  echo "|---|---|---|---|---|"
  mkdir -p "$root/$build/bench-data"
  rm -f "$root/$build/bench-data"/pool.db*
  run_pool "durable SQLite (disk)" "sqlite:///$root/$build/bench-data/pool.db"
  # The same closed loop again on a fresh database: how well the figure reproduces on this machine.
  rm -f "$root/$build/bench-data"/pool.db*
  run_pool "durable SQLite (disk), again" "sqlite:///$root/$build/bench-data/pool.db" repeat
  shm=$(mktemp -d /dev/shm/pool-bench.XXXXXX)
  run_pool "SQLite on tmpfs" "sqlite:///$shm/pool.db"
  rm -rf "$shm"
  if [[ $(id -u) -eq 0 ]] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    read -r pg_dir pg_url < <(POSTGRES_FSYNC=on "$root/scripts/postgres.sh" start)
    run_pool "PostgreSQL (fsync on)" "$pg_url"
  else
    echo "| PostgreSQL | skipped: needs root and Debian's postgresql | | | |"
  fi
  rm -f "$root/$build/bench-data"/pool.db*
  run_pool "connections" "sqlite:///$root/$build/bench-data/pool.db" connections
  rm -rf "$root/$build/bench-data"
  echo
  echo "| connections | result |"
  echo "|---|---|"
  echo "${memory_row:-| idle connections | not measured |}"
  echo "${fanout_row:-| notify fan-out | not measured |}"
fi
if [[ " $sections " == *" blocks "* ]]; then
  echo
  echo "## Found block to submitblock while a payout run pages a slow wallet (listtransactions 100 ms)"
  echo '```'
  "$bin/bench/submit_latency_bench" 300 100
  echo '```'
fi

if [[ " $sections " == *" hostile "* ]]; then
  echo
  echo "## Hostile clients: poold's RSS during each attack (hostile_tests, SQLite; bound: baseline + 64 MiB)"
  echo '```'
  "$bin/tests/hostile_tests" --gtest_filter='-*postgresql*' 2>&1 | grep -E '^\[hostile\]|FAILED|PASSED' || true
  echo '```'
fi
echo
echo "# load average after: $(load)"
