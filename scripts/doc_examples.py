#!/usr/bin/python3
"""The examples in docs/stats.md and docs/eve.md, made from a real run: pktsieve on the
committed sample capture (tests/data/sample.pcap) with the shipped rules.

  scripts/doc_examples.py PKTSIEVE --write   rewrites the docs' example blocks
  scripts/doc_examples.py PKTSIEVE           exits 1 when a block differs from a run's

A block sits between `<!-- example: NAME -->` and `<!-- /example -->`. Values that change from
run to run (timings, the TSC, how often stats were published) are set to fixed ones first."""
import json
import os
import subprocess
import sys
import tempfile

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = [("stats", "docs/stats.md"), ("eve", "docs/eve.md"), ("observation", "docs/eve.md")]
WIDTH = 96
SPAN = 0.25  # the elapsed time the examples show


def run(pktsieve):
    work = tempfile.mkdtemp(prefix="pktsieve-docs-")
    stats, eve = os.path.join(work, "s.json"), os.path.join(work, "e.json")
    subprocess.run([pktsieve, "--pcap", os.path.join(SOURCE, "tests", "data", "sample.pcap"),
                    "--rules", os.path.join(SOURCE, "signatures", "pktsieve.rules"), "-q",
                    "--stats-json", stats, "--eve", eve, "--sensor-name", "sensor-1"], check=True,
                   timeout=120)
    with open(stats) as f, open(eve) as g:
        return json.load(f), [json.loads(line) for line in g]


def steady(doc):
    """The document with what varies between runs fixed."""
    doc["elapsed_seconds"], doc["tsc_hz"], doc["generation"] = SPAN, 2600000000, 3
    doc["ruleset"]["compile_seconds"] = 0.05
    for group in [doc] + doc["workers"]:
        for key in ("max_pause_us", "max_switch_us"):
            if key in group.get("reload", {}):
                group["reload"][key] = 0
    p = doc["packets"]
    for r in doc["rates"]:
        r.update(span_seconds=SPAN, packets_per_second=p["received"] / SPAN,
                 bits_per_second=p["bytes"] * 8 / SPAN,
                 alerts_per_second=doc["alerts"]["total"] / SPAN,
                 scanned_per_second=doc["scan"]["packets"] / SPAN)
    return doc


def pretty(v, indent=0, lead=0):
    """JSON that keeps a value on one line when it fits WIDTH (after `lead` characters on its
    first line), else one member per line, indented by 2."""
    flat = json.dumps(v)
    if lead + len(flat) <= WIDTH or not isinstance(v, (dict, list)) or not v:
        return flat
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        items = []
        for k, x in v.items():
            head = f"{pad}{json.dumps(k)}: "
            items.append(head + pretty(x, indent + 2, len(head)))
    else:
        items = [pad + pretty(x, indent + 2, len(pad)) for x in v]
    opening, closing = ("{", "}") if isinstance(v, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(items) + "\n" + " " * indent + closing


def abridged(record):
    """An observation record with its HyperLogLog sketches (base64, 344-1,368 characters) cut."""
    o = record["observation"]
    cut = lambda s: f"{s[:16]}...({len(s)} characters)"
    o["sensor_addresses_hll"] = cut(o["sensor_addresses_hll"])
    for x in o["threats"] + o["ports"]:
        if "sources_hll" in x:
            x["sources_hll"] = cut(x["sources_hll"])
    return record


def examples(pktsieve):
    doc, eve = run(pktsieve)
    alerts = [e for e in eve if e["event_type"] == "alert"]
    tagged = [a for a in alerts if "vlan" in a]
    observation = [e for e in eve if e["event_type"] == "observation"][0]
    return {"stats": pretty(steady(doc)), "eve": pretty((tagged or alerts)[0]),
            "observation": pretty(abridged(observation))}


def blocks(text, name):
    start = text.index(f"<!-- example: {name} -->")
    body = text.index("```json\n", start) + len("```json\n")
    end = text.index("```\n", body)
    return body, end


def main():
    pktsieve, write = sys.argv[1], "--write" in sys.argv[2:]
    made, stale = examples(pktsieve), []
    for name, path in DOCS:
        full = os.path.join(SOURCE, path)
        with open(full) as f:
            text = f.read()
        body, end = blocks(text, name)
        if text[body:end] == made[name] + "\n":
            continue
        stale.append(path)
        if write:
            with open(full, "w") as f:
                f.write(text[:body] + made[name] + "\n" + text[end:])
    if stale and not write:
        print("stale examples (run scripts/doc_examples.py PKTSIEVE --write): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
