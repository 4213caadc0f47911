"""pktsieve --pcap on generated captures: exact packet, malformed, alert, rule, port counts."""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

THREAT_OF_SID = {9000001: "es-traversal", 9000010: "es-rce", 9000011: "es-rce",
                 9000020: "proxy-probe", 9000021: "proxy-probe", 9000030: "telnet-login"}
THREATS = ["es-rce", "es-traversal", "proxy-probe", "telnet-login"]


class PcapRun(unittest.TestCase):
    def check_capture(self, name):
        out, expected = daemon.traffic()
        exp = expected[name]
        r = daemon.run(["--pcap", os.path.join(out, f"{name}.pcap"), "--rules", daemon.RULES, "-q"])
        self.assertEqual(r.rc, 0, r.stderr)
        s = r.stats
        self.assertEqual(s["packets"]["received"], exp["packets"])
        self.assertEqual(s["packets"]["parsed"] + s["packets"]["malformed"], exp["packets"])
        self.assertEqual(s["devices"][0]["ipackets"], exp["packets"])
        self.assertEqual(sum(w["packets"]["received"] for w in s["workers"]), exp["packets"])
        want_malformed = {k: exp["malformed"].get(k, 0) for k in s["malformed"]}
        self.assertEqual(s["malformed"], want_malformed)
        self.assertEqual(set(exp["malformed"]) - set(s["malformed"]), set())

        want = sorted(daemon.alert_key(a) for a in exp["alerts"])
        self.assertEqual(sorted(daemon.eve_key(e) for e in r.eve), want)
        self.assertEqual(s["alerts"]["total"], len(want))
        self.assertEqual(s["alerts"]["unlogged"], 0)

        by_sid = collections.Counter(a["sid"] for a in exp["alerts"])
        for sid, rule in s["rules"].items():
            self.assertEqual(rule["hits"], by_sid.get(int(sid), 0), f"sid {sid}")
            self.assertEqual(rule["alerts"], by_sid.get(int(sid), 0), f"sid {sid}")
        by_threat = collections.Counter(THREAT_OF_SID[a["sid"]] for a in exp["alerts"])
        self.assertEqual(s["threats"], {t: {"alerts": by_threat.get(t, 0)} for t in THREATS})
        by_port = collections.Counter(str(a["dest_port"]) for a in exp["alerts"])
        by_port_threat = collections.defaultdict(collections.Counter)
        for a in exp["alerts"]:
            by_port_threat[str(a["dest_port"])][THREAT_OF_SID[a["sid"]]] += 1
        self.assertEqual(s["ports"], {p: {"alerts": n, "threats": dict(by_port_threat[p])}
                                      for p, n in by_port.items()})
        return r

    def test_threats(self):
        r = self.check_capture("threats")
        for t in THREATS:
            self.assertGreater(r.stats["threats"][t]["alerts"], 0, t)

    def test_benign_has_no_alert(self):
        r = self.check_capture("benign")
        self.assertEqual(r.eve, [])
        self.assertEqual(r.stats["alerts"]["total"], 0)
        self.assertGreater(r.stats["scan"]["packets"], 0)  # it looked, and found nothing

    def test_keep_alive_and_pipelined_requests(self):
        # Each request is matched as a request: exactly the expected alert per flow.
        self.check_capture("keepalive")

    def test_jumbo_frames(self):
        # --pcap: the PMD chains mbufs for frames beyond the data room; the worker reads them
        # whole.
        r = self.check_capture("jumbo")
        self.assertEqual(r.stats["packets"]["multi_segment"], 2)  # the two 9 kB requests

    def test_malformed_counted_by_reason(self):
        r = self.check_capture("malformed")
        self.assertEqual(r.stats["packets"]["malformed"], 14)
        self.assertTrue(all(n == 1 for n in r.stats["malformed"].values()))

    def test_sample(self):
        r = self.check_capture("sample")
        for t in THREATS:
            self.assertGreater(r.stats["threats"][t]["alerts"], 0, t)
        self.assertGreater(r.stats["packets"]["malformed"], 0)

    def test_eve_fields(self):
        out, _ = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, "threats.pcap"), "--rules", daemon.RULES, "-q"])
        self.assertTrue(r.eve)
        for e in r.eve:
            self.assertEqual(e["event_type"], "alert")
            self.assertRegex(e["timestamp"], r"^2015-05-20T00:00:00\.\d{6}\+0000$")
            a = e["alert"]
            for k in ["action", "gid", "signature_id", "rev", "signature", "category", "severity",
                      "metadata"]:
                self.assertIn(k, a)
            self.assertEqual(a["metadata"]["threat"], [THREAT_OF_SID[a["signature_id"]]])
        v6 = [e for e in r.eve if ":" in e["src_ip"]]
        self.assertEqual(len(v6), 1)
        self.assertEqual(v6[0]["vlan"], [100])
        self.assertEqual(v6[0]["src_ip"], "2001:db8:bad::10")

    def test_stdout_table(self):
        out, _ = daemon.traffic()
        r = subprocess.run([daemon.PKTSIEVE, "--pcap", os.path.join(out, "sample.pcap"), "--rules",
                            daemon.RULES], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        for word in THREATS + ["received", "malformed", "9200"]:
            self.assertIn(word, r.stdout)
        self.assertEqual(r.stderr, "")

    def test_var_override_moves_detection(self):
        out, expected = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, "threats.pcap"), "--rules", daemon.RULES, "-q",
                        "--var", "ES_PORTS=9201"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["rules"]["9000001"]["hits"], 1)  # only the 9201 request
        self.assertEqual(r.stats["rules"]["9000010"]["hits"], 0)

    def test_committed_captures_match_generator(self):
        out, _ = daemon.traffic()
        for name in ["sample.pcap", "benign.pcap"]:
            with open(os.path.join(out, name), "rb") as f, \
                    open(os.path.join(daemon.SOURCE, "tests", "data", name), "rb") as g:
                self.assertEqual(f.read(), g.read(), f"{name}: regenerate with scripts/gen_traffic.py")


