#!/usr/bin/env bash
# The systemd unit template, filled in to run the built poold, passes `systemd-analyze verify`
# without a single warning (verify exits 0 on unknown values and only warns, so any output
# fails), and carries the hardening and service settings the operator guide promises.
# Usage: check_unit.sh UNIT_TEMPLATE POOLD
set -euo pipefail
template=$1 poold=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit=$tmp/bitcoin-mining-pool.service
sed -e "s|@POOL_BINDIR@|$(dirname "$poold")|" -e "s|@POOL_CONFIG@|/etc/bitcoin-mining-pool/config.ini|" "$template" > "$unit"
# --man=no: the man page is checked once installed (scripts/package-test.sh).
out=$(systemd-analyze verify --man=no "$unit" 2>&1) || { echo "$out"; echo "systemd-analyze verify failed"; exit 1; }
[[ -z "$out" ]] || { echo "$out"; echo "systemd-analyze verify warned"; exit 1; }
status=0
for line in "User=bitcoin-mining-pool" "StateDirectory=bitcoin-mining-pool" "ConfigurationDirectory=bitcoin-mining-pool" \
            "ProtectSystem=full" "NoNewPrivileges=true" "PrivateTmp=true" "PrivateDevices=true" \
            "MemoryDenyWriteExecute=true" "Restart=on-failure" 'ExecReload=/bin/kill -HUP $MAINPID'; do
  grep -qxF "$line" "$unit" || { echo "the unit lacks: $line"; status=1; }
done
grep -qE '^LimitNOFILE=[0-9]+$' "$unit" && (( $(sed -n 's/^LimitNOFILE=//p' "$unit") > 100000 )) ||
  { echo "LimitNOFILE must exceed the default [stratum] max_connections (100000)"; status=1; }
[[ $status -eq 0 ]] && echo "unit: systemd-analyze verify clean, hardening present"
exit $status
