"""Per-seed work: the model, its brute-force row, and a checked certificate and row per strategy.

Two ways to run it. `run_seed` works in a sweep folder on this machine's disk (the in-process and process-pool
engines): it writes each row as soon as it exists. `prepare_remote` and `prove_remote` touch no sweep folder:
they take and return plain data (weights text, rows, certificate bytes), for workers on other machines whose
results the driver writes (the Ray engine).

Devices. `device` is where torch work runs: the brute-force float pass and, if a model has to be trained,
training. Only CPU training is byte-for-byte deterministic (mechproof.training), so models trained on another
device are written to <out>/models/, never to models/, where they would shadow the deterministic ones; an
existing models/seed<N>.json is always reused, whatever the device.
"""

from __future__ import annotations

import hashlib
import json
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ..config import ModelConfig, TrainConfig
from ..errors import InputError
from .ops import brute_force_ops
from .folder import check_same_model, find_row
from .rows import BRUTE, ESTIMATE, cert_dir, reference_name, safe_name, store_failure, store_row

BRUTE_COMPLEXITY = "O(V^n · n V)"

Event = tuple
"""("done", seed, strategy, seconds) or ("failed", seed, strategy, error): one per task, for progress."""
Emit = Callable[[Event], None]


def _models_dir() -> Path:
    from ..modelstore import MODELS_DIR

    return MODELS_DIR


@dataclass(frozen=True)
class SweepSpec:
    """What to run. `model_cfg`/`train_cfg` default to the paper's (used only when a model must be trained; a
    given `model_cfg` is also required of reused models)."""

    out: Path
    seeds: tuple[int, ...]
    strategies: tuple[str, ...]
    workers: int = 1
    device: str = "cpu"  # a resolved torch device (select.resolve_device)
    models_dir: Path = field(default_factory=_models_dir)
    model_cfg: ModelConfig | None = None
    train_cfg: TrainConfig | None = None
    samples: int = 100_000  # uniform inputs of the accuracy estimate where brute force is out of reach

    @property
    def cfg(self) -> ModelConfig:
        return self.model_cfg or ModelConfig()

    @property
    def reference(self) -> str:
        """The per-seed reference row: brute force, or a sampled estimate beyond brute force's reach."""
        return reference_name(self.cfg.n_inputs)

    def model_name(self, seed: int) -> str:
        """seedN for the paper's Max-of-4, <config>-seedN for the other named configurations."""
        from ..tasks.maxk.config import config_name
        from ..tasks.maxk.models import trainable_name

        name = config_name(self.cfg)
        if name is None:
            return f"seed{seed}"  # an unnamed configuration: its models are looked up as seedN
        return trainable_name(seed, name)


def describe(e: BaseException) -> str:
    """One line for a failure record: the exception's type and first line."""
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:500]


def model_file(seed: int, spec: SweepSpec) -> Path:
    """models/seed<N>.json when it exists or training would be on CPU; else <out>/models/seed<N>.json."""
    import torch

    path = Path(spec.models_dir) / f"{spec.model_name(seed)}.json"
    if path.is_file() or torch.device(spec.device).type == "cpu":
        return path
    return Path(spec.out) / "models" / path.name


def load_model(seed: int, spec: SweepSpec) -> tuple[Any, dict[str, Any]]:
    """The seed's weights, read from `model_file` or trained into it, and the model columns of its brute row."""
    from ..tasks.maxk.models import load_or_train

    path = model_file(seed, spec)
    t0 = time.perf_counter()
    w, path, trained = load_or_train(
        spec.model_name(seed), progress=False, models_dir=path.parent, device=spec.device, cfg=spec.model_cfg,
        tcfg=spec.train_cfg,
    )
    _require_config(w, spec, path)
    return w, _model_info(path, trained, time.perf_counter() - t0, w)


def _model_info(path: Path, trained: bool, seconds: float, w: Any) -> dict[str, Any]:
    return {
        "model": str(path),
        "trained": trained,
        "train_seconds": round(seconds, 4) if trained else None,
        "train_device": w.provenance.get("device", "cpu") if trained else None,
    }


def _require_config(w: Any, spec: SweepSpec, path: Path | str) -> None:
    if spec.model_cfg is not None and w.cfg != spec.model_cfg:
        raise InputError(path, "config", f"model config {w.cfg} differs from the sweep's {spec.model_cfg}")


def reference_row(seed: int, w: Any, model_info: Mapping[str, Any], spec: SweepSpec) -> dict[str, Any]:
    """The seed's reference row: brute force where feasible, else a sampled estimate."""
    if spec.reference == BRUTE:
        return brute_row(seed, w, model_info, spec.device)
    return estimate_row(seed, w, model_info, spec.device, spec.samples)


