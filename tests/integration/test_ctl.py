"""pktsieve-ctl against running daemons: its --json is the --stats-json document itself
(docs/stats.md), fetched in parts however large (a set of thousands of rules), its table reads
that document, it finds a daemon under any EAL prefix, and no telemetry reply is cut silently."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402

TELEMETRY_REPLY_MAX = 16 * 1024


def shape(doc):
    """The document's structure: keys (recursively), list lengths; no counts."""
    if isinstance(doc, dict):
        return {k: shape(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [shape(v) for v in doc]
    return type(doc).__name__


class Ctl(unittest.TestCase):
    def start(self, prefix, rules, pcap, *extra):
        work = tempfile.mkdtemp(prefix="pktsieve-ctl-")
        stats = os.path.join(work, "s.json")
        p = subprocess.Popen(
            [daemon.PKTSIEVE, "--no-huge", "-m", "512", f"--file-prefix={prefix}",
             "--lcores=0@0,1@0,2@1", "--no-pci", "--log-level=*:error",
             f"--vdev=net_pcap0,rx_pcap={pcap}", "--", "--rules", rules, "--stats-json", stats,
             "-q", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        return p, stats

    def ctl(self, *args):
        return subprocess.run([daemon.CTL, *args], capture_output=True, text=True, timeout=120)

    def stop(self, p, stats):
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        with open(stats) as f:
            return json.load(f)

    def test_json_is_the_stats_json_document_and_found_under_any_prefix(self):
        out, expected = daemon.traffic()
        prefix = f"sensor-{os.getpid()}"  # not "pktsieve...": found all the same
        p, stats = self.start(prefix, daemon.RULES, os.path.join(out, "threats.pcap"))
        daemon.wait_for_received(p, prefix, expected["threats"]["packets"])
        time.sleep(1.5)  # every count published (observations: handed over once a second)
        r = self.ctl("--json", "stats")  # no --file-prefix: the one running pktsieve
        self.assertEqual(r.returncode, 0, r.stderr)
        live = json.loads(r.stdout)
        table = self.ctl("stats")
        self.assertEqual(table.returncode, 0, table.stderr)
        intel = json.loads(self.ctl("--file-prefix", prefix, "raw",
                                    "/pktsieve/intel,proxy_targets").stdout)
        obs = json.loads(self.ctl("--file-prefix", prefix, "raw", "/pktsieve/observations").stdout)
        final = self.stop(p, stats)
        self.assertEqual(shape(live), shape(final))
        for key in ["packets", "flows", "stream", "http", "alerts", "malformed", "threats",
                    "rules", "ports", "workers", "devices", "ruleset", "observations"]:
            if key == "workers":  # each worker hands its last observations over at exit
                for w in live[key] + final[key]:
                    del w["observe"]["handovers"]
            self.assertEqual(live[key], final[key], key)
        n = expected["threats"]["packets"]
        self.assertIn(f"received {n}", table.stdout)
        self.assertIn(f"total {final['alerts']['total']}", table.stdout)
        self.assertIn(f"/{prefix}/", table.stdout)
        # The observation sections, from the document's totals: the heaviest port's accesses,
        # the credentials, targets and commands the threats capture carries.
        totals = final["observations"]["totals"]
        top = totals["ports"][0]
        self.assertRegex(table.stdout, rf"\n  {top['port']}/{top['proto']} +{top['accesses']} ")
        for section in ("top ports", "top Telnet credentials", "top proxy targets",
                        "top traversal targets", "top RCE commands"):
            self.assertIn(section, table.stdout)
        cred = totals["intel"]["telnet_credentials"][0]
        self.assertIn(f"{cred['username']} / {cred['password']}", table.stdout)
        self.assertIn(totals["intel"]["rce_commands"][0]["command"], table.stdout)
        # And through telemetry, command by command.
        self.assertEqual(dict(zip(intel["text"], intel["count"])),
                         {t["target"]: t["count"] for t in totals["intel"]["proxy_targets"]})
        self.assertEqual(obs["accesses"], totals["accesses"])
        self.assertEqual(obs["port_accesses"], [p["accesses"] for p in totals["ports"]])

    def test_large_documents_arrive_whole_and_replies_are_never_cut(self):
        out, expected = daemon.traffic()
        work = tempfile.mkdtemp(prefix="pktsieve-ctl-")
        rules = os.path.join(work, "many.rules")
        with open(daemon.RULES) as f, open(rules, "w") as g:
            g.write(f.read())
            for i in range(3000):  # ~1 MB of document: about a hundred telemetry replies
                g.write(f'alert tcp any any -> any 9{i % 1000:03d} (msg:"LONG \\"{i}\\" '
                        f'{"x" * 110}"; flow:to_server; content:"zz{i}zz"; sid:{5000000 + i};)\n')
        prefix = f"pktsieve-ctl-{os.getpid()}"
        p, stats = self.start(prefix, rules, os.path.join(out, "threats.pcap"))
        daemon.wait_for_received(p, prefix, expected["threats"]["packets"])
        r = self.ctl("--file-prefix", prefix, "--json", "stats")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(len(doc["rules"]), 3006)
        self.assertEqual(doc["rules"]["5002999"]["msg"], 'LONG "2999" ' + "x" * 110)
        # Columnar commands list what fits and say what they left out.
        raw = self.ctl("--file-prefix", prefix, "raw", "/pktsieve/rules,100")
        self.assertEqual(raw.returncode, 0, raw.stderr)
        reply = json.loads(raw.stdout)
        self.assertLess(reply["listed"], 100)
        self.assertEqual(reply["listed"] + reply["not_listed_for_size"], 100)
        self.assertEqual(len(reply["msg"]), reply["listed"])
        # Two daemons: without --file-prefix, pktsieve-ctl names both instead of guessing.
        other = f"sensor-b-{os.getpid()}"
        q, qstats = self.start(other, daemon.RULES, os.path.join(out, "benign.pcap"))
        daemon.wait_for_received(q, other, expected["benign"]["packets"])
        both = self.ctl("stats")
        self.assertNotEqual(both.returncode, 0)
        self.assertIn("several pktsieve daemons are running", both.stderr)
        self.assertIn(prefix, both.stderr)
        self.assertIn(other, both.stderr)
        self.stop(q, qstats)
        final = self.stop(p, stats)
        self.assertEqual(len(final["rules"]), 3006)


    def test_replies_stay_json_whatever_the_rules_say(self):
        # A rule message with UTF-8, quotes, a backslash and a percent sign: DPDK 22.11.11 wrote
        # "caf\\1\\2" for its bytes >= 0x80 (invalid JSON). Replies send them as %XX.
        out, expected = daemon.traffic()
        work = tempfile.mkdtemp(prefix="pktsieve-ctl-utf8-")
        rules = os.path.join(work, "utf8.rules")
        msg = 'Telnet café "root" \\ 100% ünïcode'
        with open(daemon.RULES) as f, open(rules, "w") as g:
            g.write(f.read())
            escaped = msg.replace("\\", "\\\\").replace('"', '\\"')  # rule syntax
            g.write('alert tcp any any -> any 23 (msg:"' + escaped +
                    '"; content:"root"; sid:9100001; rev:1;)\n')
        prefix = f"pktsieve-ctl-utf8-{os.getpid()}"
        p, stats = self.start(prefix, rules, os.path.join(out, "threats.pcap"))
        daemon.wait_for_received(p, prefix, expected["threats"]["packets"])
        raw = self.ctl("--file-prefix", prefix, "raw", "/pktsieve/rules,100")
        self.assertEqual(raw.returncode, 0, raw.stderr)
        reply = json.loads(raw.stdout)
        self.assertIn(urllib.parse.quote(msg, safe=" !#$&'()*+,-./:;<=>?@[]^_`{|}~"), reply["msg"])
        self.assertIn(msg, [urllib.parse.unquote(m) for m in reply["msg"]])
        self.assertTrue(all(m.isascii() for m in reply["msg"]))
        table = self.ctl("--file-prefix", prefix, "stats")  # the document: the text as it is
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn(msg, table.stdout)
        self.stop(p, stats)


    @unittest.skipUnless(os.getuid() == 0 and shutil.which("setpriv"), "needs root and setpriv")
    def test_only_root_and_the_control_group_may_use_the_socket(self):
        """--control-group: a user in the group reads the stats; one outside it, or any user
        without the option, is refused by the socket's permissions."""
        out, expected = daemon.traffic()
        pcap = os.path.join(out, "threats.pcap")

        def as_nobody(prefix, group):
            return subprocess.run(
                ["setpriv", "--reuid=nobody", f"--regid={group}", "--clear-groups",
                 daemon.CTL, "--file-prefix", prefix, "--json", "stats"],
                capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]})

        prefix = f"pktsieve-group-{os.getpid()}"
        p, stats = self.start(prefix, daemon.RULES, pcap, "--control-group", "nogroup")
        daemon.wait_for_received(p, prefix, expected["threats"]["packets"])
        socket_path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        self.assertEqual(oct(os.stat(socket_path).st_mode & 0o777), "0o660")
        member = as_nobody(prefix, "nogroup")
        self.assertEqual(member.returncode, 0, member.stderr)
        self.assertEqual(json.loads(member.stdout)["packets"]["received"],
                         expected["threats"]["packets"])
        stranger = as_nobody(prefix, "daemon")
        self.assertEqual(stranger.returncode, 1)
        self.assertIn("does not answer", stranger.stderr)
        self.stop(p, stats)

        prefix = f"pktsieve-nogroup-{os.getpid()}"
        p, stats = self.start(prefix, daemon.RULES, pcap)
        daemon.wait_for_received(p, prefix, expected["threats"]["packets"])
        refused = as_nobody(prefix, "nogroup")
        self.assertEqual(refused.returncode, 1, refused.stdout)
        self.stop(p, stats)

    @unittest.skipUnless(os.getuid() == 0 and shutil.which("setpriv"), "needs root and setpriv")
    def test_reload_refuses_a_file_it_cannot_read_before_sending(self):
        work = tempfile.mkdtemp(prefix="pktsieve-ctl-")
        os.chmod(work, 0o755)
        secret = os.path.join(work, "secret.rules")
        with open(secret, "w") as f:
            f.write("alert tcp any any -> any 80 (content:\"x\"; sid:1;)\n")
        os.chmod(secret, 0o600)
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            daemon.CTL, "reload", "--rules", secret],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"reload: cannot read {secret}: Permission denied", r.stderr)
        shutil.rmtree(work)

    def test_a_daemon_that_stops_answering_is_an_error_not_a_hang(self):
        """A telemetry socket that greets and then never answers (a wedged daemon), and one
        whose accept queue stays full: pktsieve-ctl gives up after --timeout, naming what it
        waited for."""
        if os.getuid() == 0:
            base = "/var/run/dpdk"
        else:
            base = os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
        prefix = f"ctl-wedged-{os.getpid()}"
        folder = os.path.join(base, prefix)
        os.makedirs(folder, exist_ok=True)
        self.addCleanup(shutil.rmtree, folder, True)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.addCleanup(server.close)
        server.bind(os.path.join(folder, "dpdk_telemetry.v2"))
        server.listen(1)
        held = []
        self.addCleanup(lambda: [c.close() for c in held])

        def serve():  # greets every client, reads its commands, answers none
            while True:
                try:
                    c, _ = server.accept()
                except OSError:
                    return
                held.append(c)
                try:  # pktsieve-ctl's probe of the socket has gone already
                    c.send(b'{"version":"DPDK 22.11","pid":1,"max_output_len":16384}')
                except OSError:
                    pass

        threading.Thread(target=serve, daemon=True).start()
        for command, waited in [(["stats"], "its answer to /pktsieve/document"),
                                (["--prometheus", "stats"], "its answer to /pktsieve/metrics"),
                                (["raw", "/pktsieve/stats"], "its answer to /pktsieve/stats"),
                                (["reload"], "its answer to /pktsieve/reload")]:
            t0 = time.monotonic()
            r = subprocess.run([daemon.CTL, "--file-prefix", prefix, "--timeout", "0.5", *command],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1, (command, r.stdout, r.stderr))
            self.assertIn(f"the daemon did not send {waited} within 0.5 s (--timeout)", r.stderr)
            self.assertLess(time.monotonic() - t0, 30, command)  # not the default's 30 or 600 s

        # No greeting: a server that accepts nothing leaves the client in its accept queue.
        server.close()
        mute = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.addCleanup(mute.close)
        os.unlink(os.path.join(folder, "dpdk_telemetry.v2"))
        mute.bind(os.path.join(folder, "dpdk_telemetry.v2"))
        mute.listen(0)
        queued = [socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(3)]
        for q in queued:  # fill the queue as far as a non-blocking connect goes
            self.addCleanup(q.close)
            q.setblocking(False)
            try:
                q.connect(os.path.join(folder, "dpdk_telemetry.v2"))
            except BlockingIOError:
                break
        r = subprocess.run([daemon.CTL, "--file-prefix", prefix, "--timeout", "0.5", "stats"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, (r.stdout, r.stderr))
        self.assertIn("a daemon did not accept within 0.5 s (--timeout)", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
