"""Peak memory of one `mechproof check DIR` over many subcubic certificates of one model with distinct choices.

Each certificate is seed 42's committed subcubic certificate with its `key_pos_centre` choice changed in the last
mantissa bit(s) (choices are free data, docs §7.1, so every file is a distinct set of choices and keys new entries
in the checker's per-process memo). The check runs in a child process; its peak RSS is read with
getrusage(RUSAGE_CHILDREN), so each count needs a fresh interpreter (this script starts one per count).

Usage: python benchmarks/check_dir_memory.py [--counts 1,40,300,1000] [--cert certificates/seed42/subcubic-mx-avg-exact.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "certificates" / "seed42" / "subcubic-mx-avg-exact.json"


def write_variants(cert: Path, folder: Path, count: int) -> None:
    """`count` copies of `cert` beside its weights, copy i with key_pos_centre's first mantissa changed by i."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weights.json").write_bytes((cert.parent / "weights.json").read_bytes())
    doc = json.loads(cert.read_text())
    base = doc["claims"]["choices"]["key_pos_centre"]["mant"][0]
    for i in range(count):
        doc["claims"]["choices"]["key_pos_centre"]["mant"][0] = base + i
        (folder / f"c{i:05d}.json").write_text(json.dumps(doc))


def peak_rss_mb(folder: Path) -> tuple[float, float, int]:
    """(peak RSS in MB, CPU seconds, exit code) of `mechproof check folder` in a fresh child process (CPU time:
    the machine may be shared)."""
    code = (  # a child of a fresh interpreter, so that RUSAGE_CHILDREN holds this check alone
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-m', 'mechproof.cli', 'check', sys.argv[1], '--json'], capture_output=True)\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(r.ru_maxrss / 1024, r.ru_utime + r.ru_stime, p.returncode)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    run = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, env=env, check=True)
    mb, seconds, rc = run.stdout.split()
    return float(mb), float(seconds), int(rc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,40,300,1000")
    ap.add_argument("--cert", type=Path, default=DEFAULT)
    args = ap.parse_args()
    for count in (int(c) for c in args.counts.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            write_variants(args.cert, Path(tmp), count)
            mb, seconds, rc = peak_rss_mb(Path(tmp))
            print(f"{count:5d} certificates: peak RSS {mb:7.0f} MB, check {seconds:6.1f} CPU-s (exit {rc})", flush=True)


if __name__ == "__main__":
    main()
