"""No false acceptance on mutants of induction certificates (docs/certificate.md §5, §11), as tests/test_fuzz.py
does for Max-of-K.

Targets: the tiny model's `windows` certificate with `wrong` claims (`--upper`) and its `windows+residual`
certificate (cases, residual and wrong). Mutants: seeded JSON edits of the certificate (tests/mutants.py), raw text
edits, and weights with one tensor entry changed, the certificate naming the new hash (so that its claims are
checked against other weights). Property: `check` accepts only a bound that the literal model confirms (certified
correct ≤ the true count ≤ certified upper); every rejection is a ClaimFailure with a claim id (exit 1) or an
InputError naming the file (exit 2); nothing else is raised.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from induction_fixtures import model, truth, write
from induction_reference import all_inputs, verdict
from mutants import dumps, mutate_json, mutate_text

from mechproof import weights as weights_io
from mechproof.checker import ClaimFailure, check
from mechproof.errors import InputError

JSON_MUTANTS = 160
TEXT_MUTANTS = 40
WEIGHT_MUTANTS = 6


def _exit_code(path: Path) -> tuple[int, object]:
    try:
        return 0, check(path)
    except ClaimFailure as e:
        return (1 if e.claim_id else 3), str(e)
    except InputError as e:
        return (2 if e.path is not None else 3), str(e)
    except Exception as e:  # noqa: BLE001 - exactly what the property forbids
        return 3, f"{type(e).__name__}: {e}"


def _true_count(w) -> tuple[int, int]:  # noqa: ANN001
    """(at least, at most) right inputs of weights w by the literal model."""
    v = Counter(verdict(w, x) for x in all_inputs(w.cfg.d_vocab, w.cfg.n_ctx))
    return v[True], v[True] + v[None]


@pytest.mark.slow
@pytest.mark.parametrize("strategy,upper", [("windows", True), ("windows+residual", False)])
def test_no_false_acceptance_on_mutants(tmp_path, strategy, upper):
    honest = write(tmp_path / "honest", "tiny", strategy, depth=1, upper=upper)
    doc = json.loads(honest.read_text())
    weights_bytes = (honest.parent / "weights.json").read_bytes()
    n_right = sum(truth("tiny").values())
    rng = random.Random(f"induction-{strategy}")
    codes: Counter[int] = Counter()
    problems = []
    folder = tmp_path / "m"
    folder.mkdir()
    cert = folder / honest.name

    def judge(label: str, data: bytes, right: tuple[int, int]) -> None:
        cert.write_bytes(data)
        code, res = _exit_code(cert)
        codes[code] += 1
        if code == 3:
            problems.append(f"{label}: internal error {res}")
        elif code == 0 and (res.correct > right[0] or (res.upper is not None and res.upper < right[1])):
            problems.append(f"{label}: accepted {res.correct}..{res.upper}, truth {right}")

    (folder / "weights.json").write_bytes(weights_bytes)
    for j in range(JSON_MUTANTS):
        m, what = mutate_json(doc, rng, [doc])
        judge(f"json {j} ({what})", dumps(m, rng), (n_right, n_right))
    for j in range(TEXT_MUTANTS):
        data, what = mutate_text(json.dumps(doc).encode(), rng)
        judge(f"text {j} ({what})", data, (n_right, n_right))
    w = model("tiny")
    names = list(w.tensors)
    for j in range(WEIGHT_MUTANTS):
        name = rng.choice(names)
        t = w.tensors[name]
        k = rng.randrange(len(t.mantissas))
        mant = list(t.mantissas)
        mant[k] = rng.choice([-1, 1]) * (1 << 24) - rng.choice([0, mant[k]])
        new = dataclasses.replace(w, tensors={**w.tensors, name: dataclasses.replace(t, mantissas=tuple(mant))})
        weights_io.save(new, folder / "weights.json")
        d = json.loads(json.dumps(doc))
        d["model"]["sha256"] = new.sha256
        judge(f"weights {j} ({name}[{k}])", json.dumps(d).encode(), _true_count(new))
    print(f"\n[induction fuzz] {strategy}: exit codes {dict(sorted(codes.items()))}")
    assert not problems, "\n".join(problems[:8])
    assert codes[0] >= 1 and codes[1] >= 1 and codes[2] >= 1, dict(codes)  # every verdict is reached
