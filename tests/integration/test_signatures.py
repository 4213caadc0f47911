"""Rule files as operators keep them: the public ET Open sample loads whole and each of its
rules fires on traffic made for it; unsupported rules are skipped and counted (--strict: fatal)."""
import collections
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

ET_RULES = os.environ.get("PKTSIEVE_ET_RULES",
                          os.path.join(daemon.SOURCE, "..", "shared", "rules", "et-open-sample.rules"))
ET_VARS = ["--var", "HOME_NET=198.51.100.0/24", "--var", "EXTERNAL_NET=!$HOME_NET"]


def rule_sids(path):
    with open(path) as f:
        return {int(line.split("sid:")[1].split(";")[0]) for line in f
                if line.startswith("alert")}


def check_rules(path, *extra):
    return subprocess.run([daemon.PKTSIEVE, "--check-rules", path, *extra], capture_output=True,
                          text=True, timeout=60)


@unittest.skipUnless(os.path.exists(ET_RULES), f"ET Open sample not found at {ET_RULES} "
                     "(set PKTSIEVE_ET_RULES); it lives outside this repository")
class EtOpenSample(unittest.TestCase):
    def test_loads_with_zero_skips(self):
        r = check_rules(ET_RULES, "--strict")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        n = len(rule_sids(ET_RULES))
        self.assertIn(f"{n} rules loaded, 0 failed, 0 skipped", r.stdout)

    def run_sample(self, workers):
        out, expected = daemon.traffic()
        exp = expected["et_open"]
        r = daemon.run(["--pcap", os.path.join(out, "et_open.pcap"), "--rules", ET_RULES,
                        *ET_VARS, "--workers", str(workers), "-q"])
        self.assertEqual(r.rc, 0, r.stderr)
        self.assertEqual(r.stats["packets"]["received"], exp["packets"])
        want = sorted(daemon.alert_key(a) for a in exp["alerts"])
        self.assertEqual(sorted(daemon.eve_key(e) for e in r.eve), want)
        by_sid = collections.Counter(a["sid"] for a in exp["alerts"])
        for sid, rule in r.stats["rules"].items():
            self.assertEqual(rule["alerts"], by_sid.get(int(sid), 0), f"sid {sid}")
        # Every enabled rule of the file fired.
        self.assertEqual(set(by_sid), rule_sids(ET_RULES))
        self.assertEqual(r.stats["verify"]["exhausted"], 0)
        return r

    def test_each_rule_fires_on_its_traffic(self):
        r = self.run_sample(1)
        self.assertGreater(r.stats["http"]["requests"], 0)

    def test_same_alerts_with_three_workers(self):
        self.run_sample(3)


class Unsupported(unittest.TestCase):
    RULES = (
        'alert tcp any any -> any 80 (msg:"ok"; content:"a"; sid:1;)\n'
        'alert tcp any any -> any 80 (msg:"lua"; content:"a"; lua:x.lua; sid:2;)\n'
        'alert tls any any -> any any (msg:"tls"; tls.sni; content:"x"; sid:3;)\n'
        'alert tcp any any -> any 80 (msg:"lua2"; luajit:y.lua; sid:4;)\n'
        'alert tcp any any -> any 80 (msg:"backref"; pcre:"/(a)\\1/"; sid:5;)\n')

    def write(self, text):
        fd, path = tempfile.mkstemp(suffix=".rules")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path

    def test_skipped_and_counted_by_reason(self):
        path = self.write(self.RULES)
        r = check_rules(path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("1 rules loaded, 0 failed, 4 skipped", r.stdout)
        self.assertIn(f"{path}:2: unsupported keyword 'lua'", r.stdout)
        self.assertIn(f"{path}:3: unsupported protocol 'tls'", r.stdout)
        self.assertIn(f"{path}:4: unsupported keyword 'luajit'", r.stdout)
        self.assertIn(f"{path}:5: pcre not supported by Hyperscan", r.stdout)
        self.assertRegex(r.stdout, r"skipped +1  unsupported keyword 'lua'\n")

    def test_strict_makes_them_fatal(self):
        path = self.write(self.RULES)
        r = check_rules(path, "--strict")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{path}:2: unsupported keyword 'lua'", r.stdout)
        self.assertIn("rejected (4 errors)", r.stdout)

    def test_a_real_error_still_rejects_the_file(self):
        path = self.write(self.RULES + 'alert tcp any any -> any 80 (content:"a"; depth:x; sid:6;)\n')
        r = check_rules(path)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{path}:6: 'depth' needs an integer", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
