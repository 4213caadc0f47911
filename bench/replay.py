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


CTL = os.path.join(ROOT, "build-test/apps/pktsieve-ctl/pktsieve-ctl")


def snapshot(prefix):
    """(elapsed seconds, packets received, bytes) of the daemon's latest published stats: the
    counts and the time are of the same snapshot, however late it is read. None while the
    daemon publishes none."""
    r = subprocess.run([CTL, "--file-prefix", prefix, "--json", "stats"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        return None
    d = json.loads(r.stdout)
    return d["elapsed_seconds"], d["packets"]["received"], d["packets"]["bytes"]


def wait_running(prefix, proc, limit=600):
    """Until the daemon counts packets (rules compiled, the replay file loaded into mbufs)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit and proc.poll() is None:
        s = snapshot(prefix)
        if s and s[1] > 0:
            return
        time.sleep(0.5)
    if proc.poll() is not None:
        raise SystemExit(f"pktsieve exited ({proc.returncode}) before counting packets")
    raise SystemExit(f"pktsieve did not start counting within {limit} s")


# Seconds of replay before the timed window: the first passes over a capture create every
# flow and touch the tables' pages for the first time (~7 % of a 2 s run on the mix, against
# ~1 % for bare capture); a sensor runs for months, so its rate is the steady one after them.
WARM_UP = 1.0


def run(pcap, seconds, options, queues=1, busy_lcores=1, pktsieve=PKTSIEVE, rules=RULES,
        warm_up=WARM_UP):
    """Returns (packets per second, stats) of one timed run: the rate between two published
    snapshots `seconds` apart, taken `warm_up` seconds after the daemon began counting packets
    (so start-up, a large rule set's compile included, is never timed; warm_up=0 times from the
    first packet counted, as before 2026-12-07). stats: the daemon's final stats, with
    "window": the timed window's seconds, packets and bytes. `pcap` may be a list: one file per
    queue."""
    files = pcap if isinstance(pcap, list) else [pcap] * queues
    vdev = "net_pcap0," + ",".join("rx_pcap=" + f for f in files) + ",infinite_rx=1"
    out = tempfile.mktemp(suffix=".json")
    prefix = "bench-%d" % os.getpid()
    # infinite_rx copies the whole file into mbufs first, once per queue.
    mbufs = sum(packets_in(f) for f in files) + 65536
    mem_mb = max(2048, mbufs * 2688 // (1 << 20) + 1536)
    cmd = [pktsieve, "--no-huge", "-m", str(mem_mb), "--no-pci", "--log-level=*:error",
           "--file-prefix=" + prefix, "--lcores=" + lcores(2 + busy_lcores),
           "--vdev=" + vdev, "--", "--rules", rules, "--stats-json", out, "-q",
           "--mbufs", str(mbufs), *options]
    # A file, not a pipe nobody reads while it runs: a large rule set's start-up messages
    # would fill the pipe and block the daemon.
    with tempfile.TemporaryFile(mode="w+") as errf:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, text=True)
        wait_running(prefix, p)
        time.sleep(warm_up)
        first = snapshot(prefix)
        time.sleep(seconds)
        last = snapshot(prefix)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=300)
        errf.seek(0)
        err = errf.read()
    if p.returncode != 0:
        raise SystemExit(f"pktsieve failed: {err}")
    if not first or not last:
        raise SystemExit(f"pktsieve published no stats during the timed window: {err}")
    (t0, r0, b0), (t1, r1, b1) = first, last
    with open(out) as f:
        s = json.load(f)
    os.unlink(out)
    s["window"] = {"seconds": t1 - t0, "packets": r1 - r0, "bytes": b1 - b0}
    return (r1 - r0) / (t1 - t0), s
