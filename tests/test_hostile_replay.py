"""Replays of hostile and careless use, command by command, as a user runs them: each case builds its inputs in a
scratch folder, starts its `mechproof` commands (at the same time, when there are several) and the replay
asserts, for every case:

* every command exits 0, 1 or 2 (never 3, an internal error, and never a traceback), and within the case's
  allowed codes;
* no file is written, changed or removed outside the folders the case names as writable (the scratch folder
  is compared before and after, and so are the repository's certificates/ and lean/Certificates/);
* every row of every committed table the case names is still there, unchanged but for timings and where it ran.

To add a case, write a function (scratch folder, Assets) → Scene and append a Case to CASES; `Assets` has the
inputs that are expensive to make (a checked sweep folder of a small model, the committed seed-42 folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from mechproof.config import ModelConfig, TrainConfig
from mechproof.sweep import VOLATILE, SweepSpec, read_csv_table, row_path, run_sweep

pytestmark = pytest.mark.slow  # runs commands end to end or compiles Coq

ROOT = Path(__file__).resolve().parents[1]
SEED42 = ROOT / "certificates" / "seed42"
STUDY = ROOT / "results" / "paper-max4"
ALLOWED = frozenset({0, 1, 2})


@dataclass
class Run:
    command: list[str]
    code: int
    out: str  # stdout and stderr, whitespace folded to single spaces (rich wraps long lines)


@dataclass
class Scene:
    cwd: Path  # where the commands run: paths they resolve relative to it (models/, certificates/) land here
    commands: list[list[str]]  # `mechproof` arguments, all started at once
    writable: list[Path] = field(default_factory=list)  # the only folders the commands may change
    committed: list[Path] = field(default_factory=list)  # results.csv files: each row they hold now must survive
    exits: frozenset[int] = ALLOWED  # the exit codes each command may give
    check: Callable[[list[Run]], None] | None = None  # the case's own assertions, after the common ones


class Assets:
    """Inputs shared by the cases, made once per module."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._sweep: Path | None = None

    @property
    def sweep(self) -> Path:
        """A sweep folder with a checked cubic row of a small model (V=8, n=3), seed 2 (read-only: copy it)."""
        if self._sweep is None:
            cfg = ModelConfig(d_vocab=8, n_ctx=3, d_model=8, d_head=8)
            spec = SweepSpec(out=self.root / "sweep", seeds=(2,), strategies=("cubic",), device="cpu",
                             models_dir=self.root / "models", model_cfg=cfg, train_cfg=TrainConfig(steps=300))
            assert run_sweep(spec, progress=False).failed == []
            self._sweep = spec.out
        return self._sweep

    @staticmethod
    def models_with_seed42(cwd: Path) -> None:
        """cwd/models/seed42.json: the committed seed-42 weights, so that no command trains."""
        (cwd / "models").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEED42 / "weights.json", cwd / "models" / "seed42.json")


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path, Assets], Scene]


# ------------------------------------------------------------------------------------------------ the cases


def _shard(root: Path, assets: Assets) -> Path:
    shard = root / "shard"
    shutil.copytree(assets.sweep, shard)
    return shard


def _edit_row(shard: Path, **changes: object) -> None:
    f = row_path(shard, 2, "cubic")
    f.write_text(json.dumps({**json.loads(f.read_text()), **changes}))
    for table in ("results.json", "results.csv"):  # the row file is the shard's only copy of the row
        (shard / table).unlink()


def merge_traversal(root: Path, assets: Assets) -> Scene:
    """A row whose certificate path climbs out of the shard: the merge wrote that file outside its target."""
    shard = _shard(root, assets)
    (root / "outside-target").mkdir()
    _edit_row(shard, certificate="../outside-target/PWNED.txt")
    (root / "outside-target" / "PWNED.txt").write_bytes((shard / "certificates/seed2/cubic.json").read_bytes())

    def check(runs: list[Run]) -> None:
        assert runs[0].code == 2 and "certificate" in runs[0].out
        assert not (root / "merged").exists()

    return Scene(root, [["sweep-merge", "merged", "shard"]], exits=frozenset({2}), check=check)


def merge_false_bound(root: Path, assets: Assets) -> Scene:
    """A row claiming every input correct, beside its honest certificate: it was stored as it came."""
    shard = _shard(root, assets)
    total = json.loads(row_path(shard, 2, "cubic").read_text())["total"]
    _edit_row(shard, correct=total, bound=1.0)

    def check(runs: list[Run]) -> None:
        assert runs[0].code == 1 and "REFUSED" in runs[0].out and "but its certificate" in runs[0].out
        assert not (root / "merged").exists()

    return Scene(root, [["sweep-merge", "merged", "shard"]], exits=frozenset({1}), check=check)


