"""Shared by the replay benchmarks: run the real daemon on a net_pcap infinite_rx replay for a
fixed time and read its final stats."""
import json
import os
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PKTSIEVE = os.path.join(ROOT, "build-test/apps/pktsieve/pktsieve")
SAMPLE = os.path.join(ROOT, "tests/data/sample.pcap")
RULES = os.path.join(ROOT, "signatures/pktsieve.rules")


def lcores(n_lcores):
    """Main (0) and aggregator (1) mostly sleep: they share the first CPU; the busy lcores (RX,
    workers) start on the next CPU, so a single busy lcore has a CPU to itself."""
    cpus = sorted(os.sched_getaffinity(0))
    m = ["0@%d" % cpus[0], "1@%d" % cpus[0]]
    m += ["%d@%d" % (i, cpus[(i - 1) % len(cpus)]) for i in range(2, n_lcores)]
    return ",".join(m)


def packets_in(pcap):
    """Records in a classic pcap file (infinite_rx keeps them all in mbufs)."""
    import struct
    n = 0
    with open(pcap, "rb") as f:
        f.read(24)
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            f.seek(struct.unpack("<IIII", h)[2], 1)
            n += 1


def run(pcap, seconds, options, queues=1, busy_lcores=1, pktsieve=PKTSIEVE, rules=RULES):
    """Returns (packets per second, stats) of one timed run. `pcap` may be a list: one file
    per queue."""
    files = pcap if isinstance(pcap, list) else [pcap] * queues
    vdev = "net_pcap0," + ",".join("rx_pcap=" + f for f in files) + ",infinite_rx=1"
    out = tempfile.mktemp(suffix=".json")
    # infinite_rx copies the whole file into mbufs first, once per queue.
    mbufs = sum(packets_in(f) for f in files) + 65536
    mem_mb = max(2048, mbufs * 2688 // (1 << 20) + 1536)
    cmd = [pktsieve, "--no-huge", "-m", str(mem_mb), "--no-pci", "--log-level=*:error",
           "--file-prefix=bench-%d" % os.getpid(), "--lcores=" + lcores(2 + busy_lcores),
           "--vdev=" + vdev, "--", "--rules", rules, "--stats-json", out, "-q",
           "--mbufs", str(mbufs), *options]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds + 0.3 * mbufs / 100000)  # loading the file into mbufs comes first
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    if p.returncode != 0:
        raise SystemExit(f"pktsieve failed: {err}")
    with open(out) as f:
        s = json.load(f)
    os.unlink(out)
    return s["packets"]["received"] / s["elapsed_seconds"], s
