#!/usr/bin/python3
"""A change against the commit before it, in one run: the daemon of REV (built in a worktree
under build-base/) and of this tree (build-test/), each with its own shipped rules, replay the
same capture alternately; medians of --runs, and the ratio.

  bench/ab.py REV [--kind mix|small] [--runs 5] [--seconds 2]
"""
import argparse
import os
import statistics
import subprocess
import sys

import replay
import run_all


def build_base(rev):
    tree = os.path.join(replay.ROOT, "build-base", rev)
    if not os.path.isdir(tree):
        subprocess.run(["git", "-C", replay.ROOT, "worktree", "add", "--detach", tree, rev],
                       check=True, capture_output=True)
    subprocess.run([os.path.join(tree, "scripts", "build"), os.path.join(tree, "build-test"),
                    "-Dwerror=true", "--buildtype=debugoptimized"], check=True, cwd=tree)
    return tree


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rev")
    ap.add_argument("--kind", default="mix")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2)
    args = ap.parse_args()
    base = build_base(args.rev)
    capture = run_all.pcap(args.kind)
    trees = {args.rev: base, "HEAD": replay.ROOT}
    pps = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, tree in trees.items():
            p, _ = replay.run(capture, args.seconds, [],
                              pktsieve=os.path.join(tree, "build-test/apps/pktsieve/pktsieve"),
                              rules=os.path.join(tree, "signatures/pktsieve.rules"))
            pps[name].append(p)
    med = {name: statistics.median(v) for name, v in pps.items()}
    for name, v in pps.items():
        print(f"{name:>12}: {med[name] / 1e6:7.3f} Mpps median of "
              + ", ".join(f"{x / 1e6:.3f}" for x in v))
    print(f"HEAD / {args.rev}: {med['HEAD'] / med[args.rev]:.3f} ({args.kind}, 1 worker)")


if __name__ == "__main__":
    sys.exit(main())
