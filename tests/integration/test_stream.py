"""Stream matching on the real daemon: attacks split across segments, retransmissions, and a
SYN flood larger than the flow table."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402


class Stream(unittest.TestCase):
    def run_capture(self, name, *options):
        out, expected = daemon.traffic()
        r = daemon.run(["--pcap", os.path.join(out, f"{name}.pcap"), "--rules", daemon.RULES,
                        "-q", *options])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["packets"]["received"], expected[name]["packets"])
        return r, expected[name]

    def test_split_attacks_one_alert_per_flow(self):
        r, exp = self.run_capture("segmented")
        self.assertEqual(sorted(map(daemon.eve_key, r.eve)),
                         sorted(daemon.alert_key(a) for a in exp["alerts"]))
        # 2 logins typed a byte per segment, 8 with negotiation between the characters, 1
        # edited with backspace/DEL (scripts/gen_traffic.py: segmented, telnet_evasions).
        self.assertEqual(r.stats["threats"]["telnet-login"]["alerts"], 11)
        self.assertEqual(r.stats["threats"]["es-traversal"]["alerts"], 4)
        self.assertGreater(r.stats["stream"]["retransmitted_bytes"], 0)
        self.assertEqual(r.stats["stream"]["restarts"], 0)
        self.assertEqual(r.stats["flows"]["created"], 17)
        self.assertEqual(r.stats["flows"]["closed"], 17)
        # A hit is a segment the rule matched in: the resent CONNECT segments are not scanned
        # again, so one hit; a traversal can match again in a later segment ("../../").
        self.assertEqual(r.stats["rules"]["9000020"]["hits"], 1)
        for sid, rule in r.stats["rules"].items():
            self.assertGreaterEqual(rule["hits"], rule["alerts"], sid)

    def test_block_mode_misses_what_streams_catch(self):
        r, _ = self.run_capture("segmented", "--tcp-matching", "block")
        # Only the four Telnet logins typed whole into one segment (negotiation between the
        # characters: the follower normalises a lone packet too) are seen per packet.
        self.assertEqual(r.stats["alerts"]["total"], 4)
        self.assertEqual(r.stats["rules"]["9000030"]["alerts"], 4)
        self.assertEqual(r.stats["flows"]["created"], 0)

    def test_syn_flood_bounded_table_still_detects(self):
        small, _ = self.run_capture("benign", "--flows", "1024")
        r, exp = self.run_capture("synflood", "--flows", "1024")
        f = r.stats["flows"]
        self.assertEqual(f["memory_bytes"], small.stats["flows"]["memory_bytes"])
        self.assertLessEqual(f["active"], 1024)
        self.assertEqual(f["created"], 3001)
        self.assertEqual(f["evicted"], 3001 - 1024)
        self.assertEqual(sorted(map(daemon.eve_key, r.eve)),
                         sorted(daemon.alert_key(a) for a in exp["alerts"]))

    def test_several_workers_agree(self):
        one, _ = self.run_capture("segmented")
        for n in ["2", "4"]:
            r, _ = self.run_capture("segmented", "--workers", n)
            self.assertEqual(r.stats["rules"], one.stats["rules"], n)
            self.assertEqual(r.stats["flows"]["created"], one.stats["flows"]["created"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
