"""The Ray engine: tasks of (seed, batch of strategies) on a Ray cluster; this process writes what they return.

Per seed, one `prepare` task trains the model if the driver has no models/seed<N>.json (the driver sends the
weights when it has them) and computes the brute-force row; then one `prove` task per batch of strategies takes
the prepared seed (Ray passes the first task's result to the others when it is ready: the dependency is Ray's
to schedule, not ours) and returns rows and certificate bytes. Workers need no shared disk: the driver saves
trained models, rows and certificates into the sweep folder as results arrive, so resuming works as with the
local engine. Every node needs mechproof installed (`pip install -e '.[cluster]'` in the same environment).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator

import ray

from ... import weights as weights_io
from ...certify import save_weights_copy
from ...errors import InputError
from ...files import atomic_write
from ..folder import check_same_model, find_row
from ..rows import cert_dir, safe_name, store_failure, store_row
from ..runner import DEFAULT_BATCH
from ..tasks import Emit, SweepSpec, describe, model_file, prepare_remote, prove_remote
from .local import torch_threads

def start_local(num_cpus: int | None = None, object_store_memory: int | None = None) -> None:
    """Start a Ray instance on this machine whose workers import this very mechproof (its source folder is put
    first on their PYTHONPATH, so a source checkout works without installing)."""
    src = str(Path(__file__).resolve().parents[3])
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    ray.init(num_cpus=num_cpus, include_dashboard=False, object_store_memory=object_store_memory,
             logging_level=logging.WARNING, runtime_env={"env_vars": {"PYTHONPATH": path}})


def run_ray(todo: list[tuple[int, list[str]]], spec: SweepSpec, handle: Emit, address: str,
            batch: int = DEFAULT_BATCH) -> None:
    """Run `todo` on the Ray cluster at `address` ("local": start one here with spec.workers CPUs; "auto": the
    cluster this machine belongs to; else host:port or ray://host:port). If this process is already connected
    to Ray, that connection is used and left open."""
    owned = not ray.is_initialized()
    if owned:
        if address == "local":
            start_local(num_cpus=spec.workers)
        else:
            connect(address)
    try:
        _Driver(spec, handle, batch).run(todo)
    finally:
        if owned:
            ray.shutdown()


CONNECT_TIMEOUT = 5.0
"""Seconds to wait for the cluster's address to accept a TCP connection before Ray is asked to join it."""
CONNECT_TRIES = 1
"""How many times Ray itself may try to join (about 40 s each where the address answers but is not Ray's)."""


def connect(address: str) -> None:
    """Join the Ray cluster at `address` (auto, HOST:PORT or ray://HOST:PORT), or InputError (naming --ray) within a
    bounded time: Ray's own client retries for many minutes where nothing answers, so a HOST:PORT is first tried
    with a plain TCP connection, and Ray is then given one try rather than its default twenty."""
    if address != "auto":
        _probe(address)
    env = "RAY_gcs_server_port_wait_time_s"
    before = os.environ.get(env)
    os.environ.setdefault(env, str(CONNECT_TRIES))
    try:
        ray.init(address=address, logging_level=logging.WARNING)
    except (ConnectionError, TimeoutError, ValueError, RuntimeError) as e:
        raise InputError(None, "--ray", f"cannot join a Ray cluster at {address}: {_first_line(e)}") from None
    finally:
        if before is None:
            os.environ.pop(env, None)


def _probe(address: str) -> None:
    """InputError unless HOST:PORT (of `address`, a ray:// prefix allowed) accepts a TCP connection in time."""
    import socket

    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise InputError(None, "--ray", f"expected auto, local, HOST:PORT or ray://HOST:PORT; got {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as e:
        why = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise InputError(None, "--ray", f"cannot reach a Ray cluster at {address} ({why}); is `ray start --head` "
                         "running there, and is the address HOST:PORT of its head node?") from None


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _prepare(seed: int, text: str | None, brute: dict | None, spec: SweepSpec, model_path: str) -> dict[str, Any]:
    with torch_threads(1):  # one CPU per task, as requested from Ray
        return prepare_remote(seed, text, brute, spec, model_path)


def _prove(prepared: dict[str, Any], names: list[str]) -> list[tuple]:
    with torch_threads(1):
        return prove_remote(prepared, names)


def _batches(names: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(names), max(1, size)):
        yield names[i : i + max(1, size)]


def _cause(e: BaseException) -> str:
    """A task's own error rather than Ray's wrapper around it."""
    cause = getattr(e, "cause", None)
    return describe(cause if isinstance(cause, BaseException) else e)


class _Driver:
    """Submits the tasks, then stores results in completion order (a seed's prepared result before its rows)."""

    def __init__(self, spec: SweepSpec, handle: Emit, batch: int) -> None:
        self.spec, self.handle, self.batch = spec, handle, batch
        self.out = Path(spec.out)
        self.pending: dict[Any, tuple[str, int, list[str]]] = {}
        self.prepared: dict[int, Any] = {}  # seed → prepare ref, until its result is stored
        self.refused: dict[int, str] = {}  # seed → why none of its rows may be stored
        self.model_paths: dict[int, str] = {}  # seed → where its model file is (or goes, once trained)

    def run(self, todo: list[tuple[int, list[str]]]) -> None:
        gpus = 0 if self.spec.device == "cpu" else 1
        if gpus and not ray.cluster_resources().get("GPU"):  # its tasks would wait for a GPU forever
            raise InputError(None, "--device", f"{self.spec.device} requested, but the Ray cluster has no GPU; "
                             "use --device cpu")
        prepare = ray.remote(num_cpus=1, num_gpus=gpus)(_prepare)
        prove = ray.remote(num_cpus=1)(_prove)
        try:
            for seed, names in todo:
                path = model_file(seed, self.spec)
                text = path.read_text(encoding="utf-8") if path.is_file() else None
                ref_name = self.spec.reference
                brute = find_row(self.out, seed, ref_name) if ref_name not in names else None
                self.model_paths[seed] = str(path)
                ref = prepare.remote(seed, text, brute, self.spec, str(path))
                self.prepared[seed] = ref
                self.pending[ref] = ("prepare", seed, [ref_name] if ref_name in names else [])
                for chunk in _batches([n for n in names if n != ref_name], self.batch):
                    self.pending[prove.remote(ref, chunk)] = ("prove", seed, chunk)
            while self.pending:
                ready, _ = ray.wait(list(self.pending), num_returns=1)
                for ref in ready:
                    if ref in self.pending:
                        self._take(ref)
        except BaseException:
            for ref in self.pending:
                ray.cancel(ref, force=True)
            raise

    def _take(self, ref: Any) -> None:
        kind, seed, names = self.pending.pop(ref)
        if kind == "prepare":
            self._take_prepared(seed, ref, names)
            return
        if seed in self.prepared:  # the rows of a seed are stored after its weights and brute-force row
            prep = self.prepared[seed]
            self._take_prepared(seed, prep, self.pending.pop(prep)[2])
        try:
            results = ray.get(ref)
        except Exception as e:
            self._fail(seed, names, self.refused.get(seed) or _cause(e))
            return
        for result in results:
            if seed in self.refused:
                self._fail(seed, [result[2]], self.refused[seed])
            elif result[0] == "done":
                self._store(seed, result[3], result[4])
            else:
                self._fail(seed, [result[2]], result[3])

    def _take_prepared(self, seed: int, ref: Any, names: list[str]) -> None:
        del self.prepared[seed]
        try:
            prep = ray.get(ref)
            brute = prep["brute"]
            check_same_model(self.out, seed, brute["model_sha256"])
            w = weights_io.parse(json.loads(prep["weights"]), self.model_paths[seed])
            path = Path(self.model_paths[seed])
            if prep["trained"] and not path.is_file():
                atomic_write(path, prep["weights"])
            save_weights_copy(w, cert_dir(self.out, seed) / "weights.json")
        except Exception as e:
            self.refused[seed] = _cause(e)
            self._fail(seed, names, self.refused[seed])
            return
        if self.spec.reference in names:
            store_row(self.out, brute)
            self.handle(("done", seed, self.spec.reference, brute["prove_seconds"]))

    def _store(self, seed: int, row: dict[str, Any], data: bytes) -> None:
        name = row["strategy"]
        if hashlib.sha256(data).hexdigest() != row["cert_sha256"]:
            self._fail(seed, [name], "certificate bytes differ from the row's cert_sha256 (corrupted in transit)")
            return
        atomic_write(cert_dir(self.out, seed) / f"{safe_name(name)}.json", data)
        store_row(self.out, row)
        self.handle(("done", seed, name, row["prove_seconds"] + row["check_seconds"]))

    def _fail(self, seed: int, names: list[str], msg: str) -> None:
        for name in names:
            store_failure(self.out, seed, name, msg)
            self.handle(("failed", seed, name, msg))
