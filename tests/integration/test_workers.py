"""Several workers: the same capture gives identical counts with 1, 2 and 4 workers (software
distribution over lcores mapped onto the machine's CPUs), and each flow stays on one worker."""
import collections
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

EVERY_PAYLOAD = os.path.join(os.path.dirname(__file__), "rules", "every-payload.rules")


def flow_key(e):
    """Both directions of a flow give the same key."""
    a, b = (e["src_ip"], e["src_port"]), (e["dest_ip"], e["dest_port"])
    return (e["proto"], tuple(e.get("vlan", ())), min(a, b), max(a, b))


class Workers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out, cls.expected = daemon.traffic()
        cls.pcap = os.path.join(out, "sample.pcap")
        cls.runs = {}
        for n in [1, 2, 4]:
            r = daemon.run(["--pcap", cls.pcap, "--rules", daemon.RULES, "--workers", str(n), "-q"])
            assert r.rc == 0, r.stderr
            cls.runs[n] = r

    def test_identical_counts_with_1_2_4_workers(self):
        one = self.runs[1].stats
        for n in [2, 4]:
            s = self.runs[n].stats
            with self.subTest(workers=n):
                self.assertEqual(len(s["workers"]), n)
                for key in ["packets", "scan", "alerts", "malformed", "threats", "rules", "ports"]:
                    self.assertEqual(s[key], one[key], key)
                self.assertEqual(sum(w["packets"]["received"] for w in s["workers"]),
                                 self.expected["sample"]["packets"])
                self.assertTrue(s["distribution"]["mode"].startswith("software"))
                self.assertEqual(s["distribution"]["rx_lcores"][0]["packets"],
                                 self.expected["sample"]["packets"])
                busy = [w for w in s["workers"] if w["packets"]["received"] > 0]
                self.assertGreater(len(busy), 1, "flows spread over several workers")
                self.assertEqual(sorted(map(daemon.eve_key, self.runs[n].eve)),
                                 sorted(map(daemon.eve_key, self.runs[1].eve)))
        self.assertTrue(one["distribution"]["mode"].startswith("queues"))

    def test_each_flow_seen_by_one_worker(self):
        for n in [2, 4]:
            r = daemon.run(["--pcap", self.pcap, "--rules", EVERY_PAYLOAD, "--workers", str(n), "-q"])
            self.assertEqual(r.rc, 0, r.stderr)
            lcores, senders = collections.defaultdict(set), collections.defaultdict(set)
            for e in r.eve:
                lcores[flow_key(e)].add(e["pktsieve"]["worker_lcore"])
                senders[flow_key(e)].add((e["src_ip"], e["src_port"]))
            self.assertGreater(len(lcores), 30)
            both_ways = [k for k, v in senders.items() if len(v) == 2]
            self.assertGreater(len(both_ways), 20, "flows with payload in both directions")
            split = {k: v for k, v in lcores.items() if len(v) != 1}
            self.assertEqual(split, {}, f"{n} workers: flows split across workers")
            self.assertGreater(len(set().union(*lcores.values())), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
