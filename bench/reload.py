#!/usr/bin/python3
"""Reload cost: compile time of the shipped set and the ET Open sample (medians of --runs
`--check-rules`), then, under an in-memory replay with 2 workers, --reloads reloads alternating
the two sets: compile and grace-period times per reload, the longest worker pause a reload
caused (measured by the worker loop: reload.max_pause_us), and resident memory during reloads
against steady state measured in the same run before them.

  bench/reload.py [--pktsieve PATH] [--ctl PATH] [--runs N] [--reloads N] [--et FILE]
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import replay

ET = os.path.join(replay.ROOT, "..", "shared", "rules", "et-open-sample.rules")


def compile_seconds(pktsieve, rules):
    r = subprocess.run([pktsieve, "--check-rules", rules, "--rule-cache", "none"],
                       capture_output=True, text=True)
    m = re.search(r"(\d+) rules loaded, (\d+) failed, (\d+) skipped.*compiled in ([0-9.]+) s",
                  r.stdout)
    if r.returncode != 0 or not m:
        raise SystemExit(f"--check-rules {rules} failed: {r.stdout}{r.stderr}")
    return int(m.group(1)), float(m.group(4))


def kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reload_loop(ctl, pid, reload_args):
    """One `pktsieve-ctl --json reload ARGS...` per item of reload_args: the compile and grace
    times each reply gives (us), resident memory after each (KiB), and the peak (KiB)."""
    compile_us, grace_us, during = [], [], []
    for a in reload_args:
        r = ctl("--json", "reload", *a)
        if r.returncode != 0:
            raise SystemExit(f"reload failed: {r.stdout}{r.stderr}")
        reply = json.loads(r.stdout)
        compile_us.append(reply["compile_us"])
        grace_us.append(reply["grace_us"])
        during.append(kib(pid, "VmRSS"))
    return compile_us, grace_us, during, kib(pid, "VmHWM")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pktsieve", default=replay.PKTSIEVE)
    ap.add_argument("--ctl", default=os.path.join(os.path.dirname(replay.PKTSIEVE), "..",
                                                  "pktsieve-ctl", "pktsieve-ctl"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reloads", type=int, default=40)
    ap.add_argument("--et", default=ET)
    args = ap.parse_args()
    sets = [("shipped", replay.RULES)] + ([("et-open-sample", args.et)]
                                          if os.path.exists(args.et) else [])
    print("compile time (--check-rules, median of %d):" % args.runs)
    for name, path in sets:
        runs = [compile_seconds(args.pktsieve, path) for _ in range(args.runs)]
        print(f"  {name:<16} {runs[0][0]:>4} rules  {statistics.median(r[1] for r in runs) * 1000:8.1f} ms")

    out = tempfile.mkdtemp(prefix="pktsieve-bench-reload-")
    subprocess.run(["/usr/bin/python3", os.path.join(replay.ROOT, "scripts", "gen_traffic.py"), out],
                   check=True)
    pcap = os.path.join(out, "sample.pcap")
    prefix = f"bench-reload-{os.getpid()}"
    stats_path = os.path.join(out, "s.json")
    vdev = f"net_pcap0,rx_pcap={pcap},rx_pcap={pcap},infinite_rx=1"
    proc = subprocess.Popen(
        [args.pktsieve, "--no-huge", "-m", "1024", "--no-pci", "--log-level=*:error",
         f"--file-prefix={prefix}", "--lcores=" + replay.lcores(5), f"--vdev={vdev}", "--",
         "--rules", replay.RULES, "--rule-cache", "none", "--workers", "2", "-q", "--stats-json",
         stats_path],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ctl = lambda *a: subprocess.run([args.ctl, "--file-prefix", prefix, *a], capture_output=True,
                                    text=True, timeout=60)
    try:
        time.sleep(3)
        steady = max(kib(proc.pid, "VmRSS") for _ in range(10) if not time.sleep(0.1))
        compile_us, grace_us, during, peak = reload_loop(
            ctl, proc.pid,
            [["--rules", sets[(i + 1) % len(sets)][1]] for i in range(args.reloads)])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    with open(stats_path) as f:
        s = json.load(f)
    print(f"{args.reloads} reloads under replay (2 workers, {s['packets']['received']} packets, "
          f"received = parsed + malformed: {s['packets']['received'] == s['packets']['parsed'] + s['packets']['malformed']}):")
    print(f"  compile in the daemon   median {statistics.median(compile_us) / 1000:8.1f} ms, "
          f"max {max(compile_us) / 1000:.1f} ms")
    print(f"  RCU grace period        median {statistics.median(grace_us) / 1000:8.3f} ms, "
          f"max {max(grace_us) / 1000:.3f} ms")
    print(f"  longest worker pause    {s['reload']['max_pause_us']} us "
          f"({s['reload']['switches']} switches)")
    print(f"  resident memory         steady {steady} KiB, during reloads median "
          f"{int(statistics.median(during))} KiB, peak {peak} KiB (x{peak / steady:.3f})")


if __name__ == "__main__":
    sys.exit(main())
