#!/usr/bin/env python3
"""Every metric the Grafana board and the Prometheus alert rules query exists in /metrics.

Starts the test node and a pool (SQLite in a temporary directory), reads /metrics once the pool
has work, extracts every metric name from the board's and the rules' PromQL expressions and
fails for any name that is neither exported nor listed in metrics_expected_later.txt (or `up`,
which Prometheus itself records for every scrape). Also checks the board's structure.
Usage: check_metric_names.py POOLD TESTNODE BOARD_JSON RULES_YML EXPECTED_LATER_TXT
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

PROMETHEUS_OWN = {"up"}  # recorded by Prometheus for each target, not exported by poold
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "offset", "bool", "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk",
            "bottomk", "quantile", "count_values", "group", "inf", "nan"}


def metric_names(expr):
    """Metric names in a PromQL expression (Grafana variables allowed)."""
    e = re.sub(r"\$\{?\w+\}?", "1", expr)                 # $instance, ${datasource}, $__rate_interval
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', e)             # string literals
    e = re.sub(r"\{[^}]*\}", "", e)                       # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                      # range and subquery durations
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", e)  # label lists
    names = set()
    for m in re.finditer(r"(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?", e):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def board_expressions(board):
    exprs = []
    ids = set()
    for panel in board["panels"]:
        assert panel["id"] not in ids, f"panel id {panel['id']} used twice"
        ids.add(panel["id"])
        if panel["type"] == "row":
            continue
        targets = panel.get("targets", [])
        assert targets, f"panel '{panel['title']}' has no query"
        assert panel["datasource"]["uid"] == "${datasource}", f"panel '{panel['title']}' does not use the data source variable"
        exprs += [(f"board panel '{panel['title']}'", t["expr"]) for t in targets]
    for var in board["templating"]["list"]:
        if var["type"] == "query":
            exprs.append((f"board variable ${var['name']}", re.sub(r"label_values\((\w+),.*\)", r"\1", var["definition"])))
    return exprs


def rule_expressions(rules):
    return [(f"alert {r['alert']}", r["expr"]) for g in rules["groups"] for r in g["rules"]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exported_metrics(poold, testnode, workdir):
    node = subprocess.Popen([testnode, "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, text=True)
    pool = None
    try:
        line = node.stdout.readline()
        match = re.search(r":(\d+)\s*$", line)
        assert match, f"testnode did not report its port: {line!r}"
        api_port = free_port()
        config = os.path.join(workdir, "pool.ini")
        with open(config, "w") as f:
            f.write(f"""[bitcoin]
host = 127.0.0.1
port = {match.group(1)}
user = pool
password = pool
[stratum]
host = 127.0.0.1
port = {free_port()}
[database]
db_path = sqlite:///{workdir}/pool.db
[api]
host = 127.0.0.1
port = {api_port}
""")
        log = open(os.path.join(workdir, "poold.log"), "w")
        pool = subprocess.Popen([poold, "--config", config], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        text = ""
        # /metrics names a job's metrics only once the pool has work; wait for that state.
        while time.monotonic() < deadline:
            assert pool.poll() is None, "poold exited:\n" + open(os.path.join(workdir, "poold.log")).read()
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{api_port}/metrics", timeout=5).read().decode()
                if "\npool_job_age_seconds " in text:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        assert "\npool_job_age_seconds " in text, "the pool did not get work within 60 s:\n" + text
        return {re.match(r"[A-Za-z_:][\w:]*", l).group(0) for l in text.splitlines() if l and not l.startswith("#")}
    finally:
        for p in (pool, node):
            if p and p.poll() is None:
                p.terminate()
                p.wait(timeout=30)


def main():
    poold, testnode, board_path, rules_path, later_path = sys.argv[1:6]
    with open(board_path) as f:
        board = json.load(f)
    with open(rules_path) as f:
        rules = yaml.safe_load(f)
    with open(later_path) as f:
        later = {l.split("#")[0].strip() for l in f} - {""}
    used = {}
    for where, expr in board_expressions(board) + rule_expressions(rules):
        names = metric_names(expr)
        assert names, f"{where}: no metric found in {expr!r}"
        for n in names:
            used.setdefault(n, []).append(where)
    with tempfile.TemporaryDirectory(prefix="pool-metrics-") as workdir:
        exported = exported_metrics(poold, testnode, workdir)
    print(f"poold exports {len(exported)} metrics; board and rules use {len(used)}")
    failures = 0
    for name in sorted(used):
        if name in exported or name in PROMETHEUS_OWN:
            continue
        if name in later:
            print(f"expected later: {name} (used by {', '.join(sorted(set(used[name])))})")
            continue
        print(f"MISSING: {name} is not in /metrics (used by {', '.join(sorted(set(used[name])))})")
        failures += 1
    for name in sorted(later & exported):
        print(f"note: {name} is exported now; remove it from {os.path.basename(later_path)}")
    for name in sorted(later - set(used)):
        print(f"UNUSED: {name} is allowed in {os.path.basename(later_path)} but nothing uses it")
        failures += 1
    print("metric names: " + ("all found" if failures == 0 else f"{failures} problem(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
