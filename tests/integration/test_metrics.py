"""Prometheus metrics against a real Prometheus server (Debian's `prometheus`, installed by
scripts/deps): it scrapes two running daemons each second, and what its HTTP API answers equals
each daemon's own stats. The page passes promtool's checker and lint, pktsieve-ctl stats
--prometheus prints the same text, every query of the Grafana dashboard in docs/ answers, and
the status line of a --pcap run shows on a terminal only."""
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

DASHBOARD = os.path.join(daemon.SOURCE, "docs", "grafana", "pktsieve-dashboard.json")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


_syn_pcap = None


def syn_pcap(frames=200_000):
    """A capture of `frames` TCP SYNs from distinct sources (long enough for a few status
    lines), written directly: scapy would take minutes."""
    global _syn_pcap
    if _syn_pcap is None:
        _syn_pcap = os.path.join(tempfile.mkdtemp(prefix="pktsieve-syns-"), "syns.pcap")
        with open(_syn_pcap, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i in range(frames):
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0,
                                 bytes([198, 51, (i >> 8) & 0xFF, i & 0xFF]), bytes([192, 0, 2, 1]))
                tcp = struct.pack("!HHIIBBHHH", 1024 + (i >> 16), 23, i, 0, 0x50, 0x02, 1024, 0, 0)
                frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp
                f.write(struct.pack("<IIII", 1700000000 + i // 100000, i % 100000 * 10,
                                    len(frame), len(frame)) + frame)
    return _syn_pcap


