"""A live interface: a veth pair in a network namespace made here, pktsieve on one end through
the af_packet PMD with 2 queue pairs, traffic replayed into the other end with scapy; and
pktsieve-ctl reading the running daemon. Exact counts throughout."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import datetime

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

CTL = daemon.CTL


def rdpcap_quiet(path):
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import rdpcap
    return rdpcap(path)


def is_access(p):
    """A TCP connection attempt (SYN without ACK) or a UDP datagram (not a later fragment)."""
    from scapy.all import IP, IPv6, TCP, UDP
    if IP in p and p[IP].frag:
        return False
    if TCP in p:
        return (int(p[TCP].flags) & 0x12) == 0x02
    return UDP in p and (IP in p or IPv6 in p)


def sh(*args):
    subprocess.run(args, check=True, capture_output=True, text=True)


class Live(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nsenter"):
            self.skipTest("needs root, iproute2 and nsenter to make a network namespace")
        self.ns = f"pktsieve-test-{os.getpid()}"
        self.prefix = f"pktsieve-live-{os.getpid()}"
        self.proc = None
        sh("ip", "netns", "add", self.ns)
        self.addCleanup(sh, "ip", "netns", "del", self.ns)
        # No IPv6 on the pair: no neighbour discovery or MLD frames besides the replayed ones.
        sh(*self.inside(), "sh", "-c",
           "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 && "
           "echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6")
        sh(*self.inside(), "ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
        sh(*self.inside(), "ip", "link", "set", "veth0", "up")
        sh(*self.inside(), "ip", "link", "set", "veth1", "up")
        self.work = tempfile.mkdtemp(prefix="pktsieve-live-")
        self.stats_path = os.path.join(self.work, "s.json")
        self.eve_path = os.path.join(self.work, "e.json")

    def inside(self):
        # nsenter enters only the network namespace; `ip netns exec` and `ip -n` also remount
        # /sys, which a chroot (fresh-check) refuses. /proc/sys/net follows the network namespace.
        return ["nsenter", f"--net=/var/run/netns/{self.ns}"]

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def ctl(self, *args):
        return subprocess.run([CTL, "--file-prefix", self.prefix, *args], capture_output=True,
                              text=True, timeout=30)

    def replay(self, pcap):
        sh(*self.inside(), "/usr/bin/python3", "-c",
           "import logging, sys; logging.getLogger('scapy.runtime').setLevel(logging.ERROR)\n"
           "from scapy.all import rdpcap, sendp\n"
           "sendp(rdpcap(sys.argv[1]), iface='veth1', verbose=False)", pcap)

    def test_broken_rule_among_good_ones_live(self):
        # One bad rule costs only itself on a live port too: the good rules alert, the broken
        # one is named at start and counted.
        out, expected = daemon.traffic()
        rules = os.path.join(self.work, "mixed.rules")
        with open(daemon.RULES) as f:
            good = f.read()
        with open(rules, "w") as f:
            f.write(good + 'alert tcp any any -> any 23 (msg:"typo"; contnt:"x"; sid:77;)\n')
        broken_line = good.count("\n") + 1
        self.proc = subprocess.Popen(
            [*self.inside(), daemon.PKTSIEVE, "--no-huge", "-m", "512", "--no-pci",
             f"--file-prefix={self.prefix}", "--lcores=0@0,1@0,2@1", "--log-level=*:error",
             "--vdev=net_af_packet0,iface=veth0", "--", "--rules", rules, "--stats-json",
             self.stats_path, "-q", "--stats-interval-ms", "50"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        daemon.wait_for_received(self.proc, self.prefix, 0)
        self.replay(os.path.join(out, "threats.pcap"))
        s = daemon.wait_for_received(self.proc, self.prefix, expected["threats"]["packets"])
        self.assertEqual(s["alerts"]["total"], len(expected["threats"]["alerts"]))
        self.assertEqual(s["ruleset"]["failed"], 1)
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=60)
        self.assertEqual(self.proc.returncode, 0, err)
        self.assertIn(f"failed {rules}:{broken_line}: unknown keyword 'contnt'", err)

    def test_af_packet_two_queue_pairs_and_ctl(self):
        out, expected = daemon.traffic()
        self.proc = subprocess.Popen(
            [*self.inside(), daemon.PKTSIEVE, "--no-huge", "-m", "512", "--no-pci",
             f"--file-prefix={self.prefix}", "--lcores=0@0,1@0,2@1,3@0", "--log-level=*:error",
             "--vdev=net_af_packet0,iface=veth0,qpairs=2", "--",
             "--rules", daemon.RULES, "--stats-json", self.stats_path, "--eve", self.eve_path,
             "-q", "--stats-interval-ms", "50"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = daemon.wait_for_received(self.proc, self.prefix, 0)
        self.assertTrue(first["distribution"]["mode"].startswith("queues"), first["distribution"])
        self.assertEqual(len(first["workers"]), 2)

        n1 = expected["threats"]["packets"]
        self.replay(os.path.join(out, "threats.pcap"))
        after1 = daemon.wait_for_received(self.proc, self.prefix, n1)
        self.assertEqual(after1["alerts"]["total"], len(expected["threats"]["alerts"]))

        # The same attacks again (not benign.pcap: af_packet asks the kernel to reassemble IP
        # fragments before fanout, so its two fragments would arrive as one frame).
        n2 = n1
        self.replay(os.path.join(out, "threats.pcap"))
        after2 = daemon.wait_for_received(self.proc, self.prefix, n1 + n2)
        self.assertGreater(after2["packets"]["received"], after1["packets"]["received"])
        self.assertGreater(after2["generation"], after1["generation"])

        table = self.ctl("stats")
        self.assertEqual(table.returncode, 0, table.stderr)
        for word in ["es-traversal", "telnet-login", "worker lcore", "top rules", "9200"]:
            self.assertIn(word, table.stdout)

        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=60)
        self.assertEqual(self.proc.returncode, 0, err)
        final, eve = daemon.read_outputs(self.stats_path, self.eve_path)
        self.assertEqual(final["packets"]["received"], n1 + n2)
        self.assertEqual(final["packets"]["received"], after2["packets"]["received"])
        self.assertEqual(final["alerts"]["total"], after2["alerts"]["total"])
        self.assertEqual(final["threats"], after2["threats"])
        self.assertEqual(sorted(map(daemon.eve_key, eve)),
                         sorted(daemon.alert_key(a) for a in expected["threats"]["alerts"] * 2))
        per_worker = [w["packets"]["received"] for w in final["workers"]]
        self.assertEqual(sum(per_worker), n1 + n2)
        self.assertTrue(all(n > 0 for n in per_worker), f"both queue pairs carry flows: {per_worker}")
        self.assertEqual(final["devices"][0]["name"], "net_af_packet0")

    def test_observation_records_follow_the_clock(self):
        # On a live port intervals follow the wall clock: records every second (idle seconds
        # too), aligned, in order, and together the exact accesses of what was sent.
        out, _ = daemon.traffic()
        pcap = os.path.join(out, "threats.pcap")
        self.proc = subprocess.Popen(
            [*self.inside(), daemon.PKTSIEVE, "--no-huge", "-m", "512", "--no-pci",
             f"--file-prefix={self.prefix}", "--lcores=0@0,1@0,2@1,3@0", "--log-level=*:error",
             "--vdev=net_af_packet0,iface=veth0,qpairs=2", "--",
             "--rules", daemon.RULES, "--stats-json", self.stats_path, "--eve", self.eve_path,
             "-q", "--observation-interval", "1s", "--sensor-name", "live-1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        daemon.wait_for_received(self.proc, self.prefix, 0)
        n = daemon.traffic()[1]["threats"]["packets"]
        self.replay(pcap)
        daemon.wait_for_received(self.proc, self.prefix, n)
        time.sleep(2.5)
        self.replay(pcap)
        daemon.wait_for_received(self.proc, self.prefix, 2 * n)
        time.sleep(1.5)
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=60)
        self.assertEqual(self.proc.returncode, 0, err)
        final = daemon.read_outputs(self.stats_path, self.eve_path)[0]
        records = daemon.read_eve(self.eve_path, "observation")
        starts = [datetime.datetime.strptime(r["interval"]["start"], "%Y-%m-%dT%H:%M:%S.%f%z")
                  for r in records]
        self.assertGreaterEqual(len(records), 4)  # about 5 s: at least 4 whole seconds
        self.assertEqual(starts, sorted(set(starts)))
        for r, t in zip(records, starts):
            self.assertEqual((r["interval"]["seconds"], t.microsecond, r["sensor"]), (1, 0, "live-1"))
        self.assertLess(abs(starts[-1].timestamp() - time.time()), 120)  # the clock, not packets
        want = 2 * sum(1 for p in rdpcap_quiet(pcap) if is_access(p))
        self.assertEqual(sum(r["observation"]["accesses"] for r in records), want)
        self.assertEqual(final["observe"]["accesses"], want)
        self.assertEqual(final["observations"]["records"], len(records))

    def test_ctl_without_daemon_is_a_clear_error(self):
        r = self.ctl("stats")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no pktsieve running", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
