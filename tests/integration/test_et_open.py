"""The whole ET Open snapshot as operators deploy it (../shared/rules/et-open, read in place):
it checks with 0 failures, loads at least 14,000 rules within 2 GiB, and the daemon runs with it
(plus the shipped rules) on generated traffic with the shipped rules' alerts unchanged and ET's
DNS rules firing. A slow test: compiling the set takes ~15-30 s on a 2-core machine."""
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

sys.path.insert(0, os.path.join(daemon.SOURCE, "scripts"))
import et_open_rules  # noqa: E402

ET_DIR = os.environ.get("PKTSIEVE_ET_OPEN",
                        os.path.join(daemon.SOURCE, "..", "shared", "rules", "et-open"))
MIN_LOADED = 14000
MAX_RSS_KIB = 2 * 1024 * 1024


def concatenated():
    return et_open_rules.write(tempfile.mkdtemp(prefix="pktsieve-et-"), ET_DIR)


def dns_query(name):
    """A UDP DNS query frame for `name`, from a sensor-side client to a resolver."""
    from scapy.all import DNS, DNSQR, IP, UDP, Ether  # noqa: E402
    return (Ether() / IP(src="198.51.100.7", dst="192.0.2.53") / UDP(sport=40001, dport=53) /
            DNS(rd=1, qd=DNSQR(qname=name)))


@unittest.skipUnless(os.path.isdir(ET_DIR), f"ET Open snapshot not found at {ET_DIR} "
                     "(set PKTSIEVE_ET_OPEN); it lives outside this repository")
class EtOpenSnapshot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rules = concatenated()

    def test_checks_with_zero_failures(self):
        t0 = time.monotonic()
        r = subprocess.run([daemon.PKTSIEVE, "--check-rules", self.rules], capture_output=True,
                           text=True, timeout=600)
        seconds = time.monotonic() - t0
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.assertEqual(r.returncode, 0, r.stdout[:4000] + r.stderr)
        m = re.search(r"(\d+) rules loaded, (\d+) failed, (\d+) skipped; classification (\S+);",
                      r.stdout)
        self.assertIsNotNone(m, r.stdout[:2000])
        loaded, failed, skipped = int(m[1]), int(m[2]), int(m[3])
        self.assertEqual(failed, 0)
        self.assertGreaterEqual(loaded, MIN_LOADED)
        with open(self.rules) as f:
            enabled = sum(1 for line in f if line.startswith("alert"))
        self.assertEqual(loaded + skipped, enabled)
        self.assertTrue(m[4].endswith("classification.config"), m[4])
        self.assertLessEqual(peak_kib, MAX_RSS_KIB)
        # Every skip has a reason line, and the reasons add up.
        by_reason = sum(int(n) for n in re.findall(r"^  skipped +(\d+)  ", r.stdout, re.M))
        self.assertEqual(by_reason, skipped)
        print(f"\nET Open: {loaded} loaded, {failed} failed, {skipped} skipped of {enabled}; "
              f"{seconds:.1f} s, peak {peak_kib} KiB\n" +
              "\n".join(r.stdout.splitlines()[:2]), file=sys.stderr)

    def test_daemon_runs_with_the_whole_set(self):
        from scapy.all import DNS, UDP, rdpcap, wrpcap  # noqa: E402
        out, expected = daemon.traffic()
        pcap = os.path.join(os.path.dirname(self.rules), "sample_dns.pcap")
        frames = list(rdpcap(os.path.join(out, "sample.pcap")))
        # ET 2029107 ("appsdown.urbanvillager.xyz", endswith) and a look-alike that is not.
        frames += [dns_query("cdn.appsdown.urbanvillager.xyz"),
                   dns_query("appsdown.urbanvillager.xyz.example")]
        wrpcap(pcap, frames)
        queries = sum(1 for f in frames if UDP in f and f[UDP].dport == 53 and DNS in f and
                      f[DNS].qr == 0 and f[DNS].qdcount > 0)
        r = daemon.run(["--pcap", pcap, "--rules", daemon.RULES, "--rules", self.rules, "-q"],
                       timeout=600)
        self.assertEqual(r.rc, 0, r.stderr[-4000:])
        self.assertEqual(r.stats["packets"]["received"], expected["sample"]["packets"] + 2)
        self.assertGreaterEqual(r.stats["ruleset"]["rules"], MIN_LOADED + 6)
        self.assertEqual(r.stats["ruleset"]["failed"], 0)
        self.assertEqual(r.stats["dns"]["queries"], queries)
        shipped = {a["sid"] for a in expected["sample"]["alerts"]}
        got = sorted(daemon.eve_key(e) for e in r.eve if e["alert"]["signature_id"] in shipped)
        self.assertEqual(got, sorted(daemon.alert_key(a) for a in expected["sample"]["alerts"]))
        dns = [e for e in r.eve if e["alert"]["signature_id"] == 2029107]
        self.assertEqual(len(dns), 1, [e["alert"]["signature"] for e in r.eve][:20])
        self.assertEqual(dns[0]["alert"]["category"], "Possibly Unwanted Program Detected")
        self.assertEqual(dns[0]["alert"]["severity"], 2)  # pup-activity's priority in the file


if __name__ == "__main__":
    unittest.main(verbosity=2)
