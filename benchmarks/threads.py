"""Brute-force time against torch's thread count, on an idle machine and beside busy processes.

Why: torch's thread pool spins while it waits, so more threads than free cores can make brute force many times
slower; this measures the `--threads` default of `mechproof accuracy`/`certify`. Each timing is a fresh
`mechproof accuracy --json --threads N` process (its reported brute-force seconds); a busy process is a Python
loop that keeps one core fully used.

Usage: python benchmarks/threads.py [--model certificates/seed42/weights.json] [--threads 1,2] [--busy 0,1]
       [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def brute_force_seconds(model: str, threads: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    cmd = [sys.executable, "-m", "mechproof.cli", "accuracy", model, "--json", "--quiet", "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return float(json.loads(proc.stdout)["seconds"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "certificates" / "seed42" / "weights.json"))
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--busy", default="0,1", help="comma-separated numbers of busy processes beside it")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; brute force of {args.model}, seconds per run")
    print(f"{'busy':>4} {'threads':>7}  seconds")
    for busy in (int(b) for b in args.busy.split(",")):
        spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
        try:
            for threads in (int(t) for t in args.threads.split(",")):
                times = [brute_force_seconds(args.model, threads) for _ in range(args.repeat)]
                print(f"{busy:>4} {threads:>7}  " + "  ".join(f"{t:6.1f}" for t in times), flush=True)
        finally:
            for p in spinners:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
