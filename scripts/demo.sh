#!/usr/bin/env bash
# The README's first command: a whole pool on regtest on this machine. Installs what it needs,
# builds, starts a regtest node (a real bitcoind when one is installed, otherwise the project's
# test node), the pool (SQLite, PPLNS) and two built-in CPU miners with two addresses; blocks are
# found, mature and both miners are paid. Prints the story, then keeps running until Ctrl-C and
# stops everything it started. DEMO_EXIT=1 stops right after the story (used by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/deps.sh sqlite3 >/dev/null
echo "== building (first run takes a few minutes)"
TARGETS="poold testnode pool-miner pool-verify" scripts/build.sh >/dev/null
bin="$root/${BUILD_DIR:-build}"

dir=$(mktemp -d /tmp/pool-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${bitcoind_cli:-}" ]]; then $bitcoind_cli stop >/dev/null 2>&1 || true; fi
  echo "== stopped everything the demo started (files kept in $dir)"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rpc_port=$(free_port); zmq_port=$(free_port); stratum_port=$(free_port); api_port=$(free_port)
miner_a=bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d
miner_b=mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz

bitcoind_path=${BITCOIND:-$(command -v bitcoind || true)}
wallet_line=""
if [[ -n "$bitcoind_path" ]]; then
  echo "== node: real Bitcoin Core ($bitcoind_path), regtest"
  mkdir -p "$dir/bitcoind"
  "$bitcoind_path" -regtest -datadir="$dir/bitcoind" -rpcport="$rpc_port" -port="$(free_port)" -listen=0 \
    -rpcuser=pool -rpcpassword=pool -zmqpubhashblock="tcp://127.0.0.1:$zmq_port" -fallbackfee=0.0002 \
    -printtoconsole=0 -daemon >/dev/null
  cli_path=$(dirname "$bitcoind_path")/bitcoin-cli
  bitcoind_cli="$cli_path -regtest -datadir=$dir/bitcoind -rpcport=$rpc_port -rpcuser=pool -rpcpassword=pool"
  for _ in $(seq 100); do $bitcoind_cli getblockchaininfo >/dev/null 2>&1 && break; sleep 0.2; done
  $bitcoind_cli createwallet pool >/dev/null
  wallet_line="wallet = pool"
else
  echo "== node: the project's test node (no bitcoind installed), regtest"
  "$bin/tools/testnode/testnode" --port "$rpc_port" --zmq-hashblock "tcp://127.0.0.1:$zmq_port" >"$dir/testnode.log" 2>&1 &
  pids+=($!)
fi

cat > "$dir/pool.ini" <<INI
[bitcoin]
host = 127.0.0.1
port = $rpc_port
user = pool
password = pool
zmq_hashblock = tcp://127.0.0.1:$zmq_port
$wallet_line
[stratum]
host = 127.0.0.1
port = $stratum_port
difficulty = 0.001
min_difficulty = 0.0001
vardiff_target_seconds = 1
[pool]
payout_scheme = pplns
fee_percentage = 1.0
min_payout = 0.0001
payment_interval_hours = 0.002
pplns_window = 1000000000
job_refresh_seconds = 5
[database]
db_path = sqlite:///$dir/pool.db
[api]
port = $api_port
[log]
level = info
INI
"$bin/src/app/poold" --config "$dir/pool.ini" >"$dir/poold.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$stratum_port") 2>/dev/null && break; sleep 0.1; done
echo "== pool: poold on stratum+tcp://127.0.0.1:$stratum_port (log: $dir/poold.log)"
"$bin/tools/pool_miner/pool-miner" -o "stratum+tcp://127.0.0.1:$stratum_port" -u "$miner_a.alice" -t 1 >"$dir/miner-a.log" 2>&1 &
pids+=($!)
"$bin/tools/pool_miner/pool-miner" -o "stratum+tcp://127.0.0.1:$stratum_port" -u "$miner_b.bob" -t 1 >"$dir/miner-b.log" 2>&1 &
pids+=($!)
echo "== miners: alice ($miner_a) and bob ($miner_b), one CPU thread each"
echo "== waiting for blocks to be found, to mature (100 confirmations) and for both miners to be paid..."

q() { sqlite3 -batch -noheader "$dir/pool.db" "$1" 2>/dev/null || true; }
start=$(date +%s)
while true; do
  paid=$(q "SELECT COUNT(DISTINCT address) FROM payment_items i JOIN payments p ON p.id = i.payment_id WHERE p.status = 'sent' AND address IN ('$miner_a','$miner_b')")
  [[ "${paid:-0}" == 2 ]] && break
  if (( $(date +%s) - start > 240 )); then echo "== (not everything happened within 4 minutes; see $dir/poold.log)"; break; fi
  sleep 2
done

btc() { awk -v s="$1" 'BEGIN { printf "%.8f", s / 100000000 }'; }
echo
echo "================ what happened ================"
echo "blocks found by the pool: $(q "SELECT COUNT(*) FROM blocks") (confirmed $(q "SELECT COUNT(*) FROM blocks WHERE status='confirmed'"), pending $(q "SELECT COUNT(*) FROM blocks WHERE status='pending'"), orphaned $(q "SELECT COUNT(*) FROM blocks WHERE status='orphaned'"))"
for who in "alice:$miner_a" "bob:$miner_b"; do
  name=${who%%:*}; addr=${who#*:}
  shares=$(q "SELECT COUNT(*) FROM shares WHERE address = '$addr'")
  credited=$(q "SELECT COALESCE(SUM(delta_sats),0) FROM balance_changes WHERE address = '$addr' AND reason = 'share_reward'")
  paid_sats=$(q "SELECT COALESCE(SUM(sats),0) FROM payment_items i JOIN payments p ON p.id = i.payment_id WHERE p.status = 'sent' AND address = '$addr'")
  echo "$name: $shares shares accepted, $(btc "$credited") BTC credited, $(btc "$paid_sats") BTC paid"
done
echo "pool fee and rounding kept by the pool: $(btc "$(q "SELECT COALESCE(SUM(sats),0) FROM balances WHERE address = '(pool)'")") BTC"
echo "payout transactions: $(q "SELECT group_concat(txid, ' ') FROM payments WHERE status = 'sent'")"
echo "took $(( $(date +%s) - start )) s; logs and database in $dir"
echo "dashboard and API: http://127.0.0.1:$api_port/"
echo "================================================"
# The first credited block whose PPLNS window a later block of the pool committed on-chain:
# alice checks her credit for it with pool-verify, against the node (docs/transparency.md).
block=$(q "SELECT b.hash FROM blocks b JOIN block_windows w ON w.block_hash = b.hash WHERE b.status = 'confirmed' AND w.commitment_block <> '' AND w.block_hash IN (SELECT block_hash FROM window_leaves WHERE address = '$miner_a') ORDER BY b.height LIMIT 1")
if [[ -n "$block" ]]; then
  echo "== alice checks her credit for block $block:"
  echo "   pool-verify --api http://127.0.0.1:$api_port --block $block --address $miner_a --rpc-url http://pool:pool@127.0.0.1:$rpc_port"
  "$bin/tools/pool_verify/pool-verify" --api "http://127.0.0.1:$api_port" --block "$block" --address "$miner_a" \
    --rpc-url "http://pool:pool@127.0.0.1:$rpc_port" | sed 's/^/   /' || true
fi
[[ "${DEMO_EXIT:-0}" == 1 ]] && exit 0
echo "running until Ctrl-C"
while true; do sleep 1; done