def syn_frame(sport, seq):
    """An Ethernet/IPv4/TCP SYN to the sensor's Elasticsearch port, built without scapy (fast
    enough for tens of thousands)."""
    import struct
    tcp = struct.pack("!HHIIBBHHH", sport, 9200, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes([203, 0, 113, 10]), bytes([198, 51, 100, 20]))
    csum = sum(struct.unpack("!10H", ip))
    csum = (csum & 0xFFFF) + (csum >> 16)
    ip = ip[:10] + struct.pack("!H", ~((csum & 0xFFFF) + (csum >> 16)) & 0xFFFF) + ip[12:]
    return bytes.fromhex("020000000002020000000001") + b"\x08\x00" + ip + tcp


def write_pcap(path, frames, snaplen=65535):
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1432080000 + i // 1000, i % 1000, len(fr), len(fr)))
            f.write(fr)


class EalMode(unittest.TestCase):
    """pktsieve [EAL options] -- ...: runs on whatever ports DPDK probes until SIGTERM."""

    def run_until_sigterm(self, pcaps, want, options=(), lcores="0@0,1@0,2@1"):
        import signal
        import tempfile
        import time
        work = tempfile.mkdtemp(prefix="pktsieve-eal-")
        stats, eve = os.path.join(work, "s.json"), os.path.join(work, "e.json")
        prefix = f"pktsieve-eal-{os.getpid()}-{len(pcaps)}"
        vdevs = [f"--vdev=net_pcap{i},rx_pcap={p}" for i, p in enumerate(pcaps)]
        cmd = [daemon.PKTSIEVE, "--no-huge", "-m", "512", f"--file-prefix={prefix}",
               f"--lcores={lcores}", "--no-pci", "--log-level=*:error", *vdevs, "--",
               "--rules", daemon.RULES, "--stats-json", stats, "--eve", eve, "-q", *options]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        daemon.wait_for_received(p, prefix, want)  # every packet, read while running
        time.sleep(1)
        self.assertIsNone(p.poll(), "with EAL options pktsieve must not exit by itself")
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        return daemon.read_outputs(stats, eve)

    def test_runs_until_sigterm_then_flushes_exact_totals(self):
        out, expected = daemon.traffic()
        want = expected["threats"]["packets"]
        s, e = self.run_until_sigterm([os.path.join(out, "threats.pcap")], want)
        self.assertEqual(s["packets"]["received"], want)
        self.assertEqual(len(e), len(expected["threats"]["alerts"]))

    def replay_forever(self, pcap, want, mem="512"):
        """Replays `pcap` with infinite_rx and no --mbufs until `want` packets or more arrived;
        returns (stats, stderr) after SIGTERM, or (None, stderr) when it exited by itself."""
        import signal
        import tempfile
        work = tempfile.mkdtemp(prefix="pktsieve-inf-")
        stats = os.path.join(work, "s.json")
        prefix = f"pktsieve-inf-{os.getpid()}-{os.path.basename(pcap)}"
        cmd = [daemon.PKTSIEVE, "--no-huge", "-m", mem, f"--file-prefix={prefix}",
               "--lcores=0@0,1@0,2@1", "--no-pci", "--log-level=*:error",
               f"--vdev=net_pcap0,rx_pcap={pcap},infinite_rx=1", "--", "--rules", daemon.RULES,
               "--stats-json", stats, "-q"]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            daemon.wait_for_received(p, prefix, want, at_least=True)
        except AssertionError:
            if p.poll() is None:
                raise
            return None, p.communicate()[1]
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        with open(stats) as f:
            return json.load(f), err

    def test_every_mbuf_returns_to_the_pool(self):
        """At exit, after the ports stopped, the pool holds every mbuf again (the final stats'
        pool.in_use is 0): after malformed, attack, SYN-flood, jumbo and segmented captures,
        with one worker and with an RX lcore and three workers, and after SIGTERM stopped an
        endless replay mid-burst."""
        out, expected = daemon.traffic()
        for name in ("malformed", "threats", "synflood", "jumbo", "segmented"):
            for workers in ("1", "3"):
                with self.subTest(name=name, workers=workers):
                    r = daemon.run(["--pcap", os.path.join(out, f"{name}.pcap"), "--rules",
                                    daemon.RULES, "--workers", workers, "-q"])
                    self.assertEqual(r.rc, 0, r.stderr)
                    self.assertEqual(r.stats["packets"]["received"], expected[name]["packets"])
                    self.assertGreater(r.stats["pool"]["mbufs"], 0)
                    self.assertEqual(r.stats["pool"]["in_use"], 0)
                    self.assertNotIn("did not return", r.stderr)
        s, err = self.replay_forever(os.path.join(out, "threats.pcap"),
                                     20 * expected["threats"]["packets"])
        self.assertIsNotNone(s, err)
        self.assertEqual(s["pool"]["in_use"], 0, err)

    def test_jumbo_frames_replay_with_infinite_rx(self):
        """The PMD loads an infinite_rx file into single mbufs: the pool's data room follows
        the file's largest frame (9 kB here), so it starts and its attacks alert."""
        out, expected = daemon.traffic()
        s, err = self.replay_forever(os.path.join(out, "jumbo.pcap"),
                                     3 * expected["jumbo"]["packets"])
        self.assertIsNotNone(s, err)
        self.assertEqual(s["packets"]["multi_segment"], 0)
        self.assertEqual(s["packets"]["malformed"], 0)
        for t in ("es-traversal", "es-rce"):
            self.assertGreater(s["threats"][t]["alerts"], 0, t)

    def test_infinite_rx_file_larger_than_the_default_pool(self):
        """20,000 frames: more than the default 8,191 mbufs; the pool grows to hold them."""
        import tempfile
        path = os.path.join(tempfile.mkdtemp(prefix="pktsieve-inf-"), "syns.pcap")
        frames = [syn_frame(40000 + i % 20000, i) for i in range(20000)]
        write_pcap(path, frames)
        s, err = self.replay_forever(path, 40000)
        self.assertIsNotNone(s, err)
        self.assertGreaterEqual(s["packets"]["received"], 40000)
        self.assertEqual(s["packets"]["malformed"], 0)

    def test_infinite_rx_of_small_frames_takes_mbufs_of_their_size(self):
        """Every queue replays a file of 54-byte SYNs: the pool's mbufs are sized to them
        (192 bytes with headroom), not 2 KiB, so 100,000 frames load in 128 MiB of EAL memory.
        With 2 KiB mbufs they need ~240 MiB and the pool cannot be made."""
        import tempfile
        path = os.path.join(tempfile.mkdtemp(prefix="pktsieve-inf-"), "small.pcap")
        write_pcap(path, [syn_frame(30000 + i % 30000, i) for i in range(100000)])
        s, err = self.replay_forever(path, 200000, mem="128")
        self.assertIsNotNone(s, err)
        self.assertGreaterEqual(s["packets"]["received"], 200000)
        self.assertEqual(s["packets"]["malformed"], 0)
        self.assertEqual(s["pool"]["in_use"], 0)

    def test_infinite_rx_frame_too_large_for_an_mbuf_says_what_to_do(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(prefix="pktsieve-inf-"), "huge.pcap")
        write_pcap(path, [syn_frame(40000, 0) + bytes(70000)], snaplen=262144)
        s, err = self.replay_forever(path, 1)
        self.assertIsNone(s, err)
        self.assertIn("does not fit one mbuf", err)
        self.assertIn("without infinite_rx", err)

    def test_several_ports(self):
        out, expected = daemon.traffic()
        pcaps = [os.path.join(out, "threats.pcap"), os.path.join(out, "benign.pcap")]
        want = expected["threats"]["packets"] + expected["benign"]["packets"]
        for workers, lcores in [("1", "0@0,1@0,2@1"), ("2", "0@0,1@0,2@1,3@0,4@1")]:
            with self.subTest(workers=workers):
                s, e = self.run_until_sigterm(pcaps, want, ["--workers", workers], lcores)
                self.assertEqual(s["packets"]["received"], want)
                self.assertEqual([d["ipackets"] for d in s["devices"]],
                                 [expected["threats"]["packets"], expected["benign"]["packets"]])
                self.assertEqual(len(s["workers"]), int(workers))
                self.assertEqual(sorted(map(daemon.eve_key, e)),
                                 sorted(daemon.alert_key(a) for a in expected["threats"]["alerts"]))


