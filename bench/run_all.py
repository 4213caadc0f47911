#!/usr/bin/python3
"""scripts/bench: the pipeline on generated traffic against baselines measured in the same run,
then the targets. Each figure is a median of --runs timed runs; configurations alternate so
drift hits them alike.

Baselines: (a) bare capture (--capture-only: the same port read, mbufs freed, nothing
classified); (b) raw Hyperscan on the same payload bytes (build-test/bench/scan_cost).
"""
import argparse
import os
import statistics
import subprocess
import struct
import sys
import tempfile
import time

import replay

DATA = os.path.join(replay.ROOT, "build-test", "bench-data")


def pcap(kind, flows=100000, seed=20150520, name=None):
    path = os.path.join(DATA, f"{name or kind}.pcap")
    if not os.path.exists(path):
        os.makedirs(DATA, exist_ok=True)
        subprocess.run(["/usr/bin/python3", os.path.join(replay.ROOT, "scripts", "gen_mix.py"),
                        path, "--kind", kind, "--flows", str(flows), "--seed", str(seed)],
                       check=True)
    return path


def small_frames_of(src, limit=80):
    """The frames of `src` of at most `limit` bytes, as their own capture (the mix's SYNs,
    ACKs, FINs and short requests: where per-flow work weighs most)."""
    path = os.path.join(DATA, f"{os.path.basename(src)[:-5]}-le{limit}.pcap")
    if not os.path.exists(path):
        with open(src, "rb") as f, open(path + ".tmp", "wb") as out:
            out.write(f.read(24))
            while len(h := f.read(16)) == 16:
                data = f.read(struct.unpack("<IIII", h)[2])
                if len(data) <= limit:
                    out.write(h + data)
        os.replace(path + ".tmp", path)
    return path


def start_up(runs, one_packet):
    """Seconds from exec to exit of `pktsieve --pcap` on a one-packet file with the shipped
    rules and the ET sample, and of `pktsieve --help` (loading the program and its libraries:
    the floor), alternating; medians."""
    rules = ["--rules", replay.RULES]
    sample = os.path.join(replay.ROOT, "..", "shared", "rules", "et-open-sample.rules")
    if os.path.exists(sample):
        rules += ["--rules", sample]
    times = {"pcap": [], "help": []}
    for _ in range(runs):
        for name, cmd in (("pcap", [replay.PKTSIEVE, "--pcap", one_packet, *rules, "-q"]),
                          ("help", [replay.PKTSIEVE, "--help"])):
            t0 = time.monotonic()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.monotonic() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def one_packet_pcap(src):
    path = os.path.join(DATA, "one-packet.pcap")
    with open(src, "rb") as f:
        head = f.read(24)
        h = f.read(16)
        data = f.read(struct.unpack("<IIII", h)[2])
    with open(path, "wb") as out:
        out.write(head + h + data)
    return path


def eve_replay(seconds, threats):
    """The daemon on an endless replay of the generated attacks with an EVE log: alerts
    raised and lines written per second, and how many alerts went unlogged."""
    sample = os.path.join(replay.ROOT, "..", "shared", "rules", "et-open-sample.rules")
    eve = tempfile.mktemp(suffix=".json")
    try:
        pps, s = replay.run(threats, seconds, ["--eve", eve] +
                            (["--rules", sample] if os.path.exists(sample) else []))
        with open(eve, "rb") as f:
            lines = sum(1 for line in f if b'"event_type":"alert"' in line)
    finally:
        if os.path.exists(eve):
            os.unlink(eve)
    a = s["alerts"]
    return {"alerts": a["total"] / s["elapsed_seconds"], "lines": lines / s["elapsed_seconds"],
            "unlogged": a["unlogged"], "total": a["total"], "pps": pps}


def figures(pps, s):
    w = s["workers"][0]
    received = max(1, s["packets"]["received"])
    window = s["window"]
    return {"pps": pps, "gbps": window["bytes"] * 8 / window["seconds"] / 1e9,
            "cycles": s["tsc_hz"] / pps * len(s["workers"]) if pps else 0,
            "scanned": s["scan"]["packets"] / received, "workers": len(s["workers"]),
            "lcore": w["lcore"]}


