#!/usr/bin/python3
"""Benchmark traffic: many concurrent TCP flows, interleaved, written as raw bytes (scapy is too
slow for 100k flows).

  scripts/gen_mix.py OUT.pcap [--flows N] [--kind mix|small] [--seed S]

mix:   per flow a SYN, a 20-60 byte request (3% of flows an attack from the three waves),
       60-byte ACKs, for half the flows a response of three MTU-sized segments, and a FIN: most
       packets are small, the average frame is about 400 bytes.
small: 64-byte frames only: SYN, a request of at most 10 payload bytes, ACK, FIN.
Flows are interleaved (every flow's first packet, then every flow's second, ...), so they are
all open at once.
"""
import argparse
import random
import struct

ATTACKS = [
    (9200, b"GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\n\r\n"),
    (8080, b"CONNECT www.example.com:443 HTTP/1.1\r\n\r\n"),
    (8888, b"GET http://www.example.com/ HTTP/1.1\r\n\r\n"),
    (23, b"root\r\nxc3511\r\n"),
]
BENIGN = [(80, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"), (9200, b"GET /_cluster/health HTTP/1.1\r\n\r\n"),
          (8080, b"GET /index.html HTTP/1.0\r\n\r\n"), (23, b"\xff\xfb\x18\xff\xfb\x1f")]
SMALL = [(80, b"GET /\r\n"), (9200, b"HEAD /\r\n"), (23, b"\xff\xfb\x18"), (8080, b"GET / ")]


def frame(src, dst, sport, dport, seq, flags, payload, minimum=60):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 1, 0x50, flags, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0, 64, 6, 0,
                     src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    f = eth + ip + tcp + payload
    return f + b"\x00" * max(0, minimum - len(f))


def flow_packets(rng, i, kind):
    """SYN, request, ACKs, FIN: a flow closes and a replay's next pass opens it anew."""
    src = struct.pack("!I", 0x0A000000 + i + 1)
    dst = bytes([198, 51, 100, 20])
    sport = 1024 + rng.randrange(60000)
    if kind == "small":
        dport, req = SMALL[rng.randrange(len(SMALL))]
        return [frame(src, dst, sport, dport, 999, 0x02, b"", 64),
                frame(src, dst, sport, dport, 1000, 0x18, req, 64),
                frame(dst, src, dport, sport, 5000, 0x10, b"", 64),
                frame(src, dst, sport, dport, 1000 + len(req), 0x11, b"", 64)]
    dport, req = (ATTACKS[rng.randrange(len(ATTACKS))] if rng.random() < 0.03
                  else BENIGN[rng.randrange(len(BENIGN))])
    pkts = [frame(src, dst, sport, dport, 999, 0x02, b""),
            frame(src, dst, sport, dport, 1000, 0x18, req),
            frame(dst, src, dport, sport, 5000, 0x10, b"")]
    if rng.random() < 0.50:  # a response of three full segments
        body = bytes(rng.randrange(256) for _ in range(8)) * 182
        pkts += [frame(dst, src, dport, sport, 5000 + k * len(body), 0x18, body) for k in range(3)]
        pkts.append(frame(src, dst, sport, dport, 1000 + len(req), 0x10, b""))
    pkts.append(frame(src, dst, sport, dport, 1000 + len(req), 0x11, b""))
    return pkts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, default=100000)
    ap.add_argument("--kind", choices=["mix", "small"], default="mix")
    ap.add_argument("--seed", type=int, default=20150520)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    flows = [flow_packets(rng, i, args.kind) for i in range(args.flows)]
    count = size = 0
    with open(args.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for step in range(max(len(p) for p in flows)):
            for pkts in flows:
                if step < len(pkts):
                    d = pkts[step]
                    f.write(struct.pack("<IIII", 1432080000 + step, count % 1000000, len(d), len(d)))
                    f.write(d)
                    count += 1
                    size += len(d)
    print(f"{args.out}: {args.flows} flows, {count} packets, {size / count:.0f} bytes average")


if __name__ == "__main__":
    main()
