"""The induction task's `windows` strategy on a sample of groups: prove and check CPU time against the baseline.

  baseline  the producer and checker at BASELINE_COMMIT (extracted from git history into a temporary folder)
  now       this tree

Each side runs in its own child process (the two trees are the same package), alternating baseline, now, baseline,
now … so that both see the same load; the CPU time of each phase is the child's process time (the machine may be
shared). Per run: the groups' proving (strategies.prove_groups, one process), then the checker's case rule on the
proven cases (checker.groups.Groups.check), its operation count (the proof length of the cases), and a digest of
the certificate entries — the two sides must agree on what is proven and on every claimed bound.

Usage: python benchmarks/induction_speed.py [--model models/ind8-seed0.json] [--depth 2] [--groups 40]
       [--repeat 2] [--baseline COMMIT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "7524d8e8a13b93e6ed890f99d3f8a3d19c0b86e3"

CHILD = r"""
import hashlib, json, random, sys, time
from mechproof import weights as weights_io
from mechproof.checker.arith import OPS
from mechproof.tasks.induction.checker import Context
from mechproof.tasks.induction.checker.groups import Groups
from mechproof.tasks.induction.strategies.groups import prove_group

path, depth, n_groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w = weights_io.load(path)
V, n = w.cfg.d_vocab, w.cfg.n_ctx
jobs = [(q, i, a) for q in range(V) for i in range(n - 2) for a in range(V) if a != q]
random.Random(0).shuffle(jobs)
jobs = jobs[:n_groups]
ctx = Context(w)
t = time.process_time()
groups = [prove_group(ctx.cases, q, i, a, depth) for q, i, a in jobs]
prove_s = time.process_time() - t
entries = [g.entry() for g in groups if g.cases]
ctx = Context(w)
OPS.clear()
t = time.process_time()
covered = Groups(entries, w.cfg, depth).check(ctx.cases)
check_s = time.process_time() - t
digest = hashlib.sha256(json.dumps(entries).encode()).hexdigest()
print(json.dumps({"prove_s": prove_s, "check_s": check_s, "ops": sum(OPS.values()), "covered": covered,
                  "cases": sum(len(e[4]) for e in entries), "tried": sum(g.tried for g in groups), "digest": digest}))
"""


def run(tree: Path, model: str, depth: int, groups: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD, model, str(depth), str(groups)], env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"the run in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def extract_baseline(dest: Path, commit: str) -> Path:
    archive = dest / "base.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", commit, "python"], stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest / "python"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "ind8-seed0.json"))
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--groups", type=int, default=40, help="groups (q, i, a) sampled with a fixed seed")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--baseline", default=BASELINE_COMMIT, help="the commit to compare against")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"baseline": extract_baseline(Path(tmp), args.baseline), "now": ROOT / "python"}
        runs: dict[str, list[dict]] = {"baseline": [], "now": []}
        for _ in range(args.repeat):
            for side, tree in trees.items():
                r = run(tree, args.model, args.depth, args.groups)
                runs[side].append(r)
                print(f"{side:>8}  prove {r['prove_s']:7.2f} s  check {r['check_s']:7.2f} s  ops {r['ops']:>12,}  "
                      f"cases {r['cases']:>6} of {r['tried']:>6} tried  covered {r['covered']:>10,}", flush=True)  # fmt: skip
    best = {side: {k: min(r[k] for r in rs) for k in ("prove_s", "check_s")} for side, rs in runs.items()}
    same = {r["digest"] for rs in runs.values() for r in rs}
    print(f"best CPU: prove {best['now']['prove_s'] / best['baseline']['prove_s']:.2f}× the baseline, "
          f"check {best['now']['check_s'] / best['baseline']['check_s']:.2f}×; ops {runs['now'][0]['ops'] / runs['baseline'][0]['ops']:.3f}×; "
          f"same certificate entries: {len(same) == 1}")  # fmt: skip
    if len(same) != 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
