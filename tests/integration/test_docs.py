"""The docs say what a run does: their examples are a real run's output (checked here against a
fresh one), every counter and malformed reason a run reports has a row in docs/stats.md, every
EVE field one in docs/eve.md, and the README's pcap examples run as written."""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

sys.path.insert(0, os.path.join(daemon.SOURCE, "scripts"))
import doc_examples  # noqa: E402


def read(path):
    with open(os.path.join(daemon.SOURCE, path)) as f:
        return f.read()


def table_keys(text):
    """{(first cell, key)} of markdown table rows; a cell like "ipv4, ipv6" gives both."""
    out = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(line) <= set("|- "):
            continue
        for key in cells[1].split(","):
            out.add((cells[0], key.strip()))
        for key in cells[0].split(","):
            out.add(("", key.strip()))
    return out


class Docs(unittest.TestCase):
    def test_examples_are_a_real_run(self):
        r = subprocess.run(["/usr/bin/python3", os.path.join(daemon.SOURCE, "scripts",
                                                             "doc_examples.py"), daemon.PKTSIEVE],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_every_counter_and_field_is_documented(self):
        doc, eve = doc_examples.run(daemon.PKTSIEVE)
        rows = table_keys(read("docs/stats.md"))
        for group, counters in doc.items():
            if group == "malformed":
                for reason in counters:
                    self.assertIn(("", reason), rows, f"malformed reason {reason}")
            elif isinstance(counters, dict) and all(isinstance(v, int) for v in counters.values()):
                for key in counters:
                    self.assertIn((group, key), rows, f"counter {group}.{key}")
        fields = table_keys(read("docs/eve.md"))
        for a in eve:
            for k, v in a.items():
                if isinstance(v, dict):
                    for sub in v:
                        self.assertTrue(("", f"{k}.{sub}") in fields or ("", sub) in fields,
                                        f"EVE field {k}.{sub}")
                else:
                    self.assertIn(("", k), fields, f"EVE field {k}")

    def test_readme_pcap_examples_run_as_written(self):
        text = "".join(re.findall(r"```sh\n(.*?)```", read("README.md"), re.S))
        commands = [c.replace("\\\n", " ") for c in re.split(r"(?<!\\)\n", text)]
        commands = [c for c in commands if c.startswith(("pktsieve ", "scripts/report "))]
        work = tempfile.mkdtemp(prefix="pktsieve-readme-")
        out, _ = daemon.traffic()
        shutil.copy(os.path.join(out, "sample.pcap"), os.path.join(work, "traffic.pcap"))
        os.symlink(os.path.join(daemon.SOURCE, "signatures"), os.path.join(work, "signatures"))
        shutil.copy(daemon.RULES, os.path.join(work, "my.rules"))
        ran = 0
        for c in commands:
            args = shlex.split(c)
            if "-a" in args or any(a.startswith("/") for a in args):
                continue  # a NIC, or files of a system (their requirements are stated beside)
            program = (daemon.PKTSIEVE if args[0] == "pktsieve"
                       else os.path.join(daemon.SOURCE, args[0]))  # in order: report after run
            with self.subTest(c):
                r = subprocess.run([program] + args[1:], cwd=work, capture_output=True,
                                   text=True, timeout=300)
                self.assertEqual(r.returncode, 0, r.stderr[-2000:])
                ran += 1
        self.assertGreaterEqual(ran, 4)
        self.assertTrue(os.path.exists(os.path.join(work, "report", "index.html")))


    def test_the_config_example_names_every_option_and_parses(self):
        """docs/pktsieve.conf.example has a line for every option of --help (but the ones that
        make no sense in a file), and the file with every line uncommented is accepted."""
        with open(os.path.join(daemon.SOURCE, "docs", "pktsieve.conf.example")) as f:
            example = f.read()
        help_text = subprocess.run([daemon.PKTSIEVE, "--help"], capture_output=True, text=True,
                                   check=True).stdout
        options = set(re.findall(r"^  (?:-\w \[ )?--([a-z][a-z-]*)", help_text, re.M))
        self.assertIn("metrics", options)
        in_file = set(re.findall(r"^#([a-z][a-z-]*) = ", example, re.M))
        self.assertEqual(options - {"help", "version", "config", "check-rules"}, in_file)
        work = tempfile.mkdtemp(prefix="pktsieve-conf-")
        self.addCleanup(shutil.rmtree, work, True)
        conf = os.path.join(work, "pktsieve.conf")
        with open(conf, "w") as f:
            f.write(re.sub(r"^#([a-z][a-z-]* = )", r"\1", example, flags=re.M))
        r = subprocess.run([daemon.PKTSIEVE, "--config", conf, "--help"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_meson_install_puts_the_service_in_place(self):
        build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(daemon.PKTSIEVE))))
        dest = tempfile.mkdtemp(prefix="pktsieve-install-")
        self.addCleanup(shutil.rmtree, dest, True)
        r = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild",
                            "--quiet"], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        files = {os.path.relpath(os.path.join(d, f), dest)
                 for d, _, fs in os.walk(dest) for f in fs}
        prefix = next(f for f in files if f.endswith("bin/pktsieve")).rsplit("/bin/", 1)[0]
        for want in ["bin/pktsieve", "bin/pktsieve-ctl", "lib/systemd/system/pktsieve.service",
                     "lib/sysusers.d/pktsieve.conf", "etc/default/pktsieve",
                     "etc/logrotate.d/pktsieve", "etc/pktsieve/pktsieve.conf.example",
                     "share/pktsieve/grafana/pktsieve-dashboard.json"]:
            self.assertIn(f"{prefix}/{want}", files)
        with open(os.path.join(dest, prefix, "lib/systemd/system/pktsieve.service")) as f:
            unit = f.read()
        self.assertNotIn("@", unit.split("[Unit]")[1])  # every @var@ configured
        start = re.search(r"^ExecStart=(\S+) \$PKTSIEVE_EAL -- --config (\S+) ", unit, re.M)
        self.assertTrue(start, unit)
        self.assertIn(os.path.relpath(start.group(1), "/"), files)
        self.assertIn(os.path.relpath(start.group(2), "/") + ".example", files)
        for line in ["ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure",
                     "LogsDirectory=pktsieve"]:
            self.assertIn("\n" + line + "\n", unit)
        with open(os.path.join(dest, prefix, "etc/default/pktsieve")) as f:
            self.assertIn("--control-group pktsieve", f.read())
        with open(os.path.join(dest, prefix, "lib/sysusers.d/pktsieve.conf")) as f:
            self.assertIn("g pktsieve -", f.read())

if __name__ == "__main__":
    unittest.main(verbosity=2)