def estimate_row(seed: int, w: Any, model_info: Mapping[str, Any], device: str, samples: int) -> dict[str, Any]:
    """An ESTIMATE of the accuracy from uniform samples (each decided exactly), with an exact 95%
    Clopper–Pearson interval. It certifies nothing: correct, bound and normalized stay empty, so no table can
    mistake it for a certified number; proofs of this seed are compared with its upper confidence limit."""
    from ..tasks.maxk.estimate import estimate_accuracy

    est = estimate_accuracy(w, samples, sample_seed=seed, device=device)
    return {
        "seed": seed,
        "strategy": ESTIMATE,
        "group": ESTIMATE,
        "complexity": "O(samples · n V)",
        "kind": "estimate",
        "correct": None,
        "total": w.cfg.n_inputs,
        "bound": None,
        "brute_correct": None,
        "brute_accuracy": None,
        "normalized": None,
        "estimate_samples": est.samples,
        "estimate_correct": est.correct,
        "estimate_accuracy": est.accuracy,
        "estimate_low": est.low,
        "estimate_high": est.high,
        "prove_seconds": round(est.seconds, 4),
        "check_seconds": None,
        "check_ops": None,
        **_no_certificate(w, model_info, device),
    }


def _no_certificate(w: Any, model_info: Mapping[str, Any], device: str) -> dict[str, Any]:
    """The columns of a reference row that has no certificate: empty certificate fields, the model, where it ran."""
    return {
        "cert_bytes": None,
        "cert_sha256": None,
        "cert_version": None,
        "certificate": None,
        "model_sha256": w.sha256,
        **model_info,
        "device": device,
        "host": socket.gethostname(),
    }


def brute_row(seed: int, w: Any, model_info: Mapping[str, Any], device: str) -> dict[str, Any]:
    """The seed's brute-force pseudo-strategy row: the exact accuracy, its analytic proof length, the model."""
    from ..tasks.maxk.bruteforce import brute_force

    res = brute_force(w, device=device, progress=False)
    ops = brute_force_ops(w.cfg)
    return {
        "seed": seed,
        "strategy": BRUTE,
        "group": BRUTE,
        "complexity": BRUTE_COMPLEXITY,
        "kind": "exact",
        "correct": res.correct,
        "total": res.total,
        "bound": res.accuracy,
        "brute_correct": res.correct,
        "brute_accuracy": res.accuracy,
        "normalized": 1.0 if res.correct else None,
        "prove_seconds": round(res.seconds, 4),  # the brute-force pass
        "check_seconds": None,  # brute force is its own check
        "check_ops": sum(ops.values()),
        "ops": ops,
        **_no_certificate(w, model_info, device),
        "undecided_by_float": res.undecided_by_float,
        "unresolved_ties": res.unresolved,
    }


def prove_row(seed: int, name: str, w: Any, brute: Mapping[str, Any], where: Path) -> tuple[dict[str, Any], Path]:
    """Prove one strategy, write its certificate into `where` once the independent checker accepts it, and return
    its row and the certificate's path. The row names the certificate by its place in a sweep folder."""
    from ..certify import build_certificate, write_proven
    from ..tasks.maxk.strategies import STRATEGIES

    info = STRATEGIES[name]
    t0 = time.perf_counter()
    proof = info.run(w)
    prove_seconds = time.perf_counter() - t0
    cert = build_certificate(w, proof)
    cert_path = Path(where) / f"{safe_name(name)}.json"
    res, check_seconds = write_proven(cert, cert_path)
    if (res.correct, res.total) != (proof.correct, proof.total):  # the checker enforces this; be explicit
        raise AssertionError(f"checker counted {res.correct}/{res.total}, proof claimed {proof.correct}/{proof.total}")
    if res.total != int(brute["total"]):
        raise AssertionError(f"proof covers {res.total} inputs, the reference row {brute['total']}")
    exact = brute["strategy"] == BRUTE
    brute_correct = int(brute["brute_correct"]) if exact else None
    if exact and res.correct > brute_correct:
        raise AssertionError(
            f"certified count {res.correct} exceeds the brute-force count {brute_correct}: a soundness bug "
            f"(certificate left at {cert_path})"
        )
    if res.upper is not None and exact and res.upper < brute_correct:
        raise AssertionError(f"certified upper bound {res.upper} is below the brute-force count {brute_correct}")
    data = cert_path.read_bytes()
    row = {
        "seed": seed,
        "strategy": name,
        "group": info.group,
        "complexity": info.complexity,
        "correct": res.correct,
        "total": res.total,
        "bound": res.correct / res.total,
        "upper": res.upper,
        "brute_correct": brute_correct,
        "brute_accuracy": None if brute_correct is None else brute_correct / res.total,
        "normalized": res.correct / brute_correct if brute_correct else None,
        "prove_seconds": round(prove_seconds, 4),
        "check_seconds": round(check_seconds, 4),
        "check_ops": res.total_ops,
        "ops": dict(sorted(res.ops.items())),
        "cert_bytes": len(data),
        "cert_sha256": hashlib.sha256(data).hexdigest(),
        "cert_version": cert.version,
        "certificate": (cert_dir(Path(), seed) / cert_path.name).as_posix(),
        "model_sha256": w.sha256,
        "host": socket.gethostname(),
    }
    return row, cert_path