def measure(configs, runs, seconds):
    results = {name: [] for name in configs}
    for _ in range(runs):
        for name, (path, options, queues, busy) in configs.items():
            results[name].append(figures(*replay.run(path, seconds, options, queues, busy)))
    out = {}
    for name, rs in results.items():
        med = statistics.median(r["pps"] for r in rs)
        out[name] = min(rs, key=lambda r: abs(r["pps"] - med))  # the median run's figures
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2)
    args = ap.parse_args()
    mix, small = pcap("mix"), pcap("small")
    # Frames <= 80 bytes of a mix generated with another seed (not the one tuned on).
    small80 = small_frames_of(pcap("mix", seed=20260101, name="mix-heldout"))
    # Two workers in queues mode: each queue replays its own half of the flows.
    halves = [pcap("mix", 50000, seed, f"mix-half{seed}") for seed in (1, 2)]
    small_halves = [pcap("small", 50000, seed, f"small-half{seed}") for seed in (1, 2)]
    print(f"machine: {os.cpu_count()} CPUs; {args.seconds} s per run after {replay.WARM_UP} s of "
          f"warm-up; medians of {args.runs}; 1 worker unless said; shipped rules")
    configs = {
        "mix: bare capture": (mix, ["--capture-only"], 1, 1),
        "mix: pktsieve (stream)": (mix, [], 1, 1),
        "mix: pktsieve (block)": (mix, ["--tcp-matching", "block"], 1, 1),
        "le80: bare capture": (small80, ["--capture-only"], 1, 1),
        "le80: pktsieve (stream)": (small80, [], 1, 1),
        "small: bare capture": (small, ["--capture-only"], 1, 1),
        "small: pktsieve (stream)": (small, [], 1, 1),
        "mix: 2 workers (software)": (mix, ["--workers", "2", "--distribution", "software"], 1, 3),
        "mix: 2 workers (queues)": (halves, ["--workers", "2", "--distribution", "queues"], 2, 2),
        "small: 2 workers (queues)": (small_halves, ["--workers", "2", "--distribution", "queues"],
                                      2, 2),
    }
    r = measure(configs, args.runs, args.seconds)
    print(f"\n{'configuration':<34} {'Mpps':>8} {'Gbit/s':>8} {'cyc/pkt':>8} {'scanned':>8} "
          f"{'vs bare':>8}")
    for name, f in r.items():
        bare = r[name.split(":")[0] + ": bare capture"]["pps"]
        print(f"{name:<34} {f['pps'] / 1e6:8.2f} {f['gbps']:8.2f} {f['cycles']:8.0f} "
              f"{f['scanned'] * 100:7.1f}% {f['pps'] / bare:8.2f}")
    print("\nraw Hyperscan on the same payload bytes (mix):")
    cost = subprocess.run([os.path.join(replay.ROOT, "build-test", "bench", "scan_cost"), mix],
                          capture_output=True, text=True, check=True).stdout
    print(cost, end="")
    # The per-byte scanning cost: the pipeline fed the frames whose payloads raw Hyperscan scanned.
    ratio = float([l for l in cost.splitlines() if "stream matching" in l][-1].split()[-1])

    print("\nper stage, without DPDK (build-test/bench/stage_cost, 64-byte frames):")
    print(subprocess.run([os.path.join(replay.ROOT, "build-test", "bench", "stage_cost"), small,
                          replay.RULES, "5"], capture_output=True, text=True, check=True).stdout,
          end="")

    print("\nmicrobenchmarks (build-test/bench/micro, Catch2 BENCHMARK, mean of 20 samples):")
    xml = subprocess.run([os.path.join(replay.ROOT, "build-test", "bench", "micro"),
                          "--benchmark-samples", "20", "-r", "xml"],
                         capture_output=True, text=True, check=True).stdout
    import xml.etree.ElementTree as ET
    for b in ET.fromstring(xml).iter("BenchmarkResults"):
        print(f"  {b.get('name'):<62} {float(b.find('mean').get('value')):8.1f} ns")

    print("\nstart-up (medians of 9): ", end="", flush=True)
    threats_dir = os.path.join(DATA, "traffic")
    if not os.path.exists(os.path.join(threats_dir, "threats.pcap")):
        subprocess.run(["/usr/bin/python3", os.path.join(replay.ROOT, "scripts", "gen_traffic.py"),
                        threats_dir], check=True, stdout=subprocess.DEVNULL)
    threats = os.path.join(threats_dir, "threats.pcap")
    up = start_up(9, one_packet_pcap(threats))
    print(f"pktsieve --pcap (one packet, shipped rules + ET sample) {up['pcap']:.3f} s; "
          f"pktsieve --help {up['help']:.3f} s")

    print("\nEVE alert lines (build-test/bench/eve_rate, medians of 5):")
    rate = subprocess.run([os.path.join(replay.ROOT, "build-test", "bench", "eve_rate")],
                          capture_output=True, text=True, check=True).stdout
    print(rate, end="")
    eve_lines = float([l for l in rate.splitlines() if "EveAlertWriter" in l][0].split()[2])
    ev = eve_replay(args.seconds, threats)
    print(f"  the daemon on an endless replay of the attacks, 1 worker: {ev['alerts']:,.0f} "
          f"alerts/s raised, {ev['lines']:,.0f} lines/s written, {ev['unlogged']:,} of "
          f"{ev['total']:,} unlogged")

    mix_ratio = r["mix: pktsieve (stream)"]["pps"] / r["mix: bare capture"]["pps"]
    le80_ratio = r["le80: pktsieve (stream)"]["pps"] / r["le80: bare capture"]["pps"]
    small_pps = r["small: pktsieve (stream)"]["pps"]
    small_ratio = small_pps / r["small: bare capture"]["pps"]
    sw = r["mix: 2 workers (software)"]["pps"] / r["mix: pktsieve (stream)"]["pps"]
    qs = r["mix: 2 workers (queues)"]["pps"] / r["mix: pktsieve (stream)"]["pps"]
    held = lambda ok: "holds" if ok else "MISSED"  # noqa: E731
    print("\ntargets (per worker core, shipped rules):")
    print(f"  mix >= 60% of bare capture:            {mix_ratio * 100:5.1f}%  {held(mix_ratio >= 0.6)}")
    print(f"  frames <= 80 B >= 50% of bare capture: {le80_ratio * 100:5.1f}%  {held(le80_ratio >= 0.5)}")
    print(f"  64-byte frames >= 10 Mpps (goal 14.88): {small_pps / 1e6:5.2f}   {held(small_pps >= 10e6)}")
    print(f"  64-byte frames, share of bare capture: {small_ratio * 100:5.1f}%")
    small2 = r["small: 2 workers (queues)"]["pps"]
    print(f"  64-byte frames, the machine's 2 vCPUs (2 workers, queues): {small2 / 1e6:5.2f} Mpps"
          f"  {held(small2 >= 10e6)}")
    print(f"  start-up on a one-packet pcap <= 0.25 s: {up['pcap']:5.3f}  {held(up['pcap'] <= 0.25)}")
    print(f"  EVE >= 10^6 alert lines/s to a file:   {float(eve_lines) / 1e6:5.2f} M  "
          f"{held(eve_lines >= 1e6)}")
    print(f"  scan cost <= 1.5x raw Hyperscan:       {ratio:5.2f}x  {held(ratio <= 1.5)}  "
          "(stream, payload frames)")
    print(f"  2 workers >= 1.8x one (queues):        {qs:5.2f}x  {held(qs >= 1.8)}")
    print(f"  2 workers >= 1.8x one (software):      {sw:5.2f}x  {held(sw >= 1.8)}")
    print(f"  (this machine has {os.cpu_count()} CPUs; main and aggregator share the first)")

    # The whole ET Open snapshot loaded (skipped, saying so, where the snapshot is absent).
    print("\nfull ET Open set (bench/full_set.py):", flush=True)
    subprocess.run(["/usr/bin/python3", os.path.join(replay.HERE, "full_set.py")], check=True)


if __name__ == "__main__":
    sys.exit(main())