class Metrics(unittest.TestCase):
    def start(self, prefix, pcap, cpus, metrics, *extra):
        work = tempfile.mkdtemp(prefix="pktsieve-metrics-")
        self.addCleanup(shutil.rmtree, work, True)
        p = subprocess.Popen(
            [daemon.PKTSIEVE, "--no-huge", "-m", "512", f"--file-prefix={prefix}",
             f"--lcores=0@{cpus[0]},1@{cpus[0]},2@{cpus[1]}", "--no-pci", "--log-level=*:error",
             f"--vdev=net_pcap0,rx_pcap={pcap}", "--", "--rules", daemon.RULES,
             "--metrics", metrics, "-q", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.communicate()))
        return p

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)

    def prometheus(self, targets):
        """A real Prometheus scraping `targets` ({address: sensor}) each second; its URL."""
        work = tempfile.mkdtemp(prefix="pktsieve-prometheus-")
        self.addCleanup(shutil.rmtree, work, True)
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: pktsieve\n    static_configs:\n")
            for address, sensor in targets.items():
                f.write(f"      - targets: ['{address}']\n        labels: {{sensor: '{sensor}'}}\n")
        port = free_port()
        p = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/data",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: p.poll() is None and (p.terminate(), p.communicate(timeout=30)))
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            self.assertIsNone(p.poll(), p.stderr.read() if p.poll() is not None else "")
            try:
                if http_get(url + "/-/ready")[0] == 200:
                    return url
            except OSError:
                pass
            time.sleep(0.2)
        self.fail("prometheus did not become ready")

    def query(self, url, expr):
        status, _, body = http_get(f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        reply = json.loads(body)
        self.assertEqual(reply["status"], "success", (expr, reply))
        return reply["data"]["result"]

    def scraped_after(self, url, t, targets):
        """Waits until Prometheus has scraped each of `targets` targets after time `t`."""
        deadline = time.time() + 30
        while time.time() < deadline:
            ups = self.query(url, "timestamp(up == 1)")
            if len(ups) == targets and all(float(r["value"][1]) > t for r in ups):
                return
            time.sleep(0.25)
        self.fail("no scrape after the daemons settled")

    def test_a_real_prometheus_scrapes_two_daemons_and_agrees_with_their_stats(self):
        out, expected = daemon.traffic()
        ports = {"a": free_port(), "b": free_port()}
        a = self.start(f"metrics-a-{os.getpid()}", os.path.join(out, "threats.pcap"), (0, 1),
                       str(ports["a"]), "--metrics-watch-ports", "23,2323,53/udp")
        b = self.start(f"metrics-b-{os.getpid()}", os.path.join(out, "sample.pcap"), (1, 0),
                       f"127.0.0.1:{ports['b']}", "--metrics-ports", "2", "--metrics-rules", "3")
        daemon.wait_for_received(a, f"metrics-a-{os.getpid()}", expected["threats"]["packets"])
        daemon.wait_for_received(b, f"metrics-b-{os.getpid()}", expected["sample"]["packets"])
        time.sleep(1.5)  # every count published (observations: handed over once a second)
        own = {"a": daemon.ctl_json(f"metrics-a-{os.getpid()}"),
               "b": daemon.ctl_json(f"metrics-b-{os.getpid()}")}
        url = self.prometheus({f"127.0.0.1:{ports['a']}": "sensor-a",
                               f"127.0.0.1:{ports['b']}": "sensor-b"})
        self.scraped_after(url, time.time(), 2)

        # Alerts per threat from both instances, equal to each daemon's own stats.
        result = self.query(url, "pktsieve_alerts_total")
        seen = {(r["metric"]["sensor"], r["metric"]["threat"]): int(r["value"][1]) for r in result}
        for name in ("a", "b"):
            for threat, t in own[name]["threats"].items():
                self.assertEqual(seen[(f"sensor-{name}", threat)], t["alerts"], (name, threat))
            self.assertGreater(own[name]["alerts"]["total"], 0)
        self.assertEqual(len(seen), len(own["a"]["threats"]) + len(own["b"]["threats"]))
        for name, ctl in own.items():
            sel = f'{{sensor="sensor-{name}"}}'
            received = self.query(url, f"sum(pktsieve_packets_received_total{sel})")
            self.assertEqual(int(received[0]["value"][1]), ctl["packets"]["received"])
            rules = self.query(url, f"pktsieve_rule_alerts_total{sel}")
            for r in rules:
                self.assertEqual(int(r["value"][1]), ctl["rules"][r["metric"]["sid"]]["alerts"])
            gen = self.query(url, f"pktsieve_ruleset_generation{sel}")
            self.assertEqual(int(gen[0]["value"][1]), ctl["ruleset"]["generation"])
        # Bounded: b exports its 3 rules with most hits and its 2 heaviest ports.
        self.assertEqual(len(self.query(url, 'pktsieve_rule_hits_total{sensor="sensor-b"}')), 3)
        b_ports = self.query(url, 'pktsieve_port_accesses_total{sensor="sensor-b"}')
        heaviest = own["b"]["observations"]["totals"]["ports"][:2]
        self.assertEqual({(r["metric"]["proto"], int(r["metric"]["port"]), int(r["value"][1]))
                          for r in b_ports},
                         {(p["proto"], p["port"], p["accesses"]) for p in heaviest})
        # a's watch list is there whatever its traffic.
        a_ports = {(r["metric"]["proto"], r["metric"]["port"]): int(r["value"][1])
                   for r in self.query(url, 'pktsieve_port_accesses_total{sensor="sensor-a"}')}
        for key in [("tcp", "23"), ("tcp", "2323"), ("udp", "53")]:
            self.assertIn(key, a_ports)
        port_threats = self.query(url, 'sum by (threat) (pktsieve_port_alerts_total{sensor="sensor-a"})')
        self.assertEqual({r["metric"]["threat"]: int(r["value"][1]) for r in port_threats},
                         {t: v["alerts"] for t, v in own["a"]["threats"].items() if v["alerts"]})

        # Every query of the dashboard answers, with data.
        with open(DASHBOARD) as f:
            board = json.load(f)
        exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
        self.assertGreaterEqual(len(exprs), 10)
        time.sleep(2.5)  # rates need two scrapes
        for expr in exprs:
            concrete = (expr.replace("$__rate_interval", "1m").replace("$instance", ".*")
                        .replace("$job", ".*"))
            self.assertTrue(self.query(url, concrete), f"no data: {concrete}")

        # The page: promtool accepts it (format and lint), and pktsieve-ctl prints the same text.
        status, ctype, page = http_get(f"http://127.0.0.1:{ports['a']}/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        check = subprocess.run(["promtool", "check", "metrics"], input=page, capture_output=True,
                               text=True)
        self.assertEqual((check.returncode, check.stdout + check.stderr), (0, ""))
        # docs/metrics.md lists every family of the page, and no other (but the RX lcore's,
        # which only software distribution has).
        on_page = set(re.findall(r"^# TYPE (\S+) ", page, re.M))
        with open(os.path.join(daemon.SOURCE, "docs", "metrics.md")) as f:
            documented = set(re.findall(r"^\| `(pktsieve_\w+)` \|", f.read(), re.M))
        self.assertEqual(on_page - documented, set())
        self.assertEqual(documented - on_page, {"pktsieve_distributor_packets_total",
                                                "pktsieve_distributor_ring_full_waits_total"})
        # Once in CI (ASan build, beside another suite) this pktsieve-ctl did not return within
        # 60 s; not reproduced since. Its --timeout now ends a wait on the daemon with the step
        # it waited on; a ctl stuck anywhere else is killed with where its threads waited. Either
        # is printed, and asked once more.
        for attempt in range(2):
            ctl = daemon.run_diagnosed([daemon.CTL, "--file-prefix", f"metrics-a-{os.getpid()}",
                                        "--timeout", "20", "stats", "--prometheus"], 90)
            if ctl.returncode is not None and (ctl.returncode == 0 or
                                               "within 20 s" not in ctl.stderr):
                break
            print(f"test_metrics: pktsieve-ctl, attempt {attempt + 1}: {ctl.stderr}",
                  file=sys.stderr)
        self.assertEqual(ctl.returncode, 0, ctl.stderr)
        # What moves with time alone: the uptime, and each worker's observation handovers (one
        # a second even when idle: a read on each side of one differed by 1). Those only grow
        # from the page, read first, to ctl's; everything else is the same.
        moving = re.compile(r"^pktsieve_(uptime_seconds|observe_handovers_total)\b.*$", re.M)
        self.assertEqual(moving.sub("", ctl.stdout), moving.sub("", page))
        handovers = re.compile(r"^pktsieve_observe_handovers_total(\{[^}]*\}) (\d+)$", re.M)
        page_handovers = {k: int(v) for k, v in handovers.findall(page)}
        ctl_handovers = {k: int(v) for k, v in handovers.findall(ctl.stdout)}
        self.assertTrue(page_handovers)
        self.assertEqual(page_handovers.keys(), ctl_handovers.keys())
        for worker, n in page_handovers.items():
            self.assertLessEqual(n, ctl_handovers[worker], worker)
        with self.assertRaises(urllib.error.HTTPError) as e:
            http_get(f"http://127.0.0.1:{ports['a']}/nothing")
        self.assertEqual(e.exception.code, 404)
        self.stop(a)
        self.stop(b)

    def test_a_metrics_port_in_use_stops_the_start_with_one_line(self):
        out, _ = daemon.traffic()
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            p = self.start(f"metrics-busy-{os.getpid()}", os.path.join(out, "sample.pcap"), (0, 1),
                           str(busy.getsockname()[1]))
            _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--metrics: cannot listen on 127.0.0.1:", err)

    def run_on_terminal(self, *extra):
        """A --pcap run with stderr on a pseudo-terminal: (stderr bytes, exit status)."""
        master, slave = pty.openpty()
        p = subprocess.Popen([daemon.PKTSIEVE, "--pcap", syn_pcap(),
                              "--rules", daemon.RULES, "--status-interval-ms", "1", *extra],
                             stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        err = b""
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer closed
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        p.communicate(timeout=120)
        return err.decode(errors="replace"), p.returncode

    def test_the_status_line_shows_on_a_terminal_and_is_erased(self):
        err, rc = self.run_on_terminal()
        self.assertEqual(rc, 0, err)
        lines = re.findall(r"\rpktsieve: ([\d,]+) of 200,000 packets \(([\d.]+) %\), [\d.]+ [kM]pps, "
                           r"[\d,]+ alerts", err)
        self.assertTrue(lines, err)
        self.assertTrue(err.endswith("\r\x1b[K"), repr(err[-80:]))  # nothing left on screen
        quiet, rc = self.run_on_terminal("--quiet")
        self.assertEqual(rc, 0, quiet)
        self.assertNotIn("pktsieve:", quiet)
        off, rc = self.run_on_terminal("--status-interval-ms", "0")
        self.assertNotIn(" packets (", off)

    def test_no_status_line_when_stderr_is_not_a_terminal(self):
        r = subprocess.run([daemon.PKTSIEVE, "--pcap", syn_pcap(),
                            "--rules", daemon.RULES, "--status-interval-ms", "1"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("\r", r.stderr)
        self.assertNotIn(" packets (", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
