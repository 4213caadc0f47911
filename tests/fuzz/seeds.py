#!/usr/bin/env python3
"""Seed inputs for the libFuzzer targets, in each target's input format, from the generated
test traffic (scripts/gen_traffic.py's captures), the rule files (shipped, fuzz keywords and,
when given, the ET Open snapshot) and a few hand-made streams.
    seeds.py TRAFFIC_DIR OUT_DIR [RULES_FILE...]
writes OUT_DIR/<target>/<n> files."""
import glob
import os
import struct
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def frames(pcap):
    with open(pcap, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    at = 24
    while at + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[at:at + 16])
        yield data[at + 16:at + 16 + caplen]
        at += 16 + caplen


def tcp_payload(frame):
    """(dport, payload) of an untagged Ethernet IPv4/IPv6 TCP frame, else None."""
    if len(frame) < 14:
        return None
    ethertype, at = struct.unpack("!H", frame[12:14])[0], 14
    if ethertype == 0x0800 and len(frame) >= at + 20 and frame[at + 9] == 6:
        ihl = (frame[at] & 15) * 4
        total = struct.unpack("!H", frame[at + 2:at + 4])[0]
        end, at = 14 + total, at + ihl
    elif ethertype == 0x86DD and len(frame) >= at + 40 and frame[at + 6] == 6:
        end, at = at + 40 + struct.unpack("!H", frame[at + 4:at + 6])[0], at + 40
    else:
        return None
    if len(frame) < at + 20:
        return None
    dport = struct.unpack("!H", frame[at + 2:at + 4])[0]
    return dport, frame[at + (frame[at + 12] >> 4) * 4:end]


def main():
    traffic, out = sys.argv[1], sys.argv[2]
    rule_files = [os.path.join(SOURCE, "signatures", "pktsieve.rules"),
                  os.path.join(SOURCE, "tests", "fuzz", "keywords.rules")] + sys.argv[3:]
    seeds = {t: [] for t in ("packet", "pipeline", "stream", "http", "telnet", "chunked", "rules")}
    ports = [80, 9200, 8080, 3128, 8888, 23, 2323, 37564]
    for pcap in sorted(glob.glob(os.path.join(traffic, "*.pcap"))):
        batch = []
        for frame in frames(pcap):
            seeds["packet"].append(b"\x00" + frame)
            batch.append(struct.pack("!H", len(frame)) + frame)
            tp = tcp_payload(frame)
            if tp and tp[1]:
                dport, payload = tp
                choice = ports.index(dport) if dport in ports else 0
                seeds["stream"].append(bytes([choice, 3, 5, 17, 40]) + payload[:1800])
                if payload[:4] in (b"GET ", b"POST", b"PUT ", b"CONN", b"HEAD"):
                    seeds["http"].append(payload)
                if dport in (23, 2323):
                    seeds["telnet"].append(b"\x03" + payload)
        for i in range(0, len(batch), 8):
            seeds["pipeline"].append(b"".join(batch[i:i + 8]))
    seeds["chunked"] += [b"\x02" + s for s in (
        b"5;x\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n",
        b"0\r\n\r\n", b"ffffffffffffffff\r\nx", b"3\r\nabc\r\n0;ext=1\r\nA: b\r\nC: d\r\n\r\nNEXT")]
    seeds["telnet"].append(b"\x01\xff\xfb\x18\xff\xfa\x18\x00xterm\xff\xf0root\r\n\x00xc3511\r\n")
    for path in rule_files:
        with open(path, errors="replace") as f:
            lines = [l for l in f if l.startswith(("alert", "drop", "pass"))]
        for i, line in enumerate(lines):
            seeds["rules"].append(bytes([(i & 1) * 8]) + line.encode())
    for target, inputs in seeds.items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        # The ET snapshot alone has 23,000 rules: a sample is enough for a seed corpus.
        step = max(1, len(inputs) // 2000)
        for n, data in enumerate(inputs[::step]):
            with open(os.path.join(out, target, str(n)), "wb") as f:
                f.write(data)
        print(f"seeds: {target}: {len(inputs[::step])}")


if __name__ == "__main__":
    main()
