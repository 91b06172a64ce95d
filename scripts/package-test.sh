#!/usr/bin/env bash
# Checks the installation as an operator meets it, on an existing build directory (build/ or
# $BUILD_DIR): `cmake --install` into a temporary prefix (config never overwritten), then the
# Debian package: built with CPack, installed with apt-get, the unit accepted by
# `systemd-analyze verify`, `poold --check-config` on the installed config passing against a node
# (the installed test node on the port and credentials that config names), the service user able
# to write its state directory, an edited conffile surviving a reinstall and an upgrade, and
# `apt-get purge` removing the database and configuration. Needs root; leaves nothing installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$(cd "${BUILD_DIR:-build}" && pwd)
pkg=bitcoin-mining-pool
user=bitcoin-mining-pool
etc=/etc/bitcoin-mining-pool
state=/var/lib/bitcoin-mining-pool
unit=/lib/systemd/system/bitcoin-mining-pool.service
export DEBIAN_FRONTEND=noninteractive

fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
installed() { [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]]; }
[[ $(id -u) -eq 0 ]] || fail "needs root (it installs and purges the package)"
installed && fail "$pkg is already installed on this machine; this check installs and purges it, so remove it first"

tmp=$(mktemp -d /tmp/pool-package.XXXXXX)
node_pid=""
cleanup() {
  [[ -n "$node_pid" ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
  installed && apt-get purge -y -qq "$pkg" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== cmake --install into a temporary prefix"
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/poold bin/testnode bin/pool-miner bin/stratum-bench share/man/man1/poold.1.gz \
         etc/bitcoin-mining-pool/config.ini lib/systemd/system/bitcoin-mining-pool.service \
         share/bitcoin-mining-pool/grafana/bitcoin-mining-pool.json share/bitcoin-mining-pool/prometheus/alerts.yml; do
  [[ -e "$prefix/$f" ]] || fail "cmake --install did not install $f"
done
grep -qx "ExecStart=$prefix/bin/poold --config $prefix/etc/bitcoin-mining-pool/config.ini" \
  "$prefix/lib/systemd/system/bitcoin-mining-pool.service" || fail "the unit's ExecStart does not name the prefix"
echo "# kept" >> "$prefix/etc/bitcoin-mining-pool/config.ini"
cmake --install "$build" --prefix "$prefix" >/dev/null
grep -qx "# kept" "$prefix/etc/bitcoin-mining-pool/config.ini" || fail "a second cmake --install overwrote config.ini"
[[ -f "$prefix/etc/bitcoin-mining-pool/config.ini.new" ]] || fail "a second cmake --install did not put config.ini.new beside it"

echo "== Debian package (CPack)"
rm -rf "$build/package"
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/package/${pkg}_*_"$(dpkg --print-architecture)".deb)
echo "built $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libssl3 libsqlite3-0 libpq5 libzmq5 adduser; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[[ $(dpkg-deb -I "$deb" conffiles) == "$etc/config.ini" ]] || fail "$etc/config.ini is not the package's conffile"

apt-get install -y -qq "$deb" >/dev/null
installed || fail "apt-get install did not install $pkg"
poold --version | grep -q "bitcoin-mining-pool" || fail "poold --version"
poold --self-check >/dev/null || fail "poold --self-check"
getent passwd "$user" >/dev/null || fail "postinst did not create the user $user"
[[ $(stat -c %U "$state") == "$user" ]] || fail "$state is not owned by $user"
[[ $(stat -c '%U:%G %a' "$etc/config.ini") == "root:$user 640" ]] || fail "$etc/config.ini is not root:$user 0640"
[[ -L /etc/systemd/system/multi-user.target.wants/bitcoin-mining-pool.service ]] || fail "the unit is not enabled"
grep -q '^db_path = sqlite:////var/lib/bitcoin-mining-pool/pool.db$' "$etc/config.ini" || fail "db_path is not in $state"
# verify only warns (exit 0) on many mistakes: any output fails. The man page is installed, so
# its Documentation=man:poold(1) is checked too.
verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify rejects $unit: $verify"
[[ -z "$verify" ]] || fail "systemd-analyze verify warns about $unit: $verify"

echo "== poold --check-config on the installed config, against the installed test node"
read -r port rpcuser rpcpass < <(python3 - "$etc/config.ini" <<'PY'
import configparser, sys
c = configparser.ConfigParser()
c.read(sys.argv[1])
print(c["bitcoin"]["port"], c["bitcoin"]["user"], c["bitcoin"]["password"])
PY
)
testnode --host 127.0.0.1 --port "$port" --user "$rpcuser" --password "$rpcpass" >"$tmp/testnode.log" 2>&1 &
node_pid=$!
for _ in $(seq 100); do grep -q "JSON-RPC on" "$tmp/testnode.log" && break; kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
grep -q "JSON-RPC on" "$tmp/testnode.log" || fail "testnode did not start on port $port: $(cat "$tmp/testnode.log")"
check() { runuser -u "$user" -- poold --check-config --config "$etc/config.ini"; }
check | tee "$tmp/check1" || fail "poold --check-config failed on the installed config"
grep -q "^ok    node" "$tmp/check1" || fail "check-config did not reach the node"
# The service user creates the database in its state directory; check-config then migrates it.
runuser -u "$user" -- touch "$state/pool.db"
check | tee "$tmp/check2" || fail "poold --check-config failed with the database in $state"
grep -q "^ok    database sqlite opened and migrated" "$tmp/check2" || fail "the service user cannot migrate $state/pool.db"
kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""

echo "== an edited config survives a reinstall and an upgrade; the database stays"
echo "# edited by the operator" >> "$etc/config.ini"
apt-get install -y -qq --reinstall "$deb" >/dev/null
grep -qx "# edited by the operator" "$etc/config.ini" || fail "reinstall replaced the edited $etc/config.ini"
version=$(dpkg-deb -f "$deb" Version)
mkdir "$tmp/next"
dpkg-deb -R "$deb" "$tmp/next/root"
sed -i "s/^Version: .*/Version: ${version}+next1/" "$tmp/next/root/DEBIAN/control"
dpkg-deb -b "$tmp/next/root" "$tmp/next/${pkg}_${version}+next1.deb" >/dev/null
apt-get install -y -qq "$tmp/next/${pkg}_${version}+next1.deb" >/dev/null
[[ $(dpkg-query -W -f='${Version}' "$pkg") == "${version}+next1" ]] || fail "the upgrade did not install"
grep -qx "# edited by the operator" "$etc/config.ini" || fail "the upgrade replaced the edited $etc/config.ini"
[[ -f "$state/pool.db" ]] || fail "the upgrade lost $state/pool.db"

echo "== apt-get purge removes the database and configuration"
apt-get purge -y -qq "$pkg" >/dev/null
installed && fail "apt-get purge left $pkg installed"
for gone in "$state" "$etc" /usr/bin/poold "$unit" /etc/systemd/system/multi-user.target.wants/bitcoin-mining-pool.service; do
  [[ ! -e "$gone" ]] || fail "$gone is still there after purge"
done
echo "package-test: all checks passed ($(basename "$deb"))"