# ------------------------------------------------------------------------------------------------ local disk


def run_seed(seed: int, names: list[str], spec: SweepSpec, emit: Emit) -> None:
    """All missing tasks of one seed, in the sweep folder; emits exactly one event per name."""
    from ..certify import save_weights_copy

    out = Path(spec.out)
    remaining = list(names)
    try:
        w, model_info = load_model(seed, spec)
        check_same_model(out, seed, w.sha256)
        ref = spec.reference
        if ref in remaining:
            brute = reference_row(seed, w, model_info, spec)
            store_row(out, brute)
            remaining.remove(ref)
            emit(("done", seed, ref, brute["prove_seconds"]))
        else:
            brute = find_row(out, seed, ref)
            if brute is None:
                raise InputError(out, None, f"the {ref} row of seed{seed} went missing during the run")
        if remaining:
            save_weights_copy(w, cert_dir(out, seed) / "weights.json")
    except Exception as e:  # the whole seed fails: every task gets a failure record
        _fail_all(out, seed, remaining, describe(e), emit)
        return
    for name in remaining:
        try:
            row, _ = prove_row(seed, name, w, brute, cert_dir(out, seed))
        except Exception as e:
            msg = describe(e)
            store_failure(out, seed, name, msg)
            emit(("failed", seed, name, msg))
            continue
        store_row(out, row)
        emit(("done", seed, name, row["prove_seconds"] + row["check_seconds"]))


def _fail_all(out: Path, seed: int, names: list[str], msg: str, emit: Emit) -> None:
    for name in names:
        store_failure(out, seed, name, msg)
        emit(("failed", seed, name, msg))


# ------------------------------------------------------------------------------------------------ other machines


def prepare_remote(seed: int, weights_text: str | None, brute: Mapping[str, Any] | None, spec: SweepSpec,
                   model_path: str) -> dict[str, Any]:
    """On a worker: the seed's weights (given, or trained here) and its brute-force row (given, or computed here).

    Returns {"weights": the exact weights file's text, "brute": the row, "trained": whether it trained}. The
    driver saves a trained model at `model_path`, which is also what the brute row names."""
    from .. import weights as weights_io
    from ..tasks.maxk.models import train_and_save

    trained, seconds = False, 0.0
    if weights_text is None:
        with tempfile.TemporaryDirectory(prefix="mechproof-train-") as tmp:
            _, seconds = train_and_save(seed, Path(tmp) / "w.json", cfg=spec.cfg, progress=False,
                                        device=spec.device, tcfg=spec.train_cfg)
            weights_text = (Path(tmp) / "w.json").read_text(encoding="utf-8")
        trained = True
    w = weights_io.parse(json.loads(weights_text), model_path)
    _require_config(w, spec, model_path)
    if brute is None:
        brute = reference_row(seed, w, _model_info(Path(model_path), trained, seconds, w), spec)
    elif brute.get("model_sha256") != w.sha256:
        raise InputError(model_path, "model_sha256", f"the brute-force row of seed{seed} is for other weights")
    return {"weights": weights_text, "brute": dict(brute), "trained": trained}


def prove_remote(prepared: Mapping[str, Any], names: list[str]) -> list[tuple]:
    """On a worker: prove and check `names` on the prepared seed, in a scratch folder. Returns per name
    ("done", seed, name, row, certificate bytes) or ("failed", seed, name, error)."""
    from .. import weights as weights_io

    brute = prepared["brute"]
    seed = int(brute["seed"])
    w = weights_io.parse(json.loads(prepared["weights"]))
    results: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="mechproof-prove-") as tmp:
        (Path(tmp) / "weights.json").write_text(prepared["weights"], encoding="utf-8")
        for name in names:
            try:
                row, path = prove_row(seed, name, w, brute, Path(tmp))
                results.append(("done", seed, name, row, path.read_bytes()))
                path.unlink()
            except Exception as e:
                results.append(("failed", seed, name, describe(e)))
    return results