def concurrent_certify(root: Path, assets: Assets) -> Scene:
    """Two `certify seed42` at once: one of them exited 3 (FileNotFoundError on the shared unproven file)."""
    assets.models_with_seed42(root)

    def check(runs: list[Run]) -> None:
        cert = root / "out" / "certificates" / "seed42" / "cubic.json"
        assert cert.read_bytes() == (SEED42 / "cubic.json").read_bytes()  # the committed bytes: deterministic
        assert sorted(p.name for p in cert.parent.iterdir()) == ["cubic.json", "weights.json"]  # nothing unproven left

    cmd = ["certify", "seed42", "--no-brute", "--no-lean"]
    return Scene(root, [cmd] * 2, writable=[root / "out"], exits=frozenset({0}), check=check)


def concurrent_sweep(root: Path, assets: Assets) -> Scene:
    """Two sweeps into one --out: spurious FAILED rows, and a failures/ folder that outlived a clean rerun."""
    assets.models_with_seed42(root)

    def check(runs: list[Run]) -> None:
        codes = sorted(r.code for r in runs)
        assert codes in ([0, 0], [0, 2]), codes
        for r in runs:
            assert "FAILED" not in r.out
            if r.code == 2:
                assert "in use by another run" in r.out and "pid" in r.out
        rows = read_csv_table(root / "out" / "results.csv")
        assert [(r["seed"], r["strategy"]) for r in rows] == [(42, "brute-force"), (42, "cubic")]
        assert not list((root / "out").glob("failures/*/*"))

    cmd = ["sweep", "--seeds", "42", "--strategies", "cubic", "--out", "out", "--workers", "1", "--quiet"]
    return Scene(root, [cmd, cmd], writable=[root / "out"], check=check)


