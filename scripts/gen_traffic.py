#!/usr/bin/python3
"""Generates pktsieve's test and demo traffic, and what each capture must produce.

  scripts/gen_traffic.py OUTDIR

writes OUTDIR/{threats,benign,malformed,segmented,synflood,et_open,jumbo,keepalive,sample}.pcap
and OUTDIR/expected.json:
  {name: {"packets": n, "malformed": {reason: n}, "alerts": [{"sid", "src_ip", "src_port",
   "dest_ip", "dest_port", "proto", "vlan"?}]}}
The expectations are written here by hand, per packet, from what each packet is meant to be;
they do not come from pktsieve. Output is deterministic (fixed times, sequence numbers, ids).
"""
import json
import logging
import os
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # linktype notes on raw frames
from scapy.all import ARP, DNS, DNSQR, Dot1Q, Ether, ICMP, IP, IPv6, Raw, TCP, UDP, fragment, wrpcap

T0 = 1432080000.0  # 2015-05-20T00:00:00Z, the month of the report
CLIENT, SENSOR = "203.0.113.10", "198.51.100.20"
CLIENT6, SENSOR6 = "2001:db8:bad::10", "2001:db8:5e5::20"
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"

SID_TRAVERSAL, SID_GROOVY, SID_MVEL = 9000001, 9000010, 9000011
SID_CONNECT, SID_ABSOLUTE, SID_TELNET = 9000020, 9000021, 9000030


class Capture:
    def __init__(self):
        self.packets, self.alerts, self.malformed = [], [], {}
        self.cport = 40000

    def add(self, pkt):
        pkt.time = T0 + 0.001 * len(self.packets)
        self.packets.append(pkt)

    def expect(self, sid, src, sport, dst, dport, vlan=None):
        a = {"sid": sid, "src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport,
             "proto": "TCP"}
        if vlan is not None:
            a["vlan"] = [vlan]  # as EVE writes it
        self.alerts.append(a)

    def session(self, dport, client_data, server_data=(), sid=None, v6=False, vlan=None,
                resend=False, server_sid=(), hosts=None, handshake=True):
        """A whole TCP conversation: handshake, client segments, server replies, FIN.
        `sid` (or a list of sids) is expected once for the flow, from the client; `server_sid`
        from the server. `resend`: every client segment is sent twice (a retransmission), then
        once more overlapping its predecessor. `hosts`: (client, server) addresses.
        `handshake` False: the capture begins in the middle of the connection."""
        self.cport += 1
        cport, seq_c, seq_s = self.cport, 1000, 5000
        src, dst = (CLIENT6, SENSOR6) if v6 else (CLIENT, SENSOR)
        if hosts:
            src, dst = hosts
        for s in server_sid:
            self.expect(s, dst, dport, src, cport, vlan)
        l3 = (lambda s, d: IPv6(src=s, dst=d)) if v6 else (lambda s, d: IP(src=s, dst=d, id=1))

        def frame(c2s, flags, seq, ack, data=b""):
            e = Ether(src=MAC_C, dst=MAC_S) if c2s else Ether(src=MAC_S, dst=MAC_C)
            if vlan is not None:
                e = e / Dot1Q(vlan=vlan)
            ip = l3(src, dst) if c2s else l3(dst, src)
            ports = dict(sport=cport, dport=dport) if c2s else dict(sport=dport, dport=cport)
            p = e / ip / TCP(flags=flags, seq=seq, ack=ack, window=64240, **ports)
            return p / Raw(data) if data else p

        if handshake:
            self.add(frame(True, "S", seq_c - 1, 0))
            self.add(frame(False, "SA", seq_s - 1, seq_c))
            self.add(frame(True, "A", seq_c, seq_s))
        for i, data in enumerate(client_data):
            self.add(frame(True, "PA", seq_c, seq_s, data))
            if resend:
                self.add(frame(True, "PA", seq_c, seq_s, data))
                if i > 0:
                    prev = client_data[i - 1]
                    self.add(frame(True, "PA", seq_c - 2, seq_s, prev[-2:] + data))
            seq_c += len(data)
            if i == 0 and sid is not None:
                for s in sid if isinstance(sid, list) else [sid]:
                    self.expect(s, src, cport, dst, dport, vlan)
            if i < len(server_data):
                self.add(frame(False, "PA", seq_s, seq_c, server_data[i]))
                seq_s += len(server_data[i])
        self.add(frame(True, "FA", seq_c, seq_s))
        self.add(frame(False, "FA", seq_s, seq_c + 1))
        self.add(frame(True, "A", seq_c + 1, seq_s + 1))

    def raw(self, data, reason):
        self.add(Raw(bytes(data)))  # raw bytes: scapy must not "fix" them
        self.malformed[reason] = self.malformed.get(reason, 0) + 1

    def summary(self):
        return {"packets": len(self.packets), "malformed": self.malformed, "alerts": self.alerts}


