#!/usr/bin/python3
"""Stream vs block matching of TCP: packets per second of one worker on the same in-memory
replay (net_pcap infinite_rx), alternating the two modes, medians of N runs, ratio measured in
the same run. The replay's sessions end with FIN, so each pass opens fresh flows and stream mode
scans them again (scan bytes per packet are printed to show both modes do the work).

  bench/tcp_matching.py [--pcap FILE] [--seconds S] [--runs N]
"""
import argparse
import os
import statistics

import replay


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pcap", default=replay.SAMPLE)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; pcap {os.path.basename(args.pcap)}; {args.seconds} s "
          f"per run; 1 worker; medians of {args.runs}")
    rates = {"block": [], "stream": []}
    scanned = {}
    for _ in range(args.runs):
        for mode in rates:
            pps, s = replay.run(args.pcap, args.seconds, ["--tcp-matching", mode])
            rates[mode].append(pps)
            scanned[mode] = s["scan"]["bytes"] / max(1, s["packets"]["received"])
    base = statistics.median(rates["block"])
    for mode, r in rates.items():
        med = statistics.median(r)
        print(f"{mode:<7} {med / 1e6:8.3f} Mpps (min {min(r) / 1e6:.3f}, max {max(r) / 1e6:.3f}); "
              f"{scanned[mode]:.1f} scanned bytes/packet; ratio to block {med / base:.2f}")


if __name__ == "__main__":
    main()