def sweep_over_a_committed_table(root: Path, assets: Assets) -> Scene:
    """A sweep of one new seed into a folder holding a committed table (two of the study's seeds): the table went
    from 15,403 lines to 3."""
    assets.models_with_seed42(root)
    study = root / "study"
    study.mkdir()
    lines = (STUDY / "results.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.split(",", 1)[0] in ("50", "104")]
    (study / "results.csv").write_text("".join(keep), encoding="utf-8")

    def check(runs: list[Run]) -> None:
        rows = read_csv_table(study / "results.csv")
        assert len(rows) == len(keep) - 1 + 2  # seed 42's brute-force and cubic rows added
        assert {(r["seed"], r["strategy"]) for r in rows if r["seed"] == 42} == {(42, "brute-force"), (42, "cubic")}

    cmd = ["sweep", "--seeds", "42", "--strategies", "cubic", "--out", "study", "--workers", "1", "--quiet"]
    return Scene(root, [cmd], writable=[study], committed=[study / "results.csv"], exits=frozenset({0}), check=check)


def _tampered(root: Path, name: str, source: str, edit: Callable[[dict], None]) -> Path:
    """A copy of a committed seed-42 certificate, edited, beside a copy of its weights: root/name/cert.json."""
    folder = root / name
    folder.mkdir()
    shutil.copyfile(SEED42 / "weights.json", folder / "weights.json")
    doc = json.loads((SEED42 / source).read_text())
    edit(doc)
    (folder / "cert.json").write_text(json.dumps(doc))
    return folder / "cert.json"


def _case_entry(i: int, pos: int, value: object) -> Callable[[dict], None]:
    return lambda d: d["claims"]["cases"]["entries"][i].__setitem__(pos, value)


def audit_crashes(root: Path, assets: Assets) -> Scene:
    """`audit` read a certificate's claims without the checker's shape, range, hash and config checks: these
    crashed it (exit 3), and weights other than the certificate's were reported "proven correct"."""
    wrong = root / "wrong-witness"

    def short_row(d: dict) -> None:
        d["claims"]["exp_eqke"]["lo"][3] = d["claims"]["exp_eqke"]["lo"][3][:-1]

    def huge_witness(d: dict) -> None:
        d["claims"]["wrong"]["witness"][0] = 10**6

    def other_weights(d: dict) -> None:
        d["model"]["sha256"] = "0" * 64

    certs = [
        (_tampered(root, "out-of-range", "cubic.json", _case_entry(0, 1, 64)), "bound"),
        (_tampered(root, "short-row", "cubic.json", short_row), "exp_eqke[3,2]"),
        (_tampered(root, "c-minus-one", "cubic.json", _case_entry(0, 2, -1)), "bound"),
        (_tampered(root, wrong.name, "cubic-residual.json", huge_witness), "wrong[0]"),
        (_tampered(root, "subcubic-m-above-V", "subcubic-mx-avg-exact.json", _case_entry(-1, 1, 64)), "bound"),
        (_tampered(root, "other-weights", "cubic.json", other_weights), "inv_sqrt_d_head"),
    ]

    def check(runs: list[Run]) -> None:
        for r in runs:
            assert "the checker rejects this certificate" in r.out and "proven correct" not in r.out, r.out[-500:]

    return Scene(root, [["audit", str(c), "--claim", claim] for c, claim in certs], exits=frozenset({1}), check=check)


def explain_crashes(root: Path, assets: Assets) -> Scene:
    """`explain` never ran the checker: an off-by-one bound and a covered input in `residual` ended in an
    AssertionError (one calling itself "a soundness bug"), a residual index of 2^70 in an OverflowError."""

    def off_by_one(d: dict) -> None:
        d["bound"]["correct"] += 1

    def covered_residual(d: dict) -> None:
        d["claims"]["residual"]["inputs"][1] += 1

    def huge_index(d: dict) -> None:
        d["claims"]["residual"]["inputs"].append(2**70)

    certs = [_tampered(root, "off-by-one", "cubic.json", off_by_one),
             _tampered(root, "covered-residual", "cubic-residual.json", covered_residual),
             _tampered(root, "huge-index", "cubic-residual.json", huge_index)]

    def check(runs: list[Run]) -> None:
        for r in runs:
            assert "the checker rejects this certificate" in r.out and "soundness bug" not in r.out, r.out[-500:]
        assert not (root / "out").exists()  # nothing written for a rejected certificate

    return Scene(root, [["explain", str(c), "--quiet"] for c in certs], writable=[root / "out"], exits=frozenset({1}), check=check)


CASES: list[Case] = [
    Case("merge traversal", merge_traversal),
    Case("merge false bound", merge_false_bound),
    Case("concurrent certify", concurrent_certify),
    Case("concurrent sweep", concurrent_sweep),
    Case("sweep over a committed table", sweep_over_a_committed_table),
    Case("audit crashes", audit_crashes),
    Case("explain crashes", explain_crashes),
]


# ------------------------------------------------------------------------------------------------ the replay


def _snapshot(root: Path, skip: list[Path]) -> dict[str, str]:
    """SHA-256 of every file under `root` but those under a `skip` folder."""
    skip = [s.resolve() for s in skip]
    files = {}
    for p in sorted(root.rglob("*")):
        real = p.resolve()
        if p.is_file() and not any(real == s or s in real.parents for s in skip):
            files[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return files


def _repository() -> dict[str, str]:
    return {f"{d}/{k}": v for d in ("certificates", "lean/Certificates") for k, v in _snapshot(ROOT / d, []).items()}


def _stable(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in VOLATILE}


def _run_all(scene: Scene) -> list[Run]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "python"), os.environ.get("PYTHONPATH")])))
    procs = [subprocess.Popen([sys.executable, "-m", "mechproof.cli", *cmd], cwd=scene.cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for cmd in scene.commands]
    runs = []
    for cmd, proc in zip(scene.commands, procs):
        try:
            out, _ = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise
        runs.append(Run(cmd, proc.returncode, " ".join(out.split())))
    return runs


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Assets:
    return Assets(tmp_path_factory.mktemp("assets"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_replay(case: Case, assets: Assets, tmp_path: Path) -> None:
    scene = case.build(tmp_path, assets)
    before, repo = _snapshot(tmp_path, scene.writable), _repository()
    committed = {path: read_csv_table(path) for path in scene.committed}
    runs = _run_all(scene)
    for r in runs:
        assert r.code in ALLOWED and r.code in scene.exits, f"{r.command} exited {r.code}: {r.out[-2000:]}"
        assert "Traceback" not in r.out and "internal error" not in r.out, r.out[-2000:]
    assert _snapshot(tmp_path, scene.writable) == before, "a file outside the writable folders changed"
    assert _repository() == repo, "the repository's certificates or Lean modules changed"
    for path, rows in committed.items():
        now = {(r["seed"], r["strategy"]): _stable(r) for r in read_csv_table(path)}
        lost = [(r["seed"], r["strategy"]) for r in rows if now.get((r["seed"], r["strategy"])) != _stable(r)]
        assert not lost, f"{path}: committed rows lost or changed: {lost[:5]}"
    if scene.check is not None:
        scene.check(runs)