def http(line, headers=(), body=b""):
    h = "".join(f"{k}: {v}\r\n" for k, v in headers)
    if body:
        h += f"Content-Length: {len(body)}\r\n"
    return f"{line}\r\n{h}\r\n".encode() + body


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
IAC_SERVER = b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27"
IAC_CLIENT = b"\xff\xfb\x18\xff\xfb\x1f\xff\xfc\x20"


def threats(c):
    es = [("/_plugin/head/../../../../../../etc/passwd", 9200),
          ("/_plugin/head/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 9200),
          ("/_plugin/kopf/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", 9200),
          ("/_plugin/bigdesk/..%2f..%2f..%2fetc%2fshadow", 9201),
          ("/_plugin/head/..\\..\\..\\windows\\win.ini", 9200)]
    for path, port in es:
        c.session(port, [http(f"GET {path} HTTP/1.1", [("Host", f"sensor:{port}")])],
                  [b"HTTP/1.1 200 OK\r\n\r\nroot:x:0:0"], sid=SID_TRAVERSAL)
    c.session(9200, [http("GET /_plugin/head/../../../../etc/hosts HTTP/1.0")], sid=SID_TRAVERSAL,
              v6=True, vlan=100)

    groovy = (b'{"size":1,"script_fields":{"lupin":{"script":"java.lang.Math.class.forName('
              b'\\"java.lang.Runtime\\").getRuntime().exec(\\"id\\").getText()"}}}')
    c.session(9200, [http("POST /_search?pretty HTTP/1.1", [("Host", "sensor:9200")], groovy)],
              [OK], sid=SID_GROOVY)
    mvel = (b'{"size":1,"query":{"filtered":{"query":{"match_all":{}}}},"script_fields":'
            b'{"command":{"script":"import java.io.*;new java.util.Scanner(Runtime.getRuntime()'
            b'.exec(\\"id\\").getInputStream()).useDelimiter(\\"\\\\\\\\A\\").next();"}}}')
    c.session(9200, [http("POST /_search HTTP/1.1", [("Host", "sensor:9200")], mvel)], [OK],
              sid=SID_MVEL)
    c.session(9200, [http("GET /_search?source=%7B%22size%22%3A1%2C%22script_fields%22%3A%7B%22x"
                          "%22%3A%7B%22script%22%3A%22import%20java.util.*%3Bnew%20Scanner(Runtime"
                          ".getRuntime().exec(%22id%22).getInputStream()).next()%3B%22%7D%7D%7D "
                          "HTTP/1.1")], [OK], sid=SID_MVEL)

    for port, target in [(8080, "www.example.com:443"), (8090, "198.51.100.7:25"),
                         (8888, "mail.example.net:25"), (8118, "www.example.org:443"),
                         (8123, "[2001:db8::1]:443"), (37564, "www.example.com:80"),
                         (3128, "login.example.com:443")]:
        c.session(port, [http(f"CONNECT {target} HTTP/1.1", [("Host", target)])],
                  [b"HTTP/1.0 403 Forbidden\r\n\r\n"], sid=SID_CONNECT)
    for port in [8080, 8888, 37564, 8118]:
        c.session(port, [http("GET http://www.example.com/ HTTP/1.1",
                              [("Host", "www.example.com"), ("Proxy-Connection", "keep-alive")])],
                  [b"HTTP/1.1 200 OK\r\n\r\n"], sid=SID_ABSOLUTE)
    c.session(8123, [http("HEAD http://azenv.example/azenv.php HTTP/1.0")], sid=SID_ABSOLUTE)

    prompt = [IAC_SERVER + b"\r\nBusyBox on DVR\r\nlogin: ", b"Password: ", b"\r\n# "]
    for port, user, pw, eol in [(23, b"root", b"xc3511", b"\r\n"), (2323, b"root", b"vizxv", b"\r\n"),
                                (23, b"admin", b"admin", b"\r\x00"), (23, b"root", b"888888", b"\n")]:
        c.session(port, [IAC_CLIENT + user + eol + b"\xff\xfc\x01" + pw + eol], prompt,
                  sid=SID_TELNET)


def benign(c):
    c.session(8080, [http("GET / HTTP/1.1", [("Host", "sensor:8080")])], [OK])
    c.session(8080, [http("POST /upload HTTP/1.1", [("Host", "sensor")],
                          b"path=../../etc/passwd&note=CONNECT www.example.com:443 HTTP/1.1\r\n"
                          b"GET http://www.example.com/ HTTP/1.1")], [OK])
    c.session(3128, [http("GET /squid-internal-static/icons/anthony-unknown.gif HTTP/1.1")], [OK])
    for path in ["/_cluster/health?pretty", "/", "/_cat/indices?v", "/_plugin/head/index.html",
                 "/_nodes/stats"]:
        c.session(9200, [http(f"GET {path} HTTP/1.1", [("Host", "es:9200")])], [OK])
    c.session(9200, [http("POST /_search HTTP/1.1", [("Host", "es")],
                          b'{"script_fields":{"twice":{"script":"doc[\'price\'].value * 2"}}}')],
              [OK])
    c.session(9200, [http("POST /logs/_doc HTTP/1.1", [("Host", "es")],
                          b'{"msg":"GET /_plugin/head/../../etc/passwd seen"}')], [OK])
    # Keep-alive: requests one after another, pipelined, and attack text inside a later body.
    ka = [http("GET / HTTP/1.1", [("Host", "es")]), http("GET /_cat/health HTTP/1.1"),
          http("GET /_plugin/head/ HTTP/1.1") + http("GET /_plugin/head/app.js HTTP/1.1"),
          http("POST /notes/_doc HTTP/1.1", [("Host", "es")],
               b"GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\n\r\n")]
    c.session(9200, ka, [OK] * len(ka))
    c.session(8080, [http("GET / HTTP/1.1"), http("GET /favicon.ico HTTP/1.1")], [OK, OK])
    # A banner and login prompt, but the client never types a login.
    c.session(23, [IAC_CLIENT], [IAC_SERVER + b"\r\nWelcome to router\r\nlogin: "])
    c.session(23, [b"\xff\xfb\x18"], [b"login: "])
    # Negotiation between nothing: commands, sub-negotiation and an empty line, no login.
    c.session(23, [b"\xff\xfb\x1f", b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0", b"\xff\xf1\r\n"],
              [IAC_SERVER + b"\r\nlogin: "])
    c.add(Ether(src=MAC_C, dst=MAC_S) / IP(src=CLIENT, dst=SENSOR, id=7) /
          UDP(sport=5353, dport=53) / DNS(rd=1, qd=DNSQR(qname="example.com")))
    c.add(Ether(src=MAC_C, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=CLIENT, pdst=SENSOR))
    c.add(Ether(src=MAC_C, dst=MAC_S) / IP(src=CLIENT, dst=SENSOR, id=8) / ICMP() / Raw(b"ping" * 8))
    big = Ether(src=MAC_C, dst=MAC_S) / IP(src=CLIENT, dst=SENSOR, id=9) / UDP(sport=4000, dport=9200) / Raw(b"x" * 1200)
    for f in fragment(big, fragsize=600):
        c.add(f)
    c.add(Ether(src=MAC_C, dst=MAC_S) / Dot1Q(vlan=10) / Dot1Q(vlan=20) /
          IP(src=CLIENT, dst=SENSOR, id=10) / TCP(sport=41000, dport=9200, flags="PA") /
          Raw(b"GET /_nodes HTTP/1.1\r\n\r\n"))


def malformed(c):
    eth4 = bytes(Ether(src=MAC_C, dst=MAC_S, type=0x0800))
    eth6 = bytes(Ether(src=MAC_C, dst=MAC_S, type=0x86dd))
    ip = bytes(IP(src=CLIENT, dst=SENSOR, id=11, proto=6) / Raw(b"\x00" * 40))
    c.raw(eth4[:10], "truncated_l2")
    c.raw(bytes(Ether(src=MAC_C, dst=MAC_S, type=0x8100)) + b"\x00\x64", "truncated_vlan")
    c.raw(eth4 + ip[:12], "truncated_ipv4")
    c.raw(eth4 + b"\x65" + ip[1:], "bad_ip_version")
    c.raw(eth4 + b"\x43" + ip[1:], "bad_ihl")
    c.raw(eth4 + ip[:2] + struct.pack("!H", 12) + ip[4:], "ipv4_total_len_short")
    c.raw(eth4 + ip[:2] + struct.pack("!H", 1400) + ip[4:], "ip_len_beyond_capture")
    c.raw(eth6 + bytes(IPv6(src=CLIENT6, dst=SENSOR6))[:24], "truncated_ipv6")
    v6 = bytearray(bytes(IPv6(src=CLIENT6, dst=SENSOR6, nh=0, plen=4)))
    c.raw(eth6 + bytes(v6) + b"\x06\x00\x00\x00", "truncated_ipv6_ext")
    c.raw(eth4 + bytes(IP(src=CLIENT, dst=SENSOR, id=12, proto=6) / Raw(b"\x00" * 10)), "truncated_tcp")
    tcp = bytearray(bytes(TCP(sport=40000, dport=9200, flags="A")))
    tcp[12] = 0x30
    c.raw(eth4 + bytes(IP(src=CLIENT, dst=SENSOR, id=13, proto=6) / Raw(bytes(tcp))), "bad_tcp_data_offset")
    tcp[12] = 0xf0
    c.raw(eth4 + bytes(IP(src=CLIENT, dst=SENSOR, id=14, proto=6) / Raw(bytes(tcp))),
          "tcp_data_offset_beyond_packet")
    c.raw(eth4 + bytes(IP(src=CLIENT, dst=SENSOR, id=15, proto=17) / Raw(b"\x00" * 4)), "truncated_udp")
    udp = struct.pack("!HHHH", 5353, 53, 4, 0) + b"abcd"
    c.raw(eth4 + bytes(IP(src=CLIENT, dst=SENSOR, id=16, proto=17) / Raw(udp)), "bad_udp_len")


ET_HOME = "198.51.100.0/24"  # HOME_NET for the ET sample (EXTERNAL_NET: everything else)


def et_open(c):
    """Traffic for each rule of ../shared/rules/et-open-sample.rules (ET Open sids), with
    HOME_NET=ET_HOME: which rules each flow must fire, worked out from the rule text."""
    passwd = "GET /_plugin/head/../../../../etc/passwd HTTP/1.1"
    c.session(9200, [http(passwd, [("Host", "es")])], [OK], sid=[2021138])
    c.session(9200, [http("GET /_plugin/head/%2e%2e%2f%2e%2e%2fetc/passwd HTTP/1.1")], [OK],
              sid=[2021138])
    groovy = (b'POST /_search?pretty HTTP/1.1\r\nHost: es\r\n\r\n{"size":1,"script_fields":'
              b'{"x":{"script":"java.lang.Math.class.forName(\\"java.lang.Runtime\\")"}}}')
    c.session(9200, [groovy], [OK], sid=[2020648])
    mvel = ("GET /_search?source=%7B%22size%22%3A1%2C%22script_fields%22%3A%7B%22x%22%3A%7B"
            "%22script%22%3A%22import%20java.util.*%3Bnew%20Scanner(Runtime.getRuntime()"
            ".exec(%5C%22id%5C%22))%22%7D%7D%7D HTTP/1.1")
    c.session(9200, [http(mvel, [("Host", "es")])], [OK], sid=[2018495])
    # CONNECT: off-port (8081 is not in HTTP_PORTS), proxy ports, a mail relay probe.
    c.session(8081, [http("CONNECT www.example.com:8443 HTTP/1.1")], sid=[2008284, 2000560])
    c.session(8080, [http("CONNECT www.example.com:443 HTTP/1.1", [("Host", "x")])],
              sid=[2001675])
    # The same off-port probe cut into three segments: the stream and the gathered request
    # head still see it whole.
    c.session(8081, [b"CONNECT www.exa", b"mple.com:8443 HT", b"TP/1.1\r\n\r\n"],
              sid=[2008284, 2000560])
    c.session(3128, [http("CONNECT mail.example.com:25 HTTP/1.0")],
              sid=[2003869, 2001675, 2000560])
    c.session(8888, [http("GET http://www.example.com/ HTTP/1.1", [("Host", "www.example.com")])],
              sid=[2001669])
    # Outbound: a host of HOME_NET asking an outside proxy.
    c.session(80, [http("GET / HTTP/1.1", [("Host", "a"), ("Proxy-Connection", "keep-alive")])],
              sid=[2001449], hosts=("198.51.100.30", "192.0.2.80"))
    # Telnet: a DVR's default root password typed one character per segment, a backdoor
    # account on 2323, and what telnet servers answer.
    typed = [IAC_CLIENT] + [bytes([ch]) for ch in b"root\r\nxc3511\r\n"]
    c.session(23, typed, [IAC_SERVER + b"login: ", b"", b"", b"", b"", b"", b"Password: ", b"",
                          b"", b"", b"", b"", b"", b"", b"\r\nLogin incorrect\r\n"],
              sid=[2027973], server_sid=[2101251])
    c.session(2323, [b"admin\r\n", b"QwestM0dem\r\n"], [b"login: ", b"Password: "],
              sid=[2025080])
    c.session(23, [b"root\r\n", b"toor\r\n", b"x\r\n"],
              [b"login: root\r\n", b"Login failed\r\n", b"root not on system console\r\n"],
              server_sid=[2100719, 2100492, 2100717])
    c.session(23, [b"\r\n"], [b"Password required, but none set\r\n"], server_sid=[2008860])
    # Look-alikes: none of the rules may fire.
    c.session(9200, [http("GET /_plugin/head/index.html HTTP/1.1")], [OK])
    c.session(8080, [http("GET /index.html HTTP/1.1", [("Host", "a")])], [OK])
    c.session(23, [b"root\r\n", b"hunter2\r\n"], [b"login: ", b"Password: ", b"$ "])


def segmented(c):
    """Attacks split across segments: only stream matching sees them whole."""
    prompt = [IAC_SERVER + b"\r\nlogin: "]
    typed = [IAC_CLIENT] + [bytes([ch]) for ch in b"root\r\n"] + [b"\xff\xfc\x01"] + \
            [bytes([ch]) for ch in b"xc3511\r\n"] + [b"ls\r\n"]
    c.session(23, typed, prompt, sid=SID_TELNET)
    typed = [bytes([ch]) for ch in b"admin\r\x00admin\r\x00"]
    c.session(2323, typed, [b"login: "], sid=SID_TELNET)
    req = "GET /_plugin/head/../../../../etc/passwd HTTP/1.1\r\nHost: es\r\n\r\n".encode()
    for i, j in [(5, 14), (13, 19), (18, 21), (1, 40)]:
        c.session(9200, [req[:i], req[i:j], req[j:]], [b"HTTP/1.1 200 OK\r\n\r\n"],
                  sid=SID_TRAVERSAL)
    c.session(8080, [b"CONNECT www.exa", b"mple.com:443 HT", b"TP/1.1\r\n\r\n"],
              [b"HTTP/1.0 200 OK\r\n\r\n"], sid=SID_CONNECT, resend=True)
    mvel = (b'POST /_search HTTP/1.1\r\nHost: es\r\n\r\n{"script_fields":{"x":{"script":'
            b'"import java.util.*;new Scanner(Runtime.getRuntime().exec(\\"id\\")'
            b'.getInputStream()).next();"}}}')
    c.session(9200, [mvel[:60], mvel[60:]], [OK], sid=SID_MVEL)
    telnet_evasions(c)


def between(word, sep):
    """`word` with `sep` between every pair of its characters."""
    return sep.join(bytes([ch]) for ch in word)


def telnet_evasions(c):
    """Telnet logins with negotiation between the characters of the credentials (as bots and
    clients send it), in one segment or one byte per segment; and editing."""
    nop, will_naws, dont = b"\xff\xf1", b"\xff\xfb\x1f", b"\xff\xfe\x01"
    naws = b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"
    prompt = [IAC_SERVER + b"\r\nlogin: "]
    for port, sep, user, password in [(23, nop, b"root", b"xc3511"),
                                      (23, will_naws, b"admin", b"admin"),
                                      (2323, naws, b"root", b"vizxv"),
                                      (23, dont + nop, b"root", b"888888")]:
        typed = between(user, sep) + b"\r\n" + between(password, sep) + b"\r\x00"
        c.session(port, [typed], prompt, sid=SID_TELNET)
        c.session(port, [bytes([b]) for b in typed], prompt, sid=SID_TELNET)
    c.session(23, [b"roox\x08t\r\n", b"pass\x7f\x7fss\r\n"], prompt, sid=SID_TELNET)


def synflood(c):
    """SYNs from random sources, more than a small flow table holds, then a real attack."""
    import random
    rnd = random.Random(2015)
    for _ in range(3000):
        src = ".".join(str(rnd.randrange(1, 255)) for _ in range(4))
        c.add(Ether(src=MAC_C, dst=MAC_S) / IP(src=src, dst=SENSOR, id=1) /
              TCP(sport=rnd.randrange(1024, 65535), dport=9200, flags="S", seq=rnd.randrange(2**32)))
    c.session(9200, [http("GET /_plugin/head/../../etc/passwd HTTP/1.1")], sid=SID_TRAVERSAL)


def keepalive(c):
    """Attacks as the 2nd or 3rd request of a keep-alive connection, pipelined, split after a
    first request, and in a capture that begins in the middle of a connection."""
    hello = http("GET / HTTP/1.1", [("Host", "es")])
    trav = http("GET /_plugin/head/../../../../etc/passwd HTTP/1.1", [("Host", "es")])
    trav_pct = http("GET /_plugin/kopf/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1")
    c.session(9200, [hello, trav], [OK, OK], sid=SID_TRAVERSAL)
    c.session(9200, [hello, hello, trav_pct], [OK, OK, OK], sid=SID_TRAVERSAL)
    c.session(9200, [hello + hello + trav], [OK], sid=SID_TRAVERSAL)
    c.session(9200, [hello, trav[:7], trav[7:23], trav[23:]], [OK], sid=SID_TRAVERSAL)
    c.session(9200, [http("POST /idx/_doc HTTP/1.1", [("Host", "es")], b'{"a":1}'), trav],
              [OK, OK], sid=SID_TRAVERSAL)
    c.session(8080, [http("GET / HTTP/1.1"), http("GET http://www.example.com/ HTTP/1.1")],
              [OK, OK], sid=SID_ABSOLUTE)
    c.session(3128, [http("HEAD / HTTP/1.1"), b"CONNECT www.example.com:443 HTTP/1.1\r\n\r\n"],
              [OK], sid=SID_CONNECT)
    c.session(9200, [b'earlier request\'s body"}', trav], [OK], sid=SID_TRAVERSAL,
              handshake=False)


def jumbo(c):
    """Jumbo frames (9,000-byte MTU): a traversal and an MVEL RCE each in one 9 kB segment."""
    pad = "A" * 8800
    c.session(9200, [http("GET /_plugin/head/../../../../etc/passwd HTTP/1.1",
                          [("X-Pad", pad)])], [OK], sid=SID_TRAVERSAL)
    mvel = (b'{"script_fields":{"x":{"script":"import java.util.*;new Scanner(Runtime.'
            b'getRuntime().exec(\\"id\\").getInputStream()).next();"}},"pad":"' +
            pad.encode() + b'"}')
    c.session(9200, [http("POST /_search HTTP/1.1", [("Host", "es")], mvel)], [OK], sid=SID_MVEL)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    parts = {}
    for name, fill in [("threats", threats), ("benign", benign), ("malformed", malformed),
                       ("segmented", segmented), ("synflood", synflood), ("et_open", et_open),
                       ("jumbo", jumbo), ("keepalive", keepalive)]:
        c = Capture()
        fill(c)
        parts[name] = c
    sample = Capture()
    for name in ["benign", "threats", "malformed"]:
        for p in parts[name].packets:
            sample.add(p.copy())
        sample.alerts += parts[name].alerts
        for k, v in parts[name].malformed.items():
            sample.malformed[k] = sample.malformed.get(k, 0) + v
    parts["sample"] = sample
    expected = {}
    for name, c in parts.items():
        wrpcap(os.path.join(out, f"{name}.pcap"), c.packets, linktype=1)  # DLT_EN10MB
        expected[name] = c.summary()
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
