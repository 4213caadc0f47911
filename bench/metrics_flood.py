#!/usr/bin/python3
"""Does a flood of /metrics requests slow the workers? One worker classifies an endless replay
(infinite_rx) of the generated attack and benign traffic; the packet rate is read from
pktsieve-ctl in rounds of ROUND seconds, alternately quiet and with a client requesting /metrics
in a loop on loopback as fast as it can (keep-alive, 2 connections). The flood client runs on
the main lcore's CPU, where the metrics server's threads are, so the figure measures the server's
effect on the worker (its snapshot reads), not two processes competing for the worker's CPU.
Prints medians and the ratio flooded / quiet.
    bench/metrics_flood.py [--build DIR] [--rounds N] [--round SECONDS]
"""
import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-test"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--round", type=float, default=5.0)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pktsieve-flood-")
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "gen_traffic.py"), work],
                   check=True, stdout=subprocess.DEVNULL)
    port, prefix = free_port(), f"pktsieve-flood-{os.getpid()}"
    ctl = os.path.join(a.build, "apps", "pktsieve-ctl", "pktsieve-ctl")
    p = subprocess.Popen(
        [os.path.join(a.build, "apps", "pktsieve", "pktsieve"), "--no-huge", "-m", "1024",
         f"--file-prefix={prefix}", "--lcores=0@0,1@0,2@1", "--no-pci", "--log-level=*:error",
         f"--vdev=net_pcap0,rx_pcap={work}/threats.pcap,infinite_rx=1", "--", "--rules",
         os.path.join(ROOT, "signatures", "pktsieve.rules"), "--metrics", str(port), "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def received():
        r = subprocess.run([ctl, "--file-prefix", prefix, "--json", "stats"],
                           capture_output=True, text=True, timeout=30)
        return json.loads(r.stdout)["packets"]["received"] if r.returncode == 0 else None

    try:
        deadline = time.time() + 60
        while received() is None:
            if time.time() > deadline or p.poll() is not None:
                sys.exit(f"pktsieve did not start: {p.stderr.read() if p.poll() is not None else ''}")
            time.sleep(0.2)
        os.sched_setaffinity(0, {0})  # this process and its client threads: the main lcore's CPU
        flooding, served = threading.Event(), [0]

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while True:
                flooding.wait()
                try:
                    conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
                    conn.getresponse().read()
                    served[0] += 1
                except (http.client.HTTPException, OSError):  # the server's keep-alive limit
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        for _ in range(2):
            threading.Thread(target=client, daemon=True).start()
        quiet, flood, request_rate = [], [], []
        for _ in range(a.rounds):
            for phase, out in (("quiet", quiet), ("flood", flood)):
                if phase == "flood":
                    flooding.set()
                n0, s0, t0 = received(), served[0], time.time()
                time.sleep(a.round)
                n1, s1, t1 = received(), served[0], time.time()
                flooding.clear()
                out.append((n1 - n0) / (t1 - t0))
                if phase == "flood":
                    request_rate.append((s1 - s0) / (t1 - t0))
                time.sleep(0.5)
        q, f = statistics.median(quiet), statistics.median(flood)
        print(f"metrics_flood: quiet {q / 1e6:.3f} Mpps, flooded {f / 1e6:.3f} Mpps "
              f"(/metrics at {statistics.median(request_rate):.0f} requests/s), ratio {f / q:.3f} "
              f"(medians of {a.rounds} rounds of {a.round:.0f} s)")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)


if __name__ == "__main__":
    main()
