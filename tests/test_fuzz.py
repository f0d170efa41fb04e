"""Issue 11, "no crash on any file": the checker on thousands of mutants of honest certificates and weights.

Targets: the committed seed-42 files (cubic v1, subcubic v1, and the cubic cases re-encoded as version 2's
`cubic-prefix`), and tiny (V = 8, n = 3) version-1 and version-2 certificates: cubic, cubic+residual with
residual/wrong claims and `bound.upper`, and two subcubic variants with residual/wrong claims. Mutants are seeded
(tests/mutants.py), so every one is named by (target, kind, index) and rebuilt from that alone.

Property, per mutant (docs/certificate.md §5): `check` returns only if every claim holds, and then the certified
bound is ≤ the exact number of right inputs of those weights (brute force for seed 42, the literal mpmath model of
tests/reference.py for tiny ones) and any upper bound ≥ it; otherwise it raises ClaimFailure (a claim id and a
message that formats) or InputError (naming the file), never anything else; and each decision costs at most
2× the CPU time of checking the honest certificate from scratch plus a constant, measured in this process.
Run with -s to see mutant and outcome counts and the slowest decision per target. MECHPROOF_FUZZ_SCALE (default
1) multiplies the mutant counts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mutants import count_formatting, dumps, mutate_json, mutate_text
from reference import verdicts
from conftest import as_version_1
from test_checker_v2 import _deltas, tiny_v2  # noqa: F401 - tiny_v2 is a fixture used here
from test_subcubic_checker import _checker, _params, _tighten_spectral, accepted_entries, in_case, simple_claims

from mechproof import weights as weights_io
from mechproof.checker import ClaimFailure, check
from mechproof.checker.arith import clear_memo
from mechproof.checker.inputs import decode
from mechproof.errors import InputError
from mechproof.tasks.maxk.bruteforce import brute_force
from mechproof.weights import TENSOR_ORDER, ExactTensor, ExactWeights, payload_sha256

ROOT = Path(__file__).resolve().parents[1]
SEED42 = ROOT / "certificates" / "seed42"
SCALE = float(os.environ.get("MECHPROOF_FUZZ_SCALE", "1"))
SLACK_S = 0.5
"""The constant of the time budget (2× the honest certificate's CPU time + this): parsing and GC jitter."""


# ------------------------------------------------------------------------------------------------ the oracle
class Truth:
    """The exact number of right inputs of a weights payload, as (at least, at most): brute force (sound and
    exact) for full-size models, the literal mpmath model for tiny ones (an input it cannot decide counts in
    neither direction). Known payloads are seeded by the fixtures; others are computed on first use."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[int, int]] = {}

    def __call__(self, w: ExactWeights) -> tuple[int, int]:
        hit = self.known.get(w.sha256)
        if hit is None:
            if w.cfg.n_inputs <= 4096:
                v = Counter(verdicts(w).values())
                hit = (v[True], v[True] + v[None])
            else:
                c = brute_force(w, progress=False).correct
                hit = (c, c)
            self.known[w.sha256] = hit
        return hit


@pytest.fixture(scope="module")
def truth(tiny_v2) -> Truth:  # noqa: F811 - the imported fixture
    """The oracle, knowing the tiny model's count already (computed by the tiny_v2 fixture)."""
    t = Truth()
    path, _, n_right = tiny_v2
    t.known[weights_io.load(path.parent / "weights.json").sha256] = (n_right, n_right)
    return t


# ------------------------------------------------------------------------------------------------ honest files
def _write_cert(folder: Path, name: str, weights: bytes, doc: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weights.json").write_bytes(weights)
    path = folder / name
    path.write_text(json.dumps(doc))
    return path


def _seed42_v1(out: Path) -> Path:
    """The committed cubic certificate (version 2) in version 1 (`cubic-case`, G listed), as conftest converts it."""
    return as_version_1(SEED42 / "cubic.json", out)


def _subcubic_v2(weights_path: Path, variant: tuple[str, str, str], out: Path) -> Path:
    """A version-2 subcubic certificate of the tiny model: every case the checker accepts (smallest g), and every
    other input listed as right (`residual`) or wrong (`wrong`, with a witness) where the input rule decides it."""
    w = weights_io.load(weights_path)
    V, n = w.cfg.d_vocab, w.cfg.n_ctx
    params = _params(*variant)
    claims = simple_claims(w, *variant)
    _tighten_spectral(w, params, claims)
    ck = _checker(w, params, claims)
    entries = accepted_entries(ck)
    covered = sum(ck.check_entry(tuple(e), set()) for e in entries)
    rule = ck.rule()
    right, wrong = [], []
    for x in range(V**n):
        tokens = decode(x, V, n)
        if any(in_case(tokens, tuple(e)) for e in entries):
            continue
        m = max(tokens)
        if rule.right(tokens)[0]:
            right.append(x)
        elif (j := next((j for j in range(V) if j != m and rule.wrong(tokens, j)), None)) is not None:
            wrong.append((x, j))
    claims["cases"]["entries"] = entries
    claims["residual"] = {"rule": "inputs-right", "inputs": _deltas(right)}
    claims["wrong"] = {"rule": "inputs-wrong", "inputs": _deltas([x for x, _ in wrong]), "witness": [j for _, j in wrong]}
    doc = {
        "format": "mechproof-certificate",
        "version": 2,
        "model": {"weights": "weights.json", "sha256": w.sha256},
        "config": w.cfg.model_dump(),
        "strategy": {"name": "subcubic", "params": params},
        "claims": claims,
        "bound": {"correct": covered + len(right), "total": V**n, "upper": V**n - len(wrong)},
    }
    assert entries and right and wrong, "the tiny subcubic certificate should use cases, residual and wrong claims"
    return _write_cert(out, "subcubic.json", weights_path.read_bytes(), doc)


SUB_A = ("mean_query+max_diff", "mean_query+diff", "mean_recursive+max_diff_subproduct_recursive")
SUB_B = ("global_max_diff_exact", "drop_average_query_per_output_logit_reasoning", "svd")


COUNTS = {
    "tiny cubic v1": (700, 150, 150),
    "tiny cubic+residual v2": (700, 150, 150),
    "tiny subcubic v2 (recursive, centres, μ)": (700, 150, 150),
    "tiny subcubic v2 (svd, drop-average)": (500, 100, 100),
    "seed42 cubic.json": (70, 30, 0),
    "seed42 subcubic-mx-avg-exact.json": (150, 40, 50),
    "seed42 cubic as cubic-case v1": (100, 20, 0),
}
"""Mutants per target: (of the certificate as JSON, of its bytes, of its weights file)."""


@pytest.fixture(scope="module")
def targets(tiny_cert_v1, tiny_v2, tmp_path_factory) -> dict[str, Path]:  # noqa: F811 - the imported fixture
    """Each target's honest certificate (next to its weights.json)."""
    out = tmp_path_factory.mktemp("fuzz-honest")
    tiny_w = tiny_v2[0].parent / "weights.json"
    return {
        "tiny cubic v1": tiny_cert_v1,
        "tiny cubic+residual v2": tiny_v2[0],
        "tiny subcubic v2 (recursive, centres, μ)": _subcubic_v2(tiny_w, SUB_A, out / "subA"),
        "tiny subcubic v2 (svd, drop-average)": _subcubic_v2(tiny_w, SUB_B, out / "subB"),
        "seed42 cubic.json": SEED42 / "cubic.json",
        "seed42 subcubic-mx-avg-exact.json": SEED42 / "subcubic-mx-avg-exact.json",
        "seed42 cubic as cubic-case v1": _seed42_v1(out / "v1"),
    }


def _pool(targets: dict[str, Path]) -> list[Any]:
    """The honest documents that grafts come from (the 800 KB cubic certificate left out)."""
    return [json.loads(p.read_text()) for p in targets.values() if p.stat().st_size < 200_000]


# ------------------------------------------------------------------------------------------------ mutants
@dataclass(frozen=True)
class Mutant:
    label: str  # (target, kind, index): rebuilds it
    description: str
    cert: bytes
    weights: bytes | None  # None: the honest weights


def _repin(wdoc: Any, cdoc: Any) -> tuple[Any, Any]:
    """Pin both hashes to the mutated tensors when they still hash (as an attacker who edits both would)."""
    try:
        tensors = {k: wdoc["tensors"][k] for k in TENSOR_ORDER}
        sha = payload_sha256({k: ExactTensor(tuple(t["shape"]), t["exponent"], tuple(t["mantissas"])) for k, t in tensors.items()})
    except Exception:  # noqa: BLE001 - the mutant is malformed there; the checker will say so
        return wdoc, cdoc
    return {**wdoc, "payload_sha256": sha}, {**cdoc, "model": {**cdoc["model"], "sha256": sha}}


class Mutator:
    """Every mutant of one target, from the honest bytes and a seed per mutant."""

    def __init__(self, name: str, cert: Path, pool: list[Any]) -> None:
        self.name = name
        self.cert_bytes = cert.read_bytes()
        self.weights_bytes = (cert.parent / "weights.json").read_bytes()
        self.cert_doc = json.loads(self.cert_bytes)
        self.weights_doc = json.loads(self.weights_bytes)
        self.pool = pool

    def mutant(self, kind: str, i: int) -> Mutant:
        label = f"{self.name}/{kind}/{i}"
        rng = random.Random(label)
        if kind == "json":
            doc, what = mutate_json(self.cert_doc, rng, self.pool)
            return Mutant(label, what, dumps(doc, rng), None)
        if kind == "text":
            data, what = mutate_text(self.cert_bytes, rng)
            return Mutant(label, what, data, None)
        if rng.random() < 0.3:  # weights, text level
            data, what = mutate_text(self.weights_bytes, rng)
            return Mutant(label, f"weights: {what}", self.cert_bytes, data)
        wdoc, what = mutate_json(self.weights_doc, rng, self.pool)
        cdoc = self.cert_doc
        if rng.random() < 0.8:
            wdoc, cdoc = _repin(wdoc, cdoc)
            what += " (hashes re-pinned)"
        return Mutant(label, f"weights: {what}", dumps(cdoc, rng), dumps(wdoc, rng))

    def all(self) -> list[tuple[str, int]]:
        """(kind, index) of every mutant of this target, COUNTS scaled by MECHPROOF_FUZZ_SCALE."""
        return [(k, i) for k, n in zip(("json", "text", "weights"), COUNTS[self.name]) for i in range(round(n * SCALE))]


# ------------------------------------------------------------------------------------------------ decisions
@dataclass
class Decision:
    code: int  # 0 ok, 1 false claim, 2 malformed, 3 anything else (a bug)
    seconds: float  # CPU time of `check` and of formatting its message
    detail: str
    result: Any = None


class Hang(Exception):
    """A decision still running after HANG_S seconds of wall time (the test reports it instead of hanging)."""


HANG_S = 120


def _hang(signum: int, frame: Any) -> None:
    raise Hang(f"no decision after {HANG_S} s")


def decide(path: Path, formatted: Counter | None = None) -> Decision:
    """Check one file as the CLI does, timing check + message formatting in CPU seconds. Code 3 also for a
    ClaimFailure without a claim id, an InputError without a file, a hang, and (with the counter of
    `count_formatting`) a passing check that formatted a value."""
    before = sum(formatted.values()) if formatted is not None else 0
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(HANG_S)
    start = time.process_time()
    res = None
    try:
        res = check(path)
        code, detail = 0, f"OK {res.correct}/{res.total}"
    except ClaimFailure as e:
        code, detail = (1 if e.claim_id else 3), f"FAIL {e}"
    except InputError as e:
        code, detail = (2 if e.path is not None else 3), str(e)
    except Exception as e:  # noqa: BLE001 - exactly what the property forbids
        code = 3
        detail = f"{type(e).__name__}: {str(e)[:300]}\n" + "".join(traceback.format_exc(limit=-4))[-1500:]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.process_time() - start
    if code == 0 and formatted is not None and sum(formatted.values()) != before:
        code, detail = 3, f"a passing check formatted values ({dict(formatted)}): {detail}"
    return Decision(code, seconds, detail, res)


@dataclass
class Stats:
    mutants: Counter = field(default_factory=Counter)  # by kind
    outcomes: Counter = field(default_factory=Counter)  # by exit code
    slowest: tuple[float, str] = (0.0, "")
    problems: list[str] = field(default_factory=list)
    oracle_runs: int = 0  # passing mutants whose weights differ from the honest ones (checked against their truth)


def run_target(name: str, honest_cert: Path, folder: Path, truth: Truth, pool: list[Any], formatted: Counter) -> tuple[Stats, float, float]:
    """Check every mutant of one target; returns (stats, honest CPU seconds from scratch, budget)."""
    folder.mkdir(parents=True)
    mut = Mutator(name, honest_cert, pool)
    cert = folder / honest_cert.name
    wfile = folder / "weights.json"
    cert.write_bytes(mut.cert_bytes)
    wfile.write_bytes(mut.weights_bytes)
    clear_memo()
    honest = decide(cert, formatted)
    assert honest.code == 0, honest.detail
    honest_sha = weights_io.load(wfile).sha256
    budget = 2 * honest.seconds + SLACK_S
    stats = Stats()
    weights_changed = False
    for kind, i in mut.all():
        m = mut.mutant(kind, i)
        cert.write_bytes(m.cert)
        if m.weights is not None or weights_changed:
            wfile.write_bytes(m.weights if m.weights is not None else mut.weights_bytes)
            weights_changed = m.weights is not None
        d = decide(cert, formatted)
        if d.seconds > budget:  # once more, in case the process was descheduled or collected garbage
            d2 = decide(cert, formatted)
            d = d2 if d2.seconds < d.seconds else d
        stats.mutants[kind] += 1
        stats.outcomes[d.code] += 1
        where = f"{m.label} ({m.description})"
        if d.seconds > stats.slowest[0]:
            stats.slowest = (d.seconds, where)
        if d.code == 3:
            stats.problems.append(f"{where}: crashed: {d.detail}")
        elif d.seconds > budget:
            stats.problems.append(f"{where}: took {d.seconds:.2f} s CPU, budget {budget:.2f} s ({d.detail[:200]})")
        elif d.code == 0:
            w = weights_io.load(wfile)
            stats.oracle_runs += w.sha256 != honest_sha
            lo, hi = truth(w)
            res = d.result
            if res.correct > lo or (res.upper is not None and res.upper < hi):
                stats.problems.append(f"{where}: accepted an unsound bound {res.correct}..{res.upper} vs truth {lo}..{hi}")
    return stats, honest.seconds, budget


@pytest.mark.slow
@pytest.mark.parametrize("name", list(COUNTS))
def test_no_mutant_crashes_hangs_or_passes_unsoundly(name, targets, truth, tmp_path, monkeypatch):
    pool = _pool(targets)
    formatted = count_formatting(monkeypatch)
    start = time.perf_counter()
    stats, honest_s, budget = run_target(name, targets[name], tmp_path / "m", truth, pool, formatted)
    total = sum(stats.mutants.values())
    print(
        f"\n[fuzz] {name}: {total} mutants ({dict(stats.mutants)}); exit codes {dict(sorted(stats.outcomes.items()))}; "
        f"honest {honest_s:.3f} s CPU from scratch, budget {budget:.2f} s; slowest {stats.slowest[0]:.3f} s: "
        f"{stats.slowest[1][:160]}; {stats.oracle_runs} passing mutants on changed weights checked against the "
        f"oracle; {time.perf_counter() - start:.1f} s wall"
    )
    assert not stats.problems, f"{len(stats.problems)} problems, first ones:\n" + "\n\n".join(stats.problems[:8])
    if SCALE >= 1:  # not vacuous: the default mutants reach every verdict
        assert stats.outcomes[0] >= 1 and stats.outcomes[1] >= 1 and stats.outcomes[2] >= 1, dict(stats.outcomes)


# ------------------------------------------------------------------------------------------------ the CLI
CLI_MUTANTS = 12
"""Mutants of each kind per tiny target in the CLI test (seeds distinct from the in-process test's)."""


@pytest.mark.slow
def test_cli_check_reports_a_folder_of_mutants_file_by_file(targets, tmp_path):
    """`mechproof check DIR` (issue 11): every file is reported on its own, with the verdict `check` gives it in
    this process; the exit code is the worst per-file code; no traceback and no internal error. File names are
    shown as they are (a folder named `a[/b]` is no rich markup)."""
    pool = _pool(targets)
    root = tmp_path / "mutants"
    expected: dict[str, int] = {}
    for t, name in enumerate(n for n in COUNTS if n.startswith("tiny")):
        mut = Mutator(name, targets[name], pool)
        cases = [("honest", None)] + [(kind, 10_000 + i) for kind in ("json", "text", "weights") for i in range(CLI_MUTANTS)]
        for kind, i in cases:
            m = None if i is None else mut.mutant(kind, i)
            folder = root / f"t{t}[/b]" / f"{kind}{i}"  # the folders `t0[` and `b]`: a rich closing tag in the path
            folder.mkdir(parents=True)
            (folder / "weights.json").write_bytes(mut.weights_bytes if m is None or m.weights is None else m.weights)
            cert = folder / targets[name].name
            cert.write_bytes(mut.cert_bytes if m is None else m.cert)
            d = decide(cert)
            assert d.code != 3, f"{m and m.label}: {d.detail}"
            expected[str(cert)] = d.code
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    cmd = [sys.executable, "-m", "mechproof.cli", "check", str(root)]
    proc = subprocess.run([*cmd, "--json"], capture_output=True, text=True, env=env)
    report = json.loads(proc.stdout)
    got = {f["path"]: f["exit_code"] for f in report["files"]}
    assert got == expected
    assert proc.returncode == report["exit_code"] == max(expected.values()) == 2
    assert "Traceback" not in proc.stderr and not any(f["status"] == "internal" for f in report["files"])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = (proc.stdout + proc.stderr).splitlines()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for path, code in expected.items():
        mine = [x for x in lines if x.startswith((f"{path}: ", f"error: {path}: "))]
        assert len(mine) == 1, (path, mine)
        assert (": OK " in mine[0], ": FAIL " in mine[0], mine[0].startswith("error: ")) == (code == 0, code == 1, code == 2)
    assert len(lines) == len(expected)
