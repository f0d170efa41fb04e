"""The main job: model → proof → certificate → independent check → (Lean check) → summary.

A bound is reported only after the independent checker has accepted the certificate, and the certificate only
appears under its final name after that: it is written to a temporary name first and renamed when proven.

A user's certificates go to out/certificates/ (ignored by git). certificates/ holds the committed ones, each with
its Lean module in lean/Certificates/; writing there (`--cert-root certificates`) is how they are regenerated,
and a certificate written elsewhere is compared with the committed one of the same model and name
(`compare_committed`), so that certifying seed 42 again shows whether it reproduces byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import weights as weights_io
from .certificate import Certificate, dumps_certificate
from .checker import CheckResult, check
from .files import atomic_write
from .modelstore import model_name
from .strategies import ProofOutput
from .tasks import MAXK
from .tasks.maxk.models import load_or_train
from .tasks.maxk.strategies import STRATEGIES, with_upper
from .tasks.maxk.strategies.coverage import require_enumerable
from .weights import ExactWeights

CERT_ROOT = Path("out") / "certificates"
COMMITTED_ROOT = Path("certificates")


@dataclass(frozen=True)
class CertifyReport:
    model: str
    certificate: Path
    correct: int
    total: int
    prove_seconds: float
    check_seconds: float
    trained: bool
    lean: str  # what happened with Lean: "checked", "not run: ...", or a failure message
    upper: int | None = None  # the certified upper bound on the number of right inputs, when asked for
    committed: tuple[Path, str] | None = None  # compare_committed's verdict on the committed counterpart

    @property
    def bound(self) -> float:
        return self.correct / self.total


def build_certificate(w: ExactWeights, proof: ProofOutput, weights_rel: str = "weights.json") -> Certificate:
    bound = {"correct": proof.correct, "total": proof.total}
    if proof.upper is not None:
        bound["upper"] = proof.upper
    task = {} if w.task == MAXK else {"task": w.task}  # versions 1 and 2 (Max-of-K) have no `task` field
    return Certificate(
        format="mechproof-certificate",
        version=proof.version,
        **task,
        model={"weights": weights_rel, "sha256": w.sha256},
        config=w.cfg,
        strategy={"name": proof.strategy, "params": proof.params},
        claims=proof.claims,
        bound=bound,
    )


def write_proven(cert: Certificate, path: Path, workers: int = 1) -> tuple[CheckResult, float]:
    """Write `cert` to `path` only if the independent checker accepts it; returns the checker's result (with
    its operation counts) and the check time. The unproven file has a name of its own per call (beside `path`,
    where the certificate's relative weights path resolves), so runs writing the same certificate at once do
    not remove or replace each other's. `workers`: the checker's processes (checker.check)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".unproven.json")
    os.close(fd)
    tmp = Path(name)
    try:
        atomic_write(tmp, dumps_certificate(cert))
        start = time.perf_counter()
        result = check(tmp, workers)
        seconds = time.perf_counter() - start
        os.replace(tmp, path)
        return result, seconds
    finally:
        tmp.unlink(missing_ok=True)


def save_weights_copy(w: ExactWeights, path: Path) -> None:
    """The certificate folder's exact copy of the weights, rewritten only when its bytes would change."""
    text = weights_io.dumps(w)
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        atomic_write(path, text)


def certify(
    ref: str,
    strategy: str = "cubic",
    cert_root: Path = CERT_ROOT,
    progress: bool = True,
    lean: bool = True,
    paper_compatible: bool = False,
    upper: bool = False,
) -> CertifyReport:
    """`upper`: also certify an upper bound (docs §9; needs d_vocab^n_ctx ≤ 2^28), in <stem>-upper.json."""
    w, _, trained = load_or_train(ref, progress=progress)
    name = model_name(ref)
    out_dir = cert_root / name
    if upper:
        require_enumerable(w.cfg.d_vocab, w.cfg.n_ctx)  # refuse before proving
    save_weights_copy(w, out_dir / "weights.json")
    proof = STRATEGIES[strategy].run(w, paper_compatible=paper_compatible)
    if upper:
        proof = with_upper(w, proof)
    cert_path = out_dir / f"{proof.file_stem}.json"
    _, check_seconds = write_proven(build_certificate(w, proof), cert_path)
    lean_status = lean_check(cert_path) if lean else "not run: disabled"
    return CertifyReport(
        name, cert_path, proof.correct, proof.total, proof.seconds, check_seconds, trained, lean_status, proof.upper,
        compare_committed(cert_path),
    )  # fmt: skip


def compare_committed(cert_path: Path, committed_root: Path = COMMITTED_ROOT) -> tuple[Path, str] | None:
    """The committed certificate of the same model and file name, and how `cert_path` compares with it:
    "identical" (byte for byte), "differs" (same weights, other bytes: not reproduced), or "other weights" (the
    committed one is about another model). None if there is none, or `cert_path` is that file."""
    committed = committed_root / cert_path.parent.name / cert_path.name
    if not committed.is_file() or committed.resolve() == cert_path.resolve():
        return None
    if committed.read_bytes() == cert_path.read_bytes():
        return committed, "identical"
    weights = committed.parent / "weights.json"
    same = weights.is_file() and weights.read_bytes() == (cert_path.parent / "weights.json").read_bytes()
    return committed, "differs" if same else "other weights"


def lean_check(cert_path: Path) -> str:
    """Re-check a certificate in Lean when Lean is installed: one of a project's certificates/ gets its Lean module
    written and `lake build` run (which checks every committed certificate); any other is checked at run time by
    `lake exe mechcheck` of the Lean project above it (or in the working directory), writing nothing."""
    from .leangen import LeanGenError, project_root, write_lean_module

    try:
        root = project_root(cert_path)
    except LeanGenError:
        return _mechcheck(cert_path)
    try:
        write_lean_module(cert_path)
    except LeanGenError as e:
        return f"not run: {e}"
    return _lake(["build"], root, "checked by lake build")


def _mechcheck(cert_path: Path) -> str:
    cert_path = cert_path.resolve()
    root = next((d for d in (*cert_path.parents, Path.cwd()) if (d / "lakefile.lean").is_file()), None)
    if root is None:
        return f"not run: {cert_path} is in no Lean project (no lakefile.lean above it or in the working directory)"
    return _lake(["exe", "mechcheck", str(cert_path)], root, "checked by lake exe mechcheck")


def _lake(args: list[str], root: Path, done: str) -> str:
    if shutil.which("lake") is None:
        return "not run: `lake` is not on PATH (install elan to re-check certificates in Lean)"
    proc = subprocess.run(["lake", *args], capture_output=True, text=True, cwd=root)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        return f"FAILED: lake {' '.join(args)} exited {proc.returncode}\n{tail}"
    return done
