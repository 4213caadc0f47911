#!/usr/bin/python3
"""Worker scaling: packets per second of 1 worker vs 2 (or more) workers on an in-memory replay
(net_pcap infinite_rx), measured in one run, alternating configurations, medians of N runs.

  bench/workers.py [--pktsieve PATH] [--pcap FILE] [--seconds S] [--runs N] [--workers 1,2]

Two distributions are measured:
  queues    each worker polls its own net_pcap queue (every queue replays the file); no RX lcore
  software  one RX lcore replays the file and hashes flows onto the workers' rings
Lcores are mapped round robin onto the CPUs this process may use (main and aggregator on the
first, busy lcores from the second on); on a machine with fewer CPUs than busy lcores the ratio shows the
oversubscription, not the code.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def lcores(n_lcores):
    cpus = sorted(os.sched_getaffinity(0))
    # main (0) and aggregator (1) mostly sleep: they share the first CPU; the busy lcores (RX,
    # workers) start on the next CPU, so a single busy lcore has a CPU to itself.
    m = ["0@%d" % cpus[0], "1@%d" % cpus[0]]
    m += ["%d@%d" % (i, cpus[(i - 1) % len(cpus)]) for i in range(2, n_lcores)]
    return ",".join(m)


def run_once(args, mode, workers):
    queues = workers if mode == "queues" else 1
    n_lcores = 2 + workers + (1 if mode == "software" else 0)
    vdev = "net_pcap0," + ",".join(["rx_pcap=" + args.pcap] * queues) + ",infinite_rx=1"
    out = tempfile.mktemp(suffix=".json")
    cmd = [args.pktsieve, "--no-huge", "-m", "2048", "--no-pci", "--log-level=*:error",
           "--file-prefix=bench-workers-%d" % os.getpid(), "--lcores=" + lcores(n_lcores),
           "--vdev=" + vdev, "--", "--rules", args.rules, "--workers", str(workers),
           "--distribution", mode, "--stats-json", out, "-q"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(args.seconds)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    if p.returncode != 0:
        raise SystemExit(f"pktsieve failed: {err}")
    with open(out) as f:
        s = json.load(f)
    os.unlink(out)
    return s["packets"]["received"] / s["elapsed_seconds"], s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pktsieve", default=os.path.join(ROOT, "build-test/apps/pktsieve/pktsieve"))
    ap.add_argument("--pcap", default=os.path.join(ROOT, "tests/data/sample.pcap"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "signatures/pktsieve.rules"))
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--modes", default="queues,software")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    modes = args.modes.split(",")
    print(f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable); "
          f"pcap {os.path.basename(args.pcap)}; {args.seconds} s per run; medians of {args.runs}")
    results = {(m, w): [] for m in modes for w in counts}
    for _ in range(args.runs):  # alternate, so drift hits every configuration alike
        for m in modes:
            for w in counts:
                results[(m, w)].append(run_once(args, m, w)[0])
    for m in modes:
        base = statistics.median(results[(m, counts[0])])
        for w in counts:
            med = statistics.median(results[(m, w)])
            print(f"{m:<9} {w} worker(s): {med / 1e6:8.3f} Mpps  "
                  f"(min {min(results[(m, w)]) / 1e6:.3f}, max {max(results[(m, w)]) / 1e6:.3f})  "
                  f"ratio to {counts[0]} worker: {med / base:.2f}  "
                  f"per worker vs {counts[0]}: {med / base / w * counts[0]:.2f}")


if __name__ == "__main__":
    main()
