"""Sensor observations on the real daemon: a capture spanning three days
(scripts/gen_observations.py, which also says what it holds) gives hourly observation records
with exact accesses per port and day, the intel the connections carried, and the same totals in
the stats document; scripts/report turns the records into the ranking, charts and tables."""
import collections
import csv
import html
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

HOUR = 3600


def per_day(records):
    """{day: {"tcp/23": accesses}} summed over the records' intervals."""
    got = collections.defaultdict(collections.Counter)
    for r in records:
        for p in r["observation"]["ports"]:
            got[r["interval"]["start"][:10]][f'{p["proto"]}/{p["port"]}'] += p["accesses"]
    return {d: dict(c) for d, c in got.items()}


def intel(records, kind, *fields):
    out = collections.Counter()
    for r in records:
        for item in r["observation"]["intel"][kind]:
            out["\t".join(item[f] for f in fields)] += item["count"]
    return dict(out)


class Observations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if getattr(cls, "runs", None):
            return  # once per process: the report and ports tests use the same runs
        cls.work = tempfile.mkdtemp(prefix="pktsieve-obs-")
        cls.pcap = os.path.join(cls.work, "days.pcap")
        subprocess.run(["/usr/bin/python3", os.path.join(daemon.SOURCE, "scripts", "gen_observations.py"),
                        cls.pcap, os.path.join(cls.work, "truth.json")], check=True)
        with open(os.path.join(cls.work, "truth.json")) as f:
            cls.truth = json.load(f)
        cls.runs = {}
        for workers in (1, 3):
            r = daemon.run(["--pcap", cls.pcap, "--rules", daemon.RULES, "-q",
                            "--workers", str(workers), "--sensor-name", "sensor-\"7\"",
                            "--observation-interval", "1h"], timeout=300)
            assert r.rc == 0, r.stderr
            cls.runs[workers] = r

    def test_accesses_per_port_and_day_are_exact(self):
        for workers, r in self.runs.items():
            with self.subTest(workers=workers):
                self.assertEqual(per_day(r.observations), self.truth["accesses"])

    def test_one_record_per_hour_in_order(self):
        for workers, r in self.runs.items():
            with self.subTest(workers=workers):
                starts = [r2["interval"]["start"] for r2 in r.observations]
                self.assertEqual(starts, sorted(set(starts)), "one record per interval, in order")
                # Traffic in every hour of the three days (the generator spreads ~1,000
                # accesses a day): 72 records, each an hour on the hour.
                self.assertEqual(len(starts), 72)
                for rec in r.observations:
                    self.assertEqual(rec["interval"]["seconds"], HOUR)
                    self.assertRegex(rec["interval"]["start"], r"T\d\d:00:00\.000000\+0000$")
                    self.assertEqual(rec["sensor"], 'sensor-"7"')
                    self.assertEqual(rec["event_type"], "observation")
                self.assertEqual(r.stats["observations"]["records"], 72)
                self.assertEqual(r.stats["observations"]["sensor"], 'sensor-"7"')

    def test_sensor_addresses_and_sources(self):
        r = self.runs[3]
        for rec in r.observations:
            self.assertLessEqual(rec["observation"]["sensor_addresses"], 2)
        totals = r.stats["observations"]["totals"]
        self.assertEqual(totals["sensor_addresses"], self.truth["sensor_addresses"])
        # Per-port distinct sources: HyperLogLog with 256 registers, 6.5 % standard error:
        # within three of them.
        by_port = {f'{p["proto"]}/{p["port"]}': p for p in totals["ports"]}
        for port, n in self.truth["sources"].items():
            if port in by_port:
                self.assertLessEqual(abs(by_port[port]["sources"] - n), 3 * 0.065 * n + 1, port)

    def test_totals_in_the_stats_document(self):
        for workers, r in self.runs.items():
            with self.subTest(workers=workers):
                totals = r.stats["observations"]["totals"]
                want = collections.Counter()
                for day in self.truth["accesses"].values():
                    want.update(day)
                self.assertEqual(totals["accesses"], sum(want.values()))
                self.assertEqual(totals["accesses"], r.stats["observe"]["accesses"])
                # The 20 heaviest ports, heaviest first, exact.
                got = [(f'{p["proto"]}/{p["port"]}', p["accesses"]) for p in totals["ports"]]
                self.assertEqual(got, sorted(want.items(), key=lambda x: (-x[1], x[0]))[:20])
                alerts = {t["threat"]: t["alerts"] for t in totals["threats"]}
                self.assertEqual(alerts, {k: v["alerts"] for k, v in r.stats["threats"].items()
                                          if v["alerts"]})

    def test_alerts_per_threat_in_records_match_the_alert_lines(self):
        for workers, r in self.runs.items():
            with self.subTest(workers=workers):
                by_threat = collections.Counter()
                for e in r.eve:
                    for t in e["alert"].get("metadata", {}).get("threat", ["unclassified"]):
                        by_threat[t] += 1
                in_records = collections.Counter()
                for rec in r.observations:
                    for t in rec["observation"]["threats"]:
                        in_records[t["threat"]] += t["alerts"]
                self.assertEqual(in_records, by_threat)
                self.assertEqual(sum(in_records.values()), r.stats["alerts"]["total"])

    def test_intel_is_what_the_connections_carried(self):
        for workers, r in self.runs.items():
            with self.subTest(workers=workers):
                recs = r.observations
                self.assertEqual(intel(recs, "telnet_credentials", "username", "password"),
                                 self.truth["telnet_credentials"])
                self.assertEqual(intel(recs, "proxy_targets", "target"), self.truth["proxy_targets"])
                self.assertEqual(intel(recs, "traversal_targets", "file"),
                                 self.truth["traversal_targets"])
                self.assertEqual(intel(recs, "rce_commands", "command"), self.truth["rce_commands"])