class Cli(unittest.TestCase):
    def run_cli(self, *args):
        return subprocess.run([daemon.PKTSIEVE, *args], capture_output=True, text=True, timeout=60)

    def test_check_rules_good(self):
        r = self.run_cli("--check-rules", daemon.RULES)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("6 rules loaded, 0 failed, 0 skipped", r.stdout)

    def test_check_rules_bad_names_file_and_line(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "bad.rules")
        with open(path, "w") as f:
            f.write("# ok\nalert tcp any any -> any 80 (content:\"a\"; sid:1;)\n"
                    "alert tcp any any -> any 80 (content:\"a\" sid:2;)\n"
                    "alert tcp any any -> any 80 (pcre:\"/(a/\"; sid:3;)\n")
        r = self.run_cli("--check-rules", path)
        # Every broken rule is named, the good one loads, and the exit code says "not clean".
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"{path}:3: 'content' needs a quoted value", r.stdout)
        self.assertIn(f"{path}:4: pattern rejected by Hyperscan", r.stdout)
        self.assertIn("1 rules loaded, 2 failed, 0 skipped", r.stdout)

    def test_daemon_runs_with_the_good_rules_and_reports_the_broken_one(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "mixed.rules")
        with open(daemon.RULES) as f:
            good = f.read()
        with open(path, "w") as f:
            f.write(good + "alert tcp any any -> any 80 (pcre:\"/(a/\"; sid:77;)\n")
        broken_line = good.count("\n") + 1
        out, expected = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, "sample.pcap"), "--rules", path, "-q"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertIn(f"failed {path}:{broken_line}: pattern rejected by Hyperscan", r.stderr)
        self.assertEqual(r.stats["ruleset"]["failed"], 1)
        self.assertEqual(r.stats["ruleset"]["rules"], 6)
        # The good rules alert exactly as they do alone.
        want = sorted(daemon.alert_key(a) for a in expected["sample"]["alerts"])
        self.assertEqual(sorted(daemon.eve_key(e) for e in r.eve), want)

    def test_a_set_where_every_rule_failed_is_refused(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "bad.rules")
        with open(path, "w") as f:
            f.write("alert tcp any any -> any 80 (contnt:\"a\"; sid:1;)\n")
        r = self.run_cli("--check-rules", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{path}:1: unknown keyword 'contnt'", r.stdout)
        out, _ = daemon.traffic()
        r = self.run_cli("--pcap", os.path.join(out, "benign.pcap"), "--rules", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("every rule failed", r.stderr)

    def test_help_describes_options_with_defaults(self):
        r = self.run_cli("--help")
        self.assertEqual(r.returncode, 0)
        for opt in ["--pcap", "--rules", "--check-rules", "--stats-json", "--eve", "--var", "(=32)"]:
            self.assertIn(opt, r.stdout)

    @unittest.skipIf(os.environ.get("PKTSIEVE_DPDK_STATIC") == "false",
                     "built with -Ddpdk_static=false: the EAL loads its plugin directory")
    def test_start_up_loads_no_driver_and_measures_the_tsc_itself(self):
        """DPDK is linked in (meson option dpdk_static): the EAL opens none of the 128 drivers
        in Debian's plugin directory, ~0.1 s of every start, and its TSC frequency comes from
        the 10 ms measurement (lib/dataplane/tsc_frequency.cpp), rounded to 10 MHz as the EAL
        rounds, the figure the stats report."""
        out, expected = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, "threats.pcap"), "--rules", daemon.RULES,
                        "-q"], eal=["--log-level=lib.eal:debug"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["packets"]["received"], expected["threats"]["packets"])
        head = r.stderr[:1500]  # the EAL's own lines; a shared one lists ~380 files after these
        self.assertTrue("Detected static linkage of DPDK" in r.stderr, head)
        self.assertFalse("open shared lib" in r.stderr, head)
        khz = re.search(r"TSC frequency is ~(\d+) KHz", r.stderr)
        self.assertIsNotNone(khz, r.stderr)
        self.assertEqual(r.stats["tsc_hz"], int(khz.group(1)) * 1000)
        self.assertGreater(r.stats["tsc_hz"], 0)
        self.assertEqual(r.stats["tsc_hz"] % 10_000_000, 0)

    def test_missing_pcap_is_a_clear_error(self):
        r = self.run_cli("--pcap", "/nonexistent.pcap", "--rules", daemon.RULES)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("/nonexistent.pcap", r.stderr)

    def test_truncated_pcap_counts_the_whole_records_and_exits(self):
        import tempfile
        out, expected = daemon.traffic()
        with open(os.path.join(out, "threats.pcap"), "rb") as f:
            data = f.read()
        path = os.path.join(tempfile.mkdtemp(), "cut.pcap")
        with open(path, "wb") as f:
            f.write(data[:len(data) - 30])  # the last record loses its tail
        r = daemon.run(["--pcap", path, "--rules", daemon.RULES, "-q"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["packets"]["received"], expected["threats"]["packets"] - 1)

    def test_empty_pcap_ends_at_once_with_zero_totals(self):
        # A header and no packets used to count as "run forever" (0 expected packets).
        import struct
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "empty.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        r = daemon.run(["--pcap", path, "--rules", daemon.RULES, "-q"], timeout=60)
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["packets"]["received"], 0)
        self.assertEqual(r.stats["alerts"]["total"], 0)
        self.assertEqual(r.eve, [])

    def test_rules_directory_loads_every_rules_file_in_order(self):
        import tempfile
        d = tempfile.mkdtemp()
        with open(daemon.RULES) as f:
            lines = [l for l in f if l.startswith("alert")]
        with open(os.path.join(d, "b.rules"), "w") as f:
            f.writelines(lines[3:])
        with open(os.path.join(d, "a.rules"), "w") as f:
            f.writelines(lines[:3])
        with open(os.path.join(d, "README"), "w") as f:
            f.write("not rules\n")
        out, expected = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, "sample.pcap"), "--rules", d, "-q"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["ruleset"]["rules"], len(lines))
        want = sorted(daemon.alert_key(a) for a in expected["sample"]["alerts"])
        self.assertEqual(sorted(daemon.eve_key(e) for e in r.eve), want)
        # A directory without rule files is refused, never run with nothing.
        empty = tempfile.mkdtemp()
        r = self.run_cli("--pcap", os.path.join(out, "sample.pcap"), "--rules", empty)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{empty}:0: a directory without *.rules files", r.stderr)
        r = self.run_cli("--check-rules", empty)
        self.assertEqual(r.returncode, 1)

    def test_a_set_with_no_rule_warns(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "comments.rules")
        with open(path, "w") as f:
            f.write("# nothing enabled\n")
        out, _ = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, "benign.pcap"), "--rules", path, "-q"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertIn("warning: no rules loaded", r.stderr)

    def test_unwritable_outputs_are_refused_at_start(self):
        import tempfile
        out, _ = daemon.traffic()
        pcap = os.path.join(out, "benign.pcap")
        for opt in ["--stats-json", "--eve"]:
            r = self.run_cli("--pcap", pcap, "--rules", daemon.RULES, opt, "/nonexistent/dir/x.json")
            self.assertEqual(r.returncode, 1, opt)
            self.assertIn(f"cannot write {opt} /nonexistent/dir/x.json", r.stderr)
            self.assertNotIn("packets", r.stdout)  # refused before running
        # A writable path is checked without leaving a file behind or touching one that exists.
        d = tempfile.mkdtemp()
        keep = os.path.join(d, "eve.json")
        with open(keep, "w") as f:
            f.write("old\n")
        r = self.run_cli("--pcap", pcap, "--rules", daemon.RULES, "--eve", keep,
                         "--stats-json", os.path.join(d, "sub-missing", "s.json"))
        self.assertEqual(r.returncode, 1)
        with open(keep) as f:
            self.assertEqual(f.read(), "old\n")

    def test_no_runtime_folder_left_behind(self):
        import tempfile
        out, _ = daemon.traffic()
        work = tempfile.mkdtemp()
        proc = subprocess.Popen([daemon.PKTSIEVE, "--pcap", os.path.join(out, "sample.pcap"),
                                 "--rules", daemon.RULES, "-q", "--stats-json",
                                 os.path.join(work, "s.json")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err)
        self.assertFalse(os.path.exists(f"/var/run/dpdk/pktsieve-{proc.pid}"))

    def test_linux_cooked_and_raw_ip_captures_alert_like_ethernet(self):
        # `tcpdump -i any` writes Linux cooked (SLL) frames; they were all counted non-IP.
        import tempfile
        from scapy.all import CookedLinux, CookedLinuxV2, Ether, rdpcap, wrpcap  # noqa: E402
        out, expected = daemon.traffic()
        frames = [f for f in rdpcap(os.path.join(out, "sample.pcap")) if Ether in f]
        d = tempfile.mkdtemp()
        want = sorted(daemon.alert_key(a) for a in expected["sample"]["alerts"])
        ether = daemon.run(["--pcap", os.path.join(out, "sample.pcap"), "--rules", daemon.RULES,
                            "-q"])
        for name, link in [("sll", lambda p: CookedLinux(proto=p.type) / p.payload),
                           ("sll2", lambda p: CookedLinuxV2(proto=p.type) / p.payload),
                           ("raw", None)]:
            path = os.path.join(d, f"{name}.pcap")
            if link is None:
                wrpcap(path, [bytes(f.payload) for f in frames if f.type in (0x0800, 0x86dd)],
                       linktype=101)
            else:
                wrpcap(path, [link(f) for f in frames])
            r = daemon.run(["--pcap", path, "--rules", daemon.RULES])
            self.assertEqual(r.rc, 0, r.stderr)
            if name != "raw":  # the raw capture has no VLAN tags nor non-IP frames
                self.assertEqual(sorted(daemon.eve_key(e) for e in r.eve),
                                 sorted(daemon.eve_key(e) for e in ether.eve), name)
            else:
                self.assertGreater(len(r.eve), 0)
            self.assertIn("link type", r.stderr)
        self.assertEqual(len(want) > 0, True)
        # Any other link type is refused with a clear error.
        path = os.path.join(d, "wifi.pcap")
        wrpcap(path, [bytes(frames[0])], linktype=105)
        r = self.run_cli("--pcap", path, "--rules", daemon.RULES)
        self.assertEqual(r.returncode, 1)
        self.assertIn("link type 105", r.stderr)
        self.assertIn("not supported", r.stderr)

    def test_classic_dpdk_mistakes_get_one_actionable_line(self):
        """Each mistake ends with a non-zero status, a line saying what to change, and never
        the EAL's 100-line usage dump."""
        out, _ = daemon.traffic()
        pcap = os.path.join(out, "threats.pcap")
        cpus = len(os.sched_getaffinity(0))
        prefix = f"--file-prefix=pktsieve-mistake-{os.getpid()}"
        vdev = f"--vdev=net_pcap0,rx_pcap={pcap}"
        cases = {
            "EAL options without --": (
                ["-l", "0-1", "--no-huge", vdev, "--rules", daemon.RULES],
                "'-l' is an EAL option: EAL options go before `--` (there is none)"),
            "pktsieve option before --": (
                ["--no-huge", "--rules", daemon.RULES, "--", "-q"],
                "'--rules' is a pktsieve option: it goes after `--`"),
            "--workers -1": (["--pcap", pcap, "--rules", daemon.RULES, "--workers", "-1"],
                             "--workers must be in 0..125"),
            "--workers 1000": (["--pcap", pcap, "--rules", daemon.RULES, "--workers", "1000"],
                               "--workers must be in 0..125"),
            "-l beyond the CPUs": (
                ["-l", f"0-{cpus}", "--no-huge", "--no-pci", prefix, vdev, "--", "--rules",
                 daemon.RULES],
                f"CPU {cpus} is not one this process may run on"),
            "too few lcores": (
                ["--lcores=0@0,1@0", "--no-huge", "--no-pci", prefix, vdev, "--", "--rules",
                 daemon.RULES],
                "lcores may share CPUs, e.g. --lcores=0@"),
            "no port": (
                ["--lcores=0@0,1@0,2@0", "--no-huge", "--no-pci", prefix, "--", "--rules",
                 daemon.RULES],
                "no port found: give a NIC bound to a DPDK driver"),
            "bad EAL option": (
                ["--lcores=0@0,1@0,2@0", "--no-huge", "--bogus-eal", prefix, vdev, "--",
                 "--rules", daemon.RULES],
                "the EAL refused its options"),
        }
        with open("/proc/meminfo") as f:
            hugepages = any(line.split()[1] != "0" for line in f
                            if line.startswith("HugePages_Total"))
        if not hugepages:  # a machine with none (CI's) shows what a first-time user meets
            cases["no hugepages"] = (
                ["--lcores=0@0,1@0,2@0", "--no-pci", prefix, vdev, "--", "--rules",
                 daemon.RULES], "no hugepages are reserved")
        # A start the EAL refuses after creating its runtime folder leaves the folder (DPDK's
        # own doing; pktsieve removes it only after a start that got that far): this test's.
        self.addCleanup(shutil.rmtree, f"/var/run/dpdk/pktsieve-mistake-{os.getpid()}", True)
        for name, (args, said) in cases.items():
            with self.subTest(name):
                r = self.run_cli(*args)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(said, r.stderr)
                self.assertNotIn("EAL common options", r.stdout + r.stderr)

    def test_unknown_option(self):
        r = self.run_cli("--rules", daemon.RULES, "--bogus")
        self.assertEqual(r.returncode, 2)
        self.assertIn("bogus", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
