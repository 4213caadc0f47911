#!/usr/bin/python3
"""The ET Open snapshot as one rule file, the way suricata-update writes it: every
emerging-*.rules of the snapshot concatenated in name order, with the ruleset's own
classification.config beside it (so pktsieve finds it without an option). Used by the
integration test and the benchmarks; the snapshot is read in place, never copied into the repo.

  scripts/et_open_rules.py OUTDIR [--snapshot DIR]   -> prints OUTDIR/suricata.rules
"""
import argparse
import glob
import os
import shutil

SNAPSHOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "rules",
                        "et-open")


def write(outdir, snapshot=SNAPSHOT):
    """Writes OUTDIR/suricata.rules and OUTDIR/classification.config; returns the rules path."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "suricata.rules")
    with open(path, "wb") as out:
        for f in sorted(glob.glob(os.path.join(snapshot, "emerging-*.rules"))):
            with open(f, "rb") as src:
                shutil.copyfileobj(src, out)
    shutil.copy(os.path.join(snapshot, "classification.config"), outdir)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--snapshot", default=SNAPSHOT)
    args = ap.parse_args()
    print(write(args.outdir, args.snapshot))
