"""The Coq exp enclosure (coq/Exp.v) under `vm_compute`: one enclosure with BigInt and with ZInt, and the exp
arguments of seed 42's cubic certificate with BigInt.

The arguments are those the Python checker encloses while checking certificates/seed42/cubic.json (each distinct
argument once, in the checker's order). Their mantissas reach Coq as 62-bit machine-integer limbs, assembled into
`BigZ` by `vm_compute`: Coq reads primitive integer literals natively, while an 80-digit `Z` literal costs about
10 ms to read, and a definition whose computed body holds thousands of `Z` numbers takes seconds to check. Every
timed sum is compared with the Python checker's, so the timings are of the right computation.

Usage: python benchmarks/coq_exp.py [--zint 100] [--reps 100]   (about a minute of CPU)
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

from mechproof import checker  # noqa: E402
from mechproof.checker import arith  # noqa: E402

CERT = ROOT / "certificates" / "seed42" / "cubic.json"
CLAIMED = 4352  # exp claims of that certificate: V² EQKE scores and V·n EQKP scores (V = 64, n = 4)
LIMB = 62
TYPICAL = (123456789012345, -45)


def checker_arguments() -> list[tuple[int, int]]:
    """The distinct exp arguments of one check of CERT, in first-use order."""
    seen: list[tuple[int, int]] = []
    inner = arith._exp_bounds
    arith._exp_bounds = lambda x: seen.append(x) or inner(x)
    try:
        arith.clear_memo()
        checker.check(CERT)
    finally:
        arith._exp_bounds = inner
    return seen


def limbs(n: int) -> list[int]:
    out = [n & ((1 << LIMB) - 1)]
    while n >> LIMB:
        n >>= LIMB
        out.append(n & ((1 << LIMB) - 1))
    return out[::-1]


def args_source(xs: list[tuple[int, int]]) -> str:
    rows = "; ".join(f"({str(a < 0).lower()}, [{'; '.join(map(str, limbs(abs(a))))}], ({f})%Z)" for a, f in xs)
    return f"""From Coq Require Import ZArith List Uint63.
Import ListNotations.
Local Open Scope uint63_scope.
Definition raw : list (bool * list int * Z) := [{rows}].
"""


def measure_source(claimed: int, zint: int, reps: int) -> str:
    """Prints exp_bounds of TYPICAL with BigInt and with ZInt, then times, each printing one sum: `reps` enclosures
    of TYPICAL with BigInt and with ZInt, the first `claimed` arguments and all with BigInt, the first `zint` with
    ZInt."""
    a, f = TYPICAL
    return f"""From Coq Require Import ZArith List Uint63.
From Bignums Require Import BigZ.
From MechProof Require Import Int Exp Args.
Import ListNotations.
Module EB := Exp BigInt.
Module EZ := Exp ZInt.
Definition of_limbs (neg : bool) (ws : list int) : BigZ.t :=  (* BigN.N0: a one-word natural *)
  let m := fold_left (fun acc w => BigZ.add (BigZ.shiftl acc (BigZ.of_Z {LIMB})) (BigZ.Pos (BigN.N0 w))) ws BigZ.zero in
  if neg then BigZ.opp m else m.
Definition bargs := Eval vm_compute in map (fun '(neg, ws, f) => (of_limbs neg ws, f)) raw.
Definition bsum (xs : list (BigZ.t * Z)) : Z := BigZ.to_Z (fold_left (fun acc '(a, f) =>
  let '((lm, le), (hm, he)) := EB.exp_bounds a f in BigZ.add acc (BigZ.add (BigZ.add lm hm) (BigZ.of_Z (le + he))))
  xs BigZ.zero).
Definition zsum (xs : list (Z * Z)) : Z := fold_left (fun acc '(a, f) =>
  let '((lm, le), (hm, he)) := EZ.exp_bounds a f in (acc + lm + hm + le + he)%Z) xs 0%Z.
Definition claimed := Eval vm_compute in firstn {claimed} bargs.
Definition zfew := Eval vm_compute in map (fun '(a, f) => (BigZ.to_Z a, f)) (firstn {zint} bargs).
Definition big_a := Eval vm_compute in BigZ.of_Z ({a}).
Definition typical := Eval vm_compute in repeat (big_a, ({f})%Z) {reps}.
Definition ztypical := Eval vm_compute in repeat (({a})%Z, ({f})%Z) {reps}.
Eval vm_compute in EB.exp_bounds big_a ({f}).
Eval vm_compute in EZ.exp_bounds ({a})%Z ({f})%Z.
Time Eval vm_compute in bsum typical.
Time Eval vm_compute in zsum ztypical.
Time Eval vm_compute in bsum claimed.
Time Eval vm_compute in bsum bargs.
Time Eval vm_compute in zsum zfew.
"""


def checksum(xs: list[tuple[int, int]]) -> int:
    total = 0
    for x in xs:
        (lm, le), (hm, he) = arith.exp_bounds(x)
        total += lm + hm + le + he
    return total


def coqc(cwd: Path, name: str) -> str:
    cmd = ["coqc", "-R", ".", "MechProof", name]
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.exit(f"coqc {name} failed:\n{done.stdout}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zint", type=int, default=100, help="arguments enclosed with ZInt (it is slow)")
    parser.add_argument("--reps", type=int, default=100, help="enclosures of the typical argument timed together")
    opts = parser.parse_args()
    if shutil.which("coqc") is None:
        sys.exit("coqc is not on PATH")
    xs = checker_arguments()
    print(f"{len(xs)} distinct exp arguments in {CERT.relative_to(ROOT)} ({CLAIMED} claimed enclosures)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("Int.v", "Exp.v"):
            shutil.copy(ROOT / "coq" / name, work / name)
            coqc(work, name)
        (work / "Args.v").write_text(args_source(xs), encoding="utf-8")
        coqc(work, "Args.v")
        (work / "Measure.v").write_text(measure_source(CLAIMED, opts.zint, opts.reps), encoding="utf-8")
        out = coqc(work, "Measure.v")
    printed = re.findall(r"=\s*(.*?)\s*:\s*[^\n]*\n", out, flags=re.S)  # "= value : type" of each Eval
    values = [[int(n) for n in re.findall(r"-?\d+", v)] for v in printed]
    timed = re.findall(r"Finished transaction in ([\d.]+) secs \(([\d.]+)u", out)
    times = [(float(wall), float(user)) for wall, user in timed]
    (lm, le), (hm, he) = arith.exp_bounds(TYPICAL)
    expected = [[lm, le, hm, he]] * 2 + [[opts.reps * (lm + hm + le + he)]] * 2
    expected += [[checksum(xs[:CLAIMED])], [checksum(xs)], [checksum(xs[: opts.zint])]]
    assert values == expected and len(times) == 5, f"Coq and Python disagree:\n{out}"
    print(f"exp_bounds{TYPICAL} = {arith.exp_bounds(TYPICAL)} in Coq and Python")
    print("vm_compute, CPU seconds (wall seconds in parentheses; the machine may be shared):")
    for label, count, (wall, user) in zip(
        ["BigInt, that argument", "ZInt, that argument", "BigInt, the claimed enclosures", "BigInt, every argument",
         "ZInt, the first arguments"],
        [opts.reps, opts.reps, CLAIMED, len(xs), opts.zint],
        times,
    ):
        print(f"  {label:32s} x{count:<5d} {user:8.3f} s ({wall:7.3f} s)   {1000 * user / count:7.3f} ms each")


if __name__ == "__main__":
    main()
