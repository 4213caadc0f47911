#!/usr/bin/python3
"""The whole ET Open snapshot loaded (issue: rule sets at scale), measured in one run:

1. compile: `--check-rules` on the concatenated snapshot, median of --runs: wall time, peak
   resident memory, per-stage times and counts as pktsieve prints them;
2. speed: the ~400-byte mix (scripts/gen_mix.py), 1 worker, stream mode: bare capture, the
   shipped rules, and the shipped rules plus the whole snapshot, alternating, medians;
3. reload under traffic: 2 workers on an in-memory replay of the mix running the full set,
   --reloads reloads of the full set through pktsieve-ctl: compile time inside the daemon, RCU
   grace period, the longest worker pause (reload.max_pause_us), resident memory during
   reloads against the steady state measured before them.

  bench/full_set.py [--runs N] [--seconds S] [--reloads N] [--snapshot DIR]
"""
import argparse
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import replay
from reload import kib, reload_loop

sys.path.insert(0, os.path.join(replay.ROOT, "scripts"))
import et_open_rules  # noqa: E402
from run_all import figures, pcap  # noqa: E402

CTL = os.path.join(replay.ROOT, "build-test", "apps", "pktsieve-ctl", "pktsieve-ctl")


def check(rules):
    """One --check-rules: (wall seconds, peak KiB of that child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    p = subprocess.Popen([replay.PKTSIEVE, "--check-rules", rules, "--rule-cache", "none"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    seconds = time.monotonic() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode != 0:
        raise SystemExit(f"--check-rules failed ({p.returncode}): {out[:3000]}{err}")
    return seconds, max(peak, before), out


def compile_figures(rules, runs):
    results = [check(rules) for _ in range(runs)]
    med = statistics.median(r[0] for r in results)
    out = min(results, key=lambda r: abs(r[0] - med))[2]
    print(f"compile (--check-rules, median of {runs}): {med:.1f} s wall, peak resident "
          f"{max(r[1] for r in results) / 1024:.0f} MiB")
    for line in out.splitlines()[:2]:
        print("  " + line.split(": ", 1)[-1] if line.startswith("/") else line)
    reasons = [l for l in out.splitlines() if re.match(r"^  (failed|skipped) +\d+  ", l)]
    print("  top reasons rules are left out:")
    for l in reasons[:12]:
        print("  " + l)
    return med


def speed(rules, runs, seconds):
    mix = pcap("mix")
    configs = {
        "mix: bare capture": ["--capture-only"],
        "mix: shipped rules": [],
        "mix: shipped + ET Open": ["--rules", rules],
    }
    res = {n: [] for n in configs}
    for _ in range(runs):
        for name, opts in configs.items():
            res[name].append(figures(*replay.run(mix, seconds, opts)))
    med = {}
    for name, rs in res.items():
        m = statistics.median(r["pps"] for r in rs)
        med[name] = min(rs, key=lambda r: abs(r["pps"] - m))
    bare = med["mix: bare capture"]["pps"]
    print(f"\nspeed, ~400-byte mix, 1 worker, stream mode, {seconds} s per run, medians of {runs}:")
    print(f"  {'configuration':<26} {'Mpps':>7} {'cyc/pkt':>8} {'scanned':>8} {'vs bare':>8}")
    for name, f in med.items():
        print(f"  {name:<26} {f['pps'] / 1e6:7.2f} {f['cycles']:8.0f} {f['scanned'] * 100:7.1f}% "
              f"{f['pps'] / bare:8.2f}")
    ratio = med["mix: shipped + ET Open"]["pps"] / bare
    print(f"  target: shipped + ET Open >= 30% of bare capture: {ratio * 100:.1f}% "
          f"{'holds' if ratio >= 0.3 else 'MISSED'}")


def reload_under_traffic(rules, reloads):
    mix = pcap("mix", 20000, 7, "mix-20k")
    work = tempfile.mkdtemp(prefix="pktsieve-bench-full-")
    prefix = f"bench-full-{os.getpid()}"
    stats_path = os.path.join(work, "s.json")
    mbufs = 2 * replay.packets_in(mix) + 65536
    vdev = f"net_pcap0,rx_pcap={mix},rx_pcap={mix},infinite_rx=1"
    proc = subprocess.Popen(
        [replay.PKTSIEVE, "--no-huge", "-m", "3072", "--no-pci", "--log-level=*:error",
         f"--file-prefix={prefix}", "--lcores=" + replay.lcores(4), f"--vdev={vdev}", "--",
         "--rules", replay.RULES, "--rules", rules, "--rule-cache", "none", "--workers", "2", "--distribution", "queues", "-q", "--mbufs", str(mbufs),
         "--stats-json", stats_path],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    ctl = lambda *a: subprocess.run([CTL, "--file-prefix", prefix, *a], capture_output=True,  # noqa: E731
                                    text=True, timeout=600)
    try:
        replay.wait_running(prefix, proc)
        time.sleep(3)
        steady = max(kib(proc.pid, "VmRSS") for _ in range(10) if not time.sleep(0.1))
        compile_us, grace_us, during, peak = reload_loop(ctl, proc.pid, [[]] * reloads)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=300)
    with open(stats_path) as f:
        s = json.load(f)
    p = s["packets"]
    print(f"\nreload of the full set under traffic: {reloads} reloads, 2 workers, "
          f"{p['received']} packets, received = parsed + malformed: "
          f"{p['received'] == p['parsed'] + p['malformed']}")
    print(f"  compile in the daemon   median {statistics.median(compile_us) / 1e6:6.1f} s, "
          f"max {max(compile_us) / 1e6:.1f} s (the workers hold both vCPUs)")
    print(f"  RCU grace period        median {statistics.median(grace_us) / 1000:6.3f} ms, "
          f"max {max(grace_us) / 1000:.3f} ms")
    pause, switch = s["reload"]["max_pause_us"], s["reload"]["max_switch_us"]
    print(f"  adopting the new set    longest {switch} us per worker (reload.max_switch_us)  "
          f"target <= 100 us: {'holds' if switch <= 100 else 'MISSED'}")
    print(f"  loop iteration with the switch and the first burst under the new set: longest "
          f"{pause} us ({s['reload']['switches']} switches; cold caches for the new databases)")
    ratio = peak / steady
    print(f"  resident memory         steady {steady} KiB, during reloads median "
          f"{int(statistics.median(during))} KiB, peak {peak} KiB (x{ratio:.2f})  "
          f"target <= 2.2x: {'holds' if ratio <= 2.2 else 'MISSED'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--reloads", type=int, default=3)
    ap.add_argument("--snapshot", default=et_open_rules.SNAPSHOT)
    ap.add_argument("--reload-only", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.snapshot):
        print(f"full set: no ET Open snapshot at {args.snapshot}; skipped")
        return 0
    rules = et_open_rules.write(tempfile.mkdtemp(prefix="pktsieve-et-"), args.snapshot)
    print(f"machine: {os.cpu_count()} CPUs; ET Open snapshot {os.path.abspath(args.snapshot)}")
    if not args.reload_only:
        compile_figures(rules, args.runs)
    if not args.reload_only:
        speed(rules, args.runs, args.seconds)
    reload_under_traffic(rules, args.reloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