class PortsPerRecord(unittest.TestCase):
    def test_records_list_the_heaviest_ports_and_sum_the_rest(self):
        Observations.setUpClass()
        r = daemon.run(["--pcap", Observations.pcap, "--rules", daemon.RULES, "-q",
                        "--observation-interval", "1d", "--observation-ports", "3"], timeout=300)
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(len(r.observations), 3)  # daily records, aligned to midnight UTC
        for rec, (day, want) in zip(r.observations, sorted(Observations.truth["accesses"].items())):
            o = rec["observation"]
            self.assertEqual(rec["interval"]["start"], f"{day}T00:00:00.000000+0000")
            heaviest = sorted(want.items(), key=lambda x: (-x[1], x[0]))
            self.assertEqual([(f'{p["proto"]}/{p["port"]}', p["accesses"]) for p in o["ports"]],
                             heaviest[:3])
            self.assertEqual(o["ports_seen"], len(want))
            self.assertEqual(o["ports_not_listed"], len(want) - 3)
            self.assertEqual(o["accesses_not_listed"], sum(n for _, n in heaviest[3:]))
            self.assertEqual(o["accesses"], sum(want.values()))


def png_size(path):
    """(width, height) of a valid PNG file; fails on anything else."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Observations.setUpClass()
        cls.truth = Observations.truth
        cls.out = os.path.join(Observations.work, "report")
        eve = os.path.join(Observations.work, "eve.json")
        with open(eve, "w") as f:
            for rec in Observations.runs[3].observations + Observations.runs[3].eve:
                f.write(json.dumps(rec) + "\n")
            f.write("not json: skipped\n")
        cls.proc = subprocess.run([os.path.join(daemon.SOURCE, "scripts", "report"), eve, cls.out],
                                  capture_output=True, text=True, timeout=300)

    def test_report_renders(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIn("index.html", self.proc.stdout)
        for name in ("ports_daily.png", "threats_daily.png", "ranking.png"):
            w, h = png_size(os.path.join(self.out, name))
            self.assertGreaterEqual(w, 1000, name)  # print-size, 150 dpi
            self.assertGreaterEqual(h, 600, name)

    def test_daily_figures_are_the_generated_counts(self):
        got = collections.defaultdict(dict)
        with open(os.path.join(self.out, "daily_accesses.csv")) as f:
            for row in csv.DictReader(f):
                if int(row["accesses"]):
                    got[row["day"]][f'{row["protocol"]}/{row["port"]}'] = int(row["accesses"])
        self.assertEqual(dict(got), self.truth["accesses"])

    def test_ranking_table_numbers(self):
        days, ips = len(self.truth["days"]), self.truth["sensor_addresses"]
        totals = collections.Counter()
        for day in self.truth["accesses"].values():
            totals.update(day)
        want = sorted(totals.items(), key=lambda x: (-x[1], x[0]))[:15]
        with open(os.path.join(self.out, "index.html")) as f:
            page = f.read()
        table = page[page.index('<table id="ranking">'):]
        table = table[:table.index("</table>")]
        rows = re.findall(r"<tr><td class=\"n\">(\d+)</td><td>(\d+)/(tcp|udp)</td>"
                          r"<td class=\"n\">([\d.]+)</td><td class=\"n\">(\d+)</td>"
                          r"<td class=\"n\">(\d+)(\*?)</td>", table)
        self.assertEqual(len(rows), len(want))
        for (rank, port, proto, per_ip_day, total, sources, partial), (i, (key, n)) in zip(
                rows, enumerate(want, 1)):
            self.assertEqual(int(rank), i)
            self.assertEqual(f"{proto}/{port}", key)
            self.assertEqual(int(total), n)
            self.assertEqual(per_ip_day, f"{n / days / ips:.2f}")
            # Distinct sources over the three days, the records' sketches merged (every port
            # here is among each hour's 50 heaviest): within three standard errors (6.5 %).
            self.assertEqual(partial, "")
            truth = self.truth["sources"][key]
            self.assertLessEqual(abs(int(sources) - truth), 3 * 0.065 * truth + 1, key)
        self.assertIn("Fiddler", table)
        self.assertIn("Elasticsearch", table)

    def test_intel_tables_list_what_was_tried(self):
        with open(os.path.join(self.out, "index.html")) as f:
            page = html.unescape(f.read())
        for pair in self.truth["telnet_credentials"]:
            user, password = pair.split("\t")
            self.assertIn(f"<td><code>{user}</code></td><td><code>{password}</code></td>", page)
        for kind in ("proxy_targets", "traversal_targets", "rce_commands"):
            for value in self.truth[kind]:
                self.assertIn(f"<code>{value}</code>", page, kind)


if __name__ == "__main__":
    unittest.main(verbosity=2)
