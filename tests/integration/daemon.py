"""Shared helpers for integration tests: run the real pktsieve daemon and read its outputs."""
import json
import os
import subprocess
import tempfile

PKTSIEVE = os.environ.get("PKTSIEVE", "build/apps/pktsieve/pktsieve")
CTL = os.environ.get("PKTSIEVE_CTL", "build/apps/pktsieve-ctl/pktsieve-ctl")
SOURCE = os.environ.get("PKTSIEVE_SOURCE", os.getcwd())
RULES = os.path.join(SOURCE, "signatures", "pktsieve.rules")
_traffic = None


def traffic():
    """Generates the test captures once per process; returns (dir, expected)."""
    global _traffic
    if _traffic is None:
        out = tempfile.mkdtemp(prefix="pktsieve-traffic-")
        subprocess.run(["/usr/bin/python3", os.path.join(SOURCE, "scripts", "gen_traffic.py"), out],
                       check=True)
        with open(os.path.join(out, "expected.json")) as f:
            _traffic = (out, json.load(f))
    return _traffic


class Result:
    def __init__(self, proc, stats, eve, observations=None):
        self.rc, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr
        self.stats, self.eve, self.observations = stats, eve, observations


def run(args, timeout=120, eal=None):
    """Runs pktsieve with --stats-json and --eve in a temp dir; parses both."""
    work = tempfile.mkdtemp(prefix="pktsieve-run-")
    stats_path, eve_path = os.path.join(work, "s.json"), os.path.join(work, "e.json")
    cmd = [PKTSIEVE] + (eal + ["--"] if eal else []) + args + [
        "--stats-json", stats_path, "--eve", eve_path]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    stats, eve = read_outputs(stats_path, eve_path)
    return Result(proc, stats, eve, read_eve(eve_path, "observation"))


def read_eve(eve_path, event_type):
    """The EVE log's lines of one event_type, parsed; None when there is no log."""
    if not os.path.exists(eve_path):
        return None
    with open(eve_path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return [e for e in lines if e["event_type"] == event_type]


def read_outputs(stats_path, eve_path):
    """The stats document and the EVE log's alerts (observation records: read_eve)."""
    stats = None
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
    return stats, read_eve(eve_path, "alert")


def alert_key(a):
    """What identifies an alert in expected.json and in EVE."""
    return (a["sid"], a["src_ip"], a["src_port"], a["dest_ip"], a["dest_port"], a["proto"],
            tuple(a.get("vlan", ())))


def eve_key(e):
    return (e["alert"]["signature_id"], e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"],
            e["proto"], tuple(e.get("vlan", ())))


def run_diagnosed(cmd, timeout):
    """subprocess.run(cmd) with output captured, but a command still running after `timeout`
    seconds is not an exception: it is killed, its returncode is None and its stderr says where
    each of its threads was waiting (state and kernel wait channel, from /proc)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return subprocess.CompletedProcess(cmd, p.returncode, out, err)
    except subprocess.TimeoutExpired:
        waits = []
        task_dir = f"/proc/{p.pid}/task"
        for tid in sorted(os.listdir(task_dir)) if os.path.isdir(task_dir) else []:
            try:
                with open(f"{task_dir}/{tid}/comm") as f:
                    comm = f.read().strip()
                with open(f"{task_dir}/{tid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                with open(f"{task_dir}/{tid}/wchan") as f:
                    wchan = f.read().strip()
            except OSError:
                continue
            waits.append(f"{tid} {comm} state {state} wchan {wchan}")
        p.kill()
        out, err = p.communicate()
        return subprocess.CompletedProcess(
            cmd, None, out, err + f"\n{os.path.basename(cmd[0])} did not exit within {timeout} s; "
            f"its threads: {'; '.join(waits) or 'none found'}")


def ctl_json(prefix):
    """pktsieve-ctl --json stats of the daemon with EAL file prefix `prefix`; None if none answers."""
    r = subprocess.run([CTL, "--file-prefix", prefix, "--json", "stats"], capture_output=True,
                       text=True, timeout=120)  # pktsieve-ctl gives up first (--timeout 30 s)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wait_for_received(proc, prefix, want, timeout=120, at_least=False):
    """Polls the running daemon through pktsieve-ctl until it has received `want` packets (or
    more, with `at_least`: a replay that never ends).
    Returns the last ctl reading with that count, or raises AssertionError (daemon gone or
    timeout) naming what it saw."""
    import time
    deadline, seen = time.time() + timeout, None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"pktsieve exited while waiting for {want} packets: "
                                 f"{proc.communicate()}")
        s = ctl_json(prefix)
        if s:
            seen = s["packets"]["received"]
            if seen == want or (at_least and seen >= want):
                return s
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {want} packets (last seen {seen})")
