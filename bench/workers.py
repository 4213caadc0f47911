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
import os
import statistics

import replay


def run_once(args, mode, workers):
    queues = workers if mode == "queues" else 1
    busy = workers + (1 if mode == "software" else 0)
    return replay.run(args.pcap, args.seconds, ["--workers", str(workers), "--distribution", mode],
                      queues=queues, busy_lcores=busy, pktsieve=args.pktsieve, rules=args.rules)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pktsieve", default=replay.PKTSIEVE)
    ap.add_argument("--pcap", default=replay.SAMPLE)
    ap.add_argument("--rules", default=replay.RULES)
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
