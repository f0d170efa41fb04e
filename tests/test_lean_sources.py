"""Static checks of the Lean checker's sources, runnable without a Lean toolchain.

Lean cannot be installed on every machine that runs the tests, so what can be checked without it is
checked here: no escape hatches (sorry, new axioms, ...), balanced brackets and comments, every
committed certificate has its generated module (current, with include_str paths that resolve), the
lakefile builds those modules and the executable, the toolchain pin, that the Lean checker knows
every rule the Python checker accepts, and that the Lean mirror has the Python checker's functions
and constants.
"""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path

import pytest

from mechproof import leangen

ROOT = Path(__file__).resolve().parents[1]
LEAN_DIR = ROOT / "lean"
LAKEFILE = ROOT / "lakefile.lean"
CHECKER = ROOT / "python" / "mechproof" / "checker"
MAXK_CHECKER = ROOT / "python" / "mechproof" / "tasks" / "maxk" / "checker"


def lean_files() -> list[Path]:
    return sorted(LEAN_DIR.rglob("*.lean"))


def checked_sources() -> list[Path]:
    return [*lean_files(), LAKEFILE]


def test_lean_sources_exist():
    names = {p.relative_to(LEAN_DIR).as_posix() for p in lean_files()}
    for required in (
        "MechProof.lean",
        "Main.lean",
        "MechProof/Arith.lean",
        "MechProof/Exp.lean",
        "MechProof/Failures.lean",
        "MechProof/Parse.lean",
        "MechProof/Matrices.lean",
        "MechProof/Inputs.lean",
        "MechProof/Cubic.lean",
        "MechProof/Subcubic.lean",
        "MechProof/Induction/Fixed.lean",
        "MechProof/Induction/Tables.lean",
        "MechProof/Induction/Inputs.lean",
        "MechProof/Induction/CaseTables.lean",
        "MechProof/Induction/Mixture.lean",
        "MechProof/Induction/Cases.lean",
        "MechProof/Induction/Groups.lean",
        "MechProof/Induction/Check.lean",
        "MechProof/Check.lean",
    ):
        assert required in names, f"lean/{required} is missing"
    assert LAKEFILE.is_file()
    check = (LEAN_DIR / "MechProof" / "Check.lean").read_text(encoding="utf-8")
    assert "def checkCertificate (certJson weightsJson : String) : Except String CheckResult :=" in check
    assert "def certifies (certJson weightsJson : String) (correct total : Nat) : Bool :=" in check
    assert "def certifiesUpper (certJson weightsJson : String) (upper total : Nat) : Bool :=" in check
    assert "def certifiesBounds (certJson weightsJson : String) (correct upper total : Nat) : Bool :=" in check
    assert "def main (args : List String) : IO UInt32 := do" in (LEAN_DIR / "Main.lean").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ escape hatches
FORBIDDEN = [
    (re.compile(r"\bsorry\b"), "sorry"),
    (re.compile(r"\badmit\b"), "admit"),
    (re.compile(r"\baxiom\b"), "axiom"),
    (re.compile(r"\bimplemented_by\b"), "implemented_by"),
    (re.compile(r"\bextern\b"), "extern"),
    (re.compile(r"\bunsafe\b"), "unsafe"),
    (re.compile(r"^\s*import\s+Mathlib\b", re.M), "import Mathlib"),
    (re.compile(r"^\s*import\s+Batteries\b", re.M), "import Batteries"),
]


def forbidden_uses(text: str) -> list[str]:
    """Forbidden tokens anywhere in the text (comments and strings included: the strictest reading)."""
    return [name for rx, name in FORBIDDEN if rx.search(text)]


def test_forbidden_detector_detects():
    assert forbidden_uses("theorem t : 1 = 1 := by sorry") == ["sorry"]
    assert forbidden_uses("axiom foo : False") == ["axiom"]
    assert forbidden_uses("@[extern \"f\"] def f : Nat := 0") == ["extern"]
    assert forbidden_uses("@[implemented_by g] def f := 0") == ["implemented_by"]
    assert forbidden_uses("import Mathlib.Data.Real.Basic") == ["import Mathlib"]
    assert forbidden_uses("import Batteries") == ["import Batteries"]
    assert forbidden_uses("def extern_lib_name := 0\ndef sorryNot := 1") == []


@pytest.mark.parametrize("path", checked_sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_escape_hatches(path):
    found = forbidden_uses(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} uses {found}"


# ------------------------------------------------------------------------------ brackets and comments
PAIRS = {")": "(", "]": "[", "}": "{", "⟩": "⟨"}
IDENT_CHARS = re.compile(r"[A-Za-z0-9_'!?.₀-₉]")


def bracket_problems(text: str) -> list[str]:
    """Unbalanced (), [], {}, ⟨⟩ or unclosed block comments (Lean nests them), ignoring the insides
    of string literals, char literals and comments."""
    problems: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n, line = 0, len(text), 1
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/-", i):
            depth, start = 1, line
            i += 2
            while i < n and depth:
                if text.startswith("/-", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("-/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
            if depth:
                problems.append(f"block comment opened on line {start} is never closed")
        elif ch == '"':
            start = line
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                line += i < n and text[i] == "\n"
                i += 1
            if i >= n:
                problems.append(f"string literal opened on line {start} is never closed")
            i += 1
        elif ch == "'" and (i == 0 or not IDENT_CHARS.match(text[i - 1])) and re.match(r"'(\\.|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", text[i:]).group(0))
        elif ch in "([{⟨":
            stack.append((ch, line))
            i += 1
        elif ch in PAIRS:
            if not stack or stack[-1][0] != PAIRS[ch]:
                problems.append(f"line {line}: unmatched {ch!r}")
            else:
                stack.pop()
            i += 1
        else:
            i += 1
    problems += [f"{ch!r} opened on line {ln} is never closed" for ch, ln in stack]
    return problems


def test_bracket_checker_detects():
    assert bracket_problems("def f := (1 + [2, 3])") == []
    assert bracket_problems('def s := "(" -- ]\n/- { /- nested -/ -/ def c := \'(\' def e\' := ⟨1, 2⟩') == []
    assert bracket_problems("def f := (1 + [2, 3)")
    assert bracket_problems("def f := ⟨1, 2")
    assert bracket_problems("/- /- -/ never closed")
    assert bracket_problems('def s := "unterminated')
    assert bracket_problems("def f := 1)")


@pytest.mark.parametrize("path", checked_sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_brackets_and_comments_balanced(path):
    problems = bracket_problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)}: {problems}"


def test_imports_come_first():
    """`import` must precede every command (a module doc `/-! -/` is a command)."""
    for path in lean_files():
        code = re.sub(r"/-(?![-!]).*?-/", "", path.read_text(encoding="utf-8"), flags=re.S)  # plain comments
        lines = [ln for ln in code.splitlines() if ln.strip() and not ln.strip().startswith("--")]
        seen_other = False
        for ln in lines:
            if ln.startswith("import "):
                assert not seen_other, f"{path.relative_to(ROOT)}: import after a command: {ln}"
            else:
                seen_other = True


def test_autoimplicit_off():
    text = LAKEFILE.read_text(encoding="utf-8")
    assert re.search(r"⟨`autoImplicit,\s*false⟩", text), "lakefile must set autoImplicit false"


# ------------------------------------------------------------------------- certificates and modules
def certificates() -> list[Path]:
    return leangen.find_certificates(ROOT)


def test_there_are_certificates():
    assert certificates(), "no certificates under certificates/"


def include_paths(module: Path) -> list[Path]:
    text = module.read_text(encoding="utf-8")
    return [(module.parent / rel).resolve() for rel in re.findall(r'include_str\s+"([^"]+)"', text)]


@pytest.mark.parametrize("cert", certificates(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_certificate_has_current_lean_module(cert):
    module = leangen.module_path(cert)
    rel = cert.relative_to(ROOT).as_posix()
    strategy = leangen.strategy_of(cert)
    if strategy in UNSUPPORTED_IN_LEAN:
        assert not module.exists(), f"{module.relative_to(ROOT)} exists, but Lean does not support {strategy!r}"
        pytest.skip(f"{rel}: strategy {strategy!r} is not supported in Lean ({UNSUPPORTED_IN_LEAN[strategy]})")
    assert module.is_file(), f"{rel} has no Lean module {module.relative_to(ROOT)}: run python -m mechproof.leangen"
    assert module.read_text(encoding="utf-8") == leangen.render_module(cert), (
        f"{module.relative_to(ROOT)} is stale for {rel}: run python -m mechproof.leangen"
    )
    incs = include_paths(module)
    assert len(incs) == 2, f"{module.relative_to(ROOT)} should include_str the certificate and its weights"
    for p in incs:
        assert p.is_file(), f"{module.relative_to(ROOT)}: include_str path {p} does not exist"
    doc = json.loads(cert.read_text(encoding="utf-8"))
    assert incs[0] == cert.resolve()
    assert incs[1] == (cert.parent / doc["model"]["weights"]).resolve()
    bound = doc["bound"]
    if bound.get("upper") is None:
        statement = rf"theorem bound : MechProof\.certifies certificate weights {bound['correct']} {bound['total']} = true"
    else:
        statement = (
            rf"theorem bounds : MechProof\.certifiesBounds certificate weights {bound['correct']} {bound['upper']} "
            rf"{bound['total']} = true"
        )
    assert re.search(statement + r" :=\s*by\s+native_decide", module.read_text(encoding="utf-8")), (
        "the module must state the certificate's bounds"
    )


def test_no_stale_generated_modules():
    expected = {leangen.module_path(c) for c in certificates() if leangen.lean_supports(c)}
    for path in sorted((ROOT / leangen.LEAN_MODULE_DIR).glob("*.lean")):
        if leangen._generated_from(path.read_text(encoding="utf-8")) is not None:
            assert path.resolve() in expected, f"{path.relative_to(ROOT)} belongs to no certificate: run python -m mechproof.leangen"


def test_module_names():
    root = ROOT
    certs = root / "certificates"
    assert leangen.module_name(certs / "seed42" / "cubic.json") == "Seed42Cubic"
    assert leangen.module_name(certs / "seed42" / "subcubic-foo+bar.json") == "Seed42SubcubicFooBar"
    assert leangen.module_name(certs / "7up" / "cubic.json") == "C7upCubic"
    for name in ("Seed42Cubic", "Seed42SubcubicFooBar", "C7upCubic"):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name)
    with pytest.raises(leangen.LeanGenError):
        leangen.module_name(Path("/tmp/elsewhere/cubic.json"))


@pytest.mark.parametrize("stem", ["type", "sort", "prop", "Type"])
def test_module_names_are_not_lean_keywords(stem):
    """`certificates/type.json` would be `Certificates.Type`, and `Type` (like `Sort` and `Prop`) is a keyword
    of Lean's term syntax, so `import Certificates.Type` and `namespace Certificates.Type` would not parse."""
    name = leangen.module_name(ROOT / "certificates" / f"{stem}.json")
    assert name not in {"Type", "Sort", "Prop"}
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name)


def _scratch_project(root: Path, *models: str) -> list[Path]:
    """A scratch Lean project under `root` with seed 42's weights and cubic certificate under each model
    folder; returns those folders."""
    (root / "lakefile.lean").write_text("-- scratch\n")
    src = ROOT / "certificates" / "seed42"
    out = []
    for model in models:
        d = root / "certificates" / model
        d.mkdir(parents=True)
        (d / "weights.json").write_bytes((src / "weights.json").read_bytes())
        (d / "cubic.json").write_bytes((src / "cubic.json").read_bytes())
        out.append(d)
    return out


def test_regenerate_in_a_scratch_project(tmp_path):
    """write_lean_module / regenerate_all: atomic writes, stale removal, collisions."""
    _scratch_project(tmp_path, "m-1", "m2")
    src = ROOT / "certificates" / "seed42"
    written, removed = leangen.regenerate_all(tmp_path)
    assert sorted(p.name for p in written) == ["M1Cubic.lean", "M2Cubic.lean"] and removed == []
    text = written[0].read_text(encoding="utf-8")
    assert 'include_str "../../certificates/m-1/cubic.json"' in text
    assert "namespace Certificates.M1Cubic" in text
    (tmp_path / "certificates" / "m2" / "cubic.json").unlink()
    written, removed = leangen.regenerate_all(tmp_path)
    assert [p.name for p in removed] == ["M2Cubic.lean"] and [p.name for p in written] == ["M1Cubic.lean"]
    # a hand-written module without the marker is left alone
    (tmp_path / "lean" / "Certificates" / "Manual.lean").write_text("import MechProof\n")
    leangen.regenerate_all(tmp_path)
    assert (tmp_path / "lean" / "Certificates" / "Manual.lean").is_file()
    # two certificates with one module name
    d = tmp_path / "certificates" / "m1"
    d.mkdir()
    (d / "weights.json").write_bytes((src / "weights.json").read_bytes())
    (d / "cubic.json").write_bytes((src / "cubic.json").read_bytes())
    with pytest.raises(leangen.LeanGenError, match="rename"):
        leangen.regenerate_all(tmp_path)
    with pytest.raises(leangen.LeanGenError, match="rename"):
        leangen.write_lean_module(d / "cubic.json")


def test_module_changes_when_an_input_changes(tmp_path):
    (d,) = _scratch_project(tmp_path, "m")
    src = ROOT / "certificates" / "seed42"
    before = leangen.render_module(d / "cubic.json")
    (d / "weights.json").write_bytes((src / "weights.json").read_bytes() + b"\n")
    assert leangen.render_module(d / "cubic.json") != before


def test_module_states_both_bounds_when_the_certificate_has_an_upper_bound(tmp_path):
    """A certificate with `bound.upper` (docs §9) gets one theorem with both bounds (the checker runs once); one
    without keeps the lower-bound statement byte for byte."""
    (d,) = _scratch_project(tmp_path, "m")
    lower = leangen.render_module(d / "cubic.json")
    doc = json.loads((d / "cubic.json").read_text(encoding="utf-8"))
    correct = doc["bound"]["correct"]
    assert f"theorem bound : MechProof.certifies certificate weights {correct} 16777216 = true := by\n  native_decide\n\nend" in lower
    doc["bound"]["upper"] = 16777000
    (d / "cubic.json").write_text(json.dumps(doc), encoding="utf-8")
    both = leangen.render_module(d / "cubic.json")
    assert re.search(
        rf"theorem bounds : MechProof\.certifiesBounds certificate weights {correct} 16777000 16777216 = true :=\s*by\s+native_decide\n\nend",
        both,
    )
    assert "theorem bound " not in both and "at most 16777000" in both
    assert forbidden_uses(both) == [] and bracket_problems(both) == []
    for bad in (-1, True, "7"):
        doc["bound"]["upper"] = bad
        (d / "cubic.json").write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(leangen.LeanGenError, match="bound.upper"):
            leangen.render_module(d / "cubic.json")


def test_certify_writes_the_module_and_reports_lean_status(tmp_path, monkeypatch):
    """certify.lean_check writes the certificate's Lean module, and says plainly when Lean is absent or the
    certificate is not inside a Lean project."""
    from mechproof import certify

    (d,) = _scratch_project(tmp_path, "m")
    src = ROOT / "certificates" / "seed42"
    monkeypatch.setattr(certify.shutil, "which", lambda name: None)
    status = certify.lean_check(d / "cubic.json")
    assert status.startswith("not run") and "lake" in status
    assert (tmp_path / "lean" / "Certificates" / "MCubic.lean").is_file()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "weights.json").write_bytes((src / "weights.json").read_bytes())
    (outside / "cubic.json").write_bytes((src / "cubic.json").read_bytes())
    assert certify.lean_check(outside / "cubic.json").startswith("not run:")


# --------------------------------------------------------------------------------- lakefile, toolchain
def test_lakefile_targets():
    text = LAKEFILE.read_text(encoding="utf-8")
    assert re.search(r'srcDir\s*:=\s*"lean"', text)
    assert re.search(r"@\[default_target\]\s*lean_lib\s+MechProof\b", text), "MechProof must be a default target"
    assert re.search(
        r"@\[default_target\]\s*lean_lib\s+Certificates\s+where\s+globs\s*:=\s*#\[\s*\.submodules\s+`Certificates\s*\]",
        text,
    ), "the Certificates glob must be a default target"
    assert re.search(r"@\[default_target\]\s*lean_exe\s+mechcheck\s+where\s+root\s*:=\s*`Main\b", text), (
        "lean_exe mechcheck (root Main) must be a default target"
    )
    assert (LEAN_DIR / "Main.lean").is_file() and "def main" in (LEAN_DIR / "Main.lean").read_text(encoding="utf-8")
    assert not (ROOT / "lakefile.toml").exists(), "keep a single lakefile"


def test_toolchain_is_one_stable_release():
    text = (ROOT / "lean-toolchain").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 1, f"lean-toolchain must be one line, got {lines}"
    assert re.fullmatch(r"leanprover/lean4:v4\.\d+\.\d+", lines[0].strip()), lines


# ------------------------------------------------------------------------------------ rule sets match
# Strategies the Python checker accepts that the Lean checker does not support yet, each with the reason.
# One list, in leangen (which gives their certificates no Lean module, so `lake build` does not check them).
UNSUPPORTED_IN_LEAN: dict[str, str] = leangen.LEAN_UNSUPPORTED_STRATEGIES


def _rules_of(model: type) -> set[str]:
    """Every `rule: Literal[...]` string in a pydantic claims schema, recursively."""
    from pydantic import BaseModel

    rules: set[str] = set()
    for name, field in model.model_fields.items():
        ann = field.annotation
        if name == "rule" and typing.get_origin(ann) is typing.Literal:
            rules.update(typing.get_args(ann))
        for t in (ann, *typing.get_args(ann)):
            if isinstance(t, type) and not typing.get_args(t) and issubclass(t, BaseModel):
                rules |= _rules_of(t)
    return rules


def python_rules() -> dict[str, set[str]]:
    """strategy → rule names the Python checker accepts (Max-of-K's CLAIM_SCHEMAS, tasks/maxk/schema.py)."""
    from mechproof.tasks.maxk.schema import CLAIM_SCHEMAS

    return {strategy: _rules_of(schema) for strategy, schema in CLAIM_SCHEMAS.items()}


def python_rule_literals() -> set[str]:
    """The same, read from the text of certificate.py and tasks/maxk/schema.py (so the test does not rely on
    pydantic alone)."""
    package = ROOT / "python" / "mechproof"
    text = "\n".join((package / f).read_text(encoding="utf-8") for f in ("certificate.py", "tasks/maxk/schema.py"))
    return set(re.findall(r'rule:\s*Literal\[\s*"([^"]+)"\s*\]', text))


def lean_strategies(text: str) -> set[str]:
    """Strategies the Lean checker dispatches on: the string alternatives of parseStrategyClaims."""
    m = re.search(r"def parseStrategyClaims\b(.*?)(?=\n(?:def|/--|theorem|structure|inductive|end)\b)", text, re.S)
    assert m, "parseStrategyClaims not found in the Lean sources"
    return set(re.findall(r'\|\s*"([^"]+)"\s*=>', m.group(1)))


def lean_rules(text: str) -> set[str]:
    """Rule names the Lean checker compares `rule` fields against: the last argument of expectRule."""
    arg = r'(?:"[^"]*"|\([^()]*\)|[^\s()"]+)'
    return set(re.findall(rf'expectRule\s+{arg}\s+{arg}\s+"([^"]+)"', text))


def all_lean_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((LEAN_DIR / "MechProof").glob("*.lean")))


def test_lean_rule_extraction_detects():
    sample = '''
def parseStrategyClaims (name : String) (claims : Lean.Json) : Except CheckError StrategyClaims :=
  match name with
  | "cubic" => StrategyClaims.cubic <$> parseCubicClaims claims
  | other => inputError InputFile.certificate "strategy.name" s!"unknown strategy '{other}'"

def f := do
  expectRule j path "inv-sqrt"
  expectRule j "claims.cases" "cubic-case"
'''
    assert lean_strategies(sample) == {"cubic"}
    assert lean_rules(sample) == {"inv-sqrt", "cubic-case"}
    assert "exp-enclosure" not in lean_rules(sample)


def test_rule_sets_match():
    py = python_rules()
    assert py, "CLAIM_SCHEMAS is empty"
    assert set().union(*py.values()) == python_rule_literals(), "rule Literals in certificate.py, tasks/maxk/schema.py and CLAIM_SCHEMAS disagree"
    text = all_lean_text()
    lean_strats, lean_rule_set = lean_strategies(text), lean_rules(text)
    assert lean_strats, "the Lean checker supports no strategy"
    for strategy in lean_strats:
        assert strategy in py, f"the Lean checker supports strategy {strategy!r}, which the Python checker does not know"
    for strategy, rules in sorted(py.items()):
        if strategy in UNSUPPORTED_IN_LEAN:
            assert strategy not in lean_strats, f"{strategy!r} is supported in Lean now: drop it from UNSUPPORTED_IN_LEAN"
            continue
        assert strategy in lean_strats, (
            f"strategy {strategy!r} is accepted by the Python checker (tasks/maxk/schema.py CLAIM_SCHEMAS) but the Lean "
            f"checker does not dispatch on it (lean/MechProof/Parse.lean parseStrategyClaims). Implement it in Lean, "
            f"or list it in UNSUPPORTED_IN_LEAN in tests/test_lean_sources.py with the reason."
        )
        missing = rules - lean_rule_set
        assert not missing, (
            f"strategy {strategy!r}: the Python checker accepts rules {sorted(missing)} that the Lean checker never "
            f"checks (no expectRule ... \"<rule>\" in lean/MechProof/)"
        )


# ----------------------------------------------------------------------------- shadow of the mirror
def lean_nat_constant(text: str, name: str) -> int:
    m = re.search(rf"^def\s+{name}\s*:\s*Nat\s*:=\s*(\d+)\s*$", text, re.M)
    assert m, f"def {name} : Nat := ... not found"
    return int(m.group(1))


def test_exp_constants_match_python():
    from mechproof.checker import arith

    text = (LEAN_DIR / "MechProof" / "Exp.lean").read_text(encoding="utf-8")
    assert lean_nat_constant(text, "expP") == arith.EXP_P == 100
    assert lean_nat_constant(text, "expQ") == arith.EXP_Q == 128
    assert lean_nat_constant(text, "expN") == arith.EXP_N == 24


def test_config_limits_match_python():
    """Parse.lean's ModelConfig defaults and bounds are python/mechproof/config.py's."""
    from mechproof.config import ModelConfig

    text = (LEAN_DIR / "MechProof" / "Parse.lean").read_text(encoding="utf-8")
    for key, field in ModelConfig.model_fields.items():
        m = re.search(rf'configField file j path "{key}" (\d+) (\d+)', text)
        assert m, f"Parse.lean does not read config field {key}"
        lo = next(x.ge for x in field.metadata if hasattr(x, "ge"))
        hi = next(x.le for x in field.metadata if hasattr(x, "le"))
        assert tuple(map(int, m.groups())) == (lo, hi), key  # no defaults: every key is required (docs §10)
    keys = re.search(r'exactKeys file j path #\[([^\]]*)\] #\[\]', text).group(1)
    assert re.findall(r'"([^"]+)"', keys) == list(ModelConfig.model_fields)


def _camel(name: str) -> str:
    head, *rest = name.lstrip("_").split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


# Python checker functions with no Lean counterpart, and why.
NOT_MIRRORED = {
    "count": "operation counting (proof-length statistics) is not part of checking",
    "memo": "per-process reuse of derived quantities between certificates; one Lean evaluation checks one certificate",
    "clear_memo": "the same (the per-process cache)",
    "show": "lazy formatting of failure values; Lean builds the message strings where it fails",
    "_explain_ill_formed": "Python's check_well_formed is a fast test plus this explanation; Lean's checkWellFormed "
    "runs the detailed checks directly (tests/test_lean_subcubic.py compares their first failures)",
    "_json": "hashable memo keys for the per-process cache",
    "_approx": "decimal approximation in messages; the Lean messages give the exact m·2^e only",
    "frac": "Fraction of a dyadic: Lean cross-multiplies instead (Subcubic.lean header; tests/test_lean_subcubic.py)",
    "frac_str": "decimal/fraction text in messages; the Lean messages give the exact dyadics",
}
# Python checker classes: the Lean function that plays the constructor (`__init__`); methods become
# `Class.method` in camelCase.
CLASS_CONSTRUCTORS = {
    "CubicDerived": "cubicDerived",
    "CaseTables": "mkCaseTables",
    "Coverage": "mkCoverage",
    "InputRule": "mkInputRule",
    "Model": "mkModel",
    "OV": "mkOV",
    "SubcubicChecker": "mkSubcubicChecker",
}
# Mirrored functions that Lean must define earlier than Python does (Lean needs definition before use).
ORDER_EXEMPT = {
    "_running": "used by SubcubicChecker.__init__ (Lean: mkSubcubicChecker), defined after the class in Python",
    "_max_others": "used by CubicDerived.__init__ (Lean: cubicDerived), defined after the class in Python",
    "InputRule._ov": "used by InputRule.__init__ (Lean: mkInputRule)",
    "InputRule._eq": "used by InputRule.__init__ (Lean: mkInputRule)",
    "InputRule._eqk": "used by InputRule.__init__ (Lean: mkInputRule)",
    "InputRule.right_once": "calls InputRule.right, defined after it in Python",
    "InputRule._filter": "used by InputRule.right, defined after it in Python",
    "_grouped": "used by check_input_claims, defined after it in Python",
}
# Helpers only the named strategy's checker uses: exempt while that strategy is unsupported in Lean.
HELPERS_OF = {
    "subcubic": {"shape", "rescale", "mat_add", "zeros", "vecmat", "vec_rescale"},
}
for _strategy, _helpers in HELPERS_OF.items():
    if _strategy in UNSUPPORTED_IN_LEAN:
        NOT_MIRRORED.update({h: f"helper of the {_strategy} checker, which Lean does not support yet" for h in _helpers})


def checker_sources(module: str) -> list[Path]:
    """The files of a checker module in order: `cubic.py`, or for a package (`subcubic.py` → subcubic/) its modules
    in the order its `__init__` imports them (the spec's order, which the Lean file keeps). The core's part
    (checker/) comes before Max-of-K's rules (tasks/maxk/checker/) where a module has both (`inputs.py`)."""
    out = []
    for root in (CHECKER, MAXK_CHECKER):
        package = root / module.removesuffix(".py")
        if not package.is_dir():
            out += [root / module] if (root / module).is_file() else []
            continue
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        parts = [node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module]
        assert sorted(f"{p}.py" for p in parts) == sorted(f.name for f in package.glob("*.py") if f.name != "__init__.py")
        out += [package / f"{p}.py" for p in parts]
    assert out, module
    return out


def python_functions(module: str) -> list[str]:
    """Top-level functions of a checker module in order; a class of CLASS_CONSTRUCTORS contributes its Lean
    constructor name, then `Class.method` for each method."""
    out = []
    for node in (n for path in checker_sources(module) for n in ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.FunctionDef):
            out.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name in CLASS_CONSTRUCTORS:
            out.append(CLASS_CONSTRUCTORS[node.name])
            out += [f"{node.name}.{f.name}" for f in node.body if isinstance(f, ast.FunctionDef) and f.name != "__init__"]
    return out


def lean_name_of(name: str) -> str:
    """`check_cases` → `checkCases`, `Class.attention_bounds` → `Class.attentionBounds`, constructors as is."""
    if "." in name:
        cls, method = name.split(".", 1)
        return f"{cls}.{_camel(method)}"
    if name in CLASS_CONSTRUCTORS.values():
        return name
    return _camel(name)


def test_python_functions_sees_classes():
    names = python_functions("subcubic.py")
    for expected in ("mkModel", "mkOV", "mkSubcubicChecker", "SubcubicChecker.attention_bounds", "_running", "frac"):
        assert expected in names
    assert names.index("mkSubcubicChecker") < names.index("SubcubicChecker.gaps") < names.index("_running")
    assert lean_name_of("SubcubicChecker.attention_bounds") == "SubcubicChecker.attentionBounds"
    assert lean_name_of("CubicDerived.U") == "CubicDerived.U"
    assert lean_name_of("_running") == "running" and lean_name_of("mkOV") == "mkOV"


@pytest.mark.parametrize("module", ["arith.py", "failures.py", "matrices.py", "inputs.py", "cubic.py", "subcubic.py"])
def test_lean_mirrors_every_python_checker_function(module):
    text = all_lean_text()
    lean_defs = set(re.findall(r"^def\s+([A-Za-z_][\w.]*)", text, re.M))
    missing = []
    for name in python_functions(module):
        if name in NOT_MIRRORED:
            continue
        lean_name = lean_name_of(name)
        if lean_name not in lean_defs:
            missing.append(f"{name} (expected def {lean_name})")
    assert not missing, f"checker/{module}: no Lean counterpart for {missing} (or list them in NOT_MIRRORED)"


@pytest.mark.parametrize(
    ("lean_file", "module"), [("Inputs.lean", "inputs.py"), ("Cubic.lean", "cubic.py"), ("Subcubic.lean", "subcubic.py")]
)
def test_lean_mirror_keeps_python_order(lean_file, module):
    """Within each Lean strategy file, the mirrored functions appear in the Python module's order."""
    text = (LEAN_DIR / "MechProof" / lean_file).read_text(encoding="utf-8")
    names = [
        lean_name_of(n) for n in python_functions(module) if n not in NOT_MIRRORED and n not in ORDER_EXEMPT
    ]
    positions = [text.index(f"def {n} ") for n in names]
    assert positions == sorted(positions), [n for _, n in sorted(zip(positions, names))]


# ---------------------------------------------- transliterations of the Lean arithmetic, run in Python
# Each function below is the Lean definition of the same name written line by line in Python (Nat `/` is
# `//` on non-negative ints, `Int.toNat` is max(·, 0), structural recursion on fuel is a loop). They are
# compared with the Python checker, so a slip in the Lean formulas (not just in their syntax) shows up
# here. test_transliterated_lean_text_is_current ties them to the Lean text.
def lean_bitlen_aux(fuel: int, x: int, n: int) -> int:
    while True:
        if fuel == 0:
            return n
        fuel -= 1
        if x == 0:
            return n
        elif x >= 18446744073709551616:
            x, n = x // 18446744073709551616, n + 64
        elif x >= 256:
            x, n = x // 256, n + 8
        else:
            x, n = x // 2, n + 1


def lean_bitlen(b: int) -> int:
    return lean_bitlen_aux(b, b, 0)


def lean_pow2(k: int) -> int:
    assert k >= 0
    return 2**k


def lean_floor_div(a: int, b: int) -> int:
    d = max(b, 0)
    if 0 <= a:
        return a // d
    return -((abs(a) + d - 1) // d)


def lean_ceil_div(a: int, b: int) -> int:
    return -lean_floor_div(-a, b)


def lean_norm_down(m: int, e: int) -> tuple[int, int]:
    k = lean_bitlen(abs(m)) - 100
    return (lean_floor_div(m, lean_pow2(k)), e + k) if 0 < k else (m, e)


def lean_norm_up(m: int, e: int) -> tuple[int, int]:
    k = lean_bitlen(abs(m)) - 100
    return (lean_ceil_div(m, lean_pow2(k)), e + k) if 0 < k else (m, e)


def lean_exp_bounds(x: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    exp_p, exp_q, exp_n = 100, 128, 24
    a, f = x
    if a == 0:
        return (1, 0), (1, 0)
    b = abs(a)
    s0 = lean_bitlen(abs(a)) + f + 4
    s = s0 if 0 < s0 else 0
    h = f - s + exp_q
    y_lo = b * lean_pow2(h) if 0 <= h else lean_floor_div(b, lean_pow2(-h))
    y_hi = b * lean_pow2(h) if 0 <= h else lean_ceil_div(b, lean_pow2(-h))
    one = lean_pow2(exp_q)
    tl, th, s_lo, s_hi = one, one, 0, 0
    for i0 in range(exp_n + 1):
        i = i0 + 1
        s_lo += tl
        s_hi += th
        tl = lean_floor_div(tl * y_lo, i * one)
        th = lean_ceil_div(th * y_hi, i * one)
    s_hi += 2 * th
    lo, hi = (s_lo, -exp_q), (s_hi, -exp_q)
    for _ in range(max(s, 0)):
        lo = lean_norm_down(lo[0] * lo[0], 2 * lo[1])
        hi = lean_norm_up(hi[0] * hi[0], 2 * hi[1])
    if 0 < a:
        return lo, hi
    l_hi = lean_bitlen(abs(hi[0])) + exp_p
    l_lo = lean_bitlen(abs(lo[0])) + exp_p
    return (lean_floor_div(lean_pow2(l_hi), hi[0]), -l_hi - hi[1]), (lean_ceil_div(lean_pow2(l_lo), lo[0]), -l_lo - lo[1])


def lean_valuation_aux(fuel: int, x: int, v: int) -> tuple[int, int]:
    while fuel > 0 and x % 2 == 0:
        fuel, x, v = fuel - 1, x // 2, v + 1
    return x, v


def lean_fits_float32(m: int, e: int) -> bool:
    if m == 0:
        return True
    odd, v = lean_valuation_aux(abs(m), abs(m), 0)
    e1 = e + v
    bits = lean_bitlen(odd)
    return bits <= 24 and -149 <= e1 and e1 + bits <= 128


def lean_binom(n: int, k: int) -> int:
    if n < k:
        return 0
    r = 1
    for i in range(k):
        r = r * (n - i) // (i + 1)
    return r


def lean_sorted_positions(score: list[int], count: int) -> list[int]:
    out: list[int] = []
    for p in range(count):
        nxt, placed = [], False
        for r in out:
            if not placed and score[p] < score[r]:
                nxt.append(p)
                placed = True
            nxt.append(r)
        if not placed:
            nxt.append(p)
        out = nxt
    return out


def test_transliterated_lean_text_is_current():
    """The Lean lines the transliterations above follow are still there."""
    arith_text = (LEAN_DIR / "MechProof" / "Arith.lean").read_text(encoding="utf-8")
    exp_text = (LEAN_DIR / "MechProof" / "Exp.lean").read_text(encoding="utf-8")
    parse_text = (LEAN_DIR / "MechProof" / "Parse.lean").read_text(encoding="utf-8")
    cubic_text = (LEAN_DIR / "MechProof" / "Cubic.lean").read_text(encoding="utf-8")
    for needle in (
        "else if x ≥ 18446744073709551616 then bitlenAux fuel (x / 18446744073709551616) (n + 64)",
        "else if x ≥ 256 then bitlenAux fuel (x / 256) (n + 8)",
        "else bitlenAux fuel (x / 2) (n + 1)",
        "def bitlen (b : Nat) : Nat := bitlenAux b b 0",
        "else -(Int.ofNat ((a.natAbs + d - 1) / d))",
        "def ceilDiv (a b : Int) : Int := -(floorDiv (-a) b)",
    ):
        assert needle in arith_text, needle
    for needle in (
        "let s0 : Int := Int.ofNat (bitlen a.natAbs) + f + 4",
        "for i0 in List.range (expN + 1) do",
        "tl := floorDiv (tl * yLo) (i * one)",
        "th := ceilDiv (th * yHi) (i * one)",
        "sHi := sHi + 2 * th",
        "let lHi : Nat := bitlen hi.m.natAbs + expP",
        "return (Dy.mk (floorDiv (pow2 lHi) hi.m) (-(Int.ofNat lHi) - hi.e),",
        "Dy.mk (ceilDiv (pow2 lLo) lo.m) (-(Int.ofNat lLo) - lo.e))",
    ):
        assert needle in exp_text, needle
    assert "decide (bits ≤ 24) && decide (-149 ≤ e1) && decide (e1 + bits ≤ 128)" in parse_text
    assert "r := r * (n - i) / (i + 1)" in cubic_text
    assert "if !placed && decide (score[p]! < score[r]!) then" in cubic_text


def _random_ints(rng, count: int) -> list[int]:
    edges = [0, 1, 2, 3, 255, 256, 257, 2**24 - 1, 2**24, 2**63, 2**64 - 1, 2**64, 2**64 + 1, 2**200, 3 * 2**130 + 7]
    return edges + [rng.getrandbits(rng.randint(1, 400)) for _ in range(count)]


def test_lean_bitlen_floor_ceil_match_python():
    import random

    from mechproof.checker import arith

    rng = random.Random(1)
    for b in _random_ints(rng, 3000):
        assert lean_bitlen(b) == b.bit_length() == arith.bitlen(b)
    for _ in range(3000):
        a = rng.getrandbits(rng.randint(1, 300)) * rng.choice((-1, 1))
        d = rng.getrandbits(rng.randint(1, 200)) + 1
        assert lean_floor_div(a, d) == arith.floor_div(a, d)
        assert lean_ceil_div(a, d) == arith.ceil_div(a, d)


def test_lean_exp_bounds_match_python():
    import random

    from mechproof.checker import arith

    rng = random.Random(2)
    xs = [(0, 0), (1, 0), (-1, 0), (1, -200), (-5, 3), (7, 10), (-7, 10), (3, -1), (2**70 + 1, -64)]
    for _ in range(3000):
        m = rng.getrandbits(rng.randint(1, 130)) * rng.choice((-1, 1))
        e = rng.randint(-200, 2) - (m.bit_length() if rng.random() < 0.5 else 0)
        xs.append((m, e))
    from mechproof.errors import InputError

    for x in xs:
        if arith.exp_in_range(x):
            assert lean_exp_bounds(x) == arith.exp_bounds(x), x
        else:  # docs §6 step 0, §10: both checkers reject as malformed input (Lean: expBoundsE)
            with pytest.raises(InputError, match="exp argument"):
                arith.exp_bounds(x)
    assert sum(arith.exp_in_range(x) for x in xs) > 1500


def test_exp_range_guard_matches_lean():
    """expInRange in Exp.lean is the same test as exp_in_range: bitlen |m| + e ≤ EXP_MAX_LOG2 (12), and out of
    range is malformed input (field `exp argument`), as in Python."""
    from mechproof.checker import arith

    text = (LEAN_DIR / "MechProof" / "Exp.lean").read_text(encoding="utf-8")
    assert re.search(r"def expMaxLog2 : Int := (\d+)", text).group(1) == str(arith.EXP_MAX_LOG2) == "12"
    assert "x.m == 0 || decide (Int.ofNat (bitlen x.m.natAbs) + x.e ≤ expMaxLog2)" in text
    assert 'else Except.error (CheckError.input InputFile.certificate "exp argument"' in text
    for x, ok in [((1, 12), False), ((1, 11), True), ((-(2**12) + 1, 0), True), ((2**12, 0), False), ((0, 10**9), True)]:
        assert arith.exp_in_range(x) is ok, x


def test_lean_float32_binom_sort_match_python():
    import math
    import random

    from mechproof import weights

    rng = random.Random(3)
    cases = [(0, 5), (1, -149), (1, -150), (2**24 - 1, 0), (2**24 + 1, 0), (2**23, 104), (2**23, 105), (-3 * 2**40, -180)]
    cases += [(rng.getrandbits(rng.randint(1, 40)) * rng.choice((-1, 1)), rng.randint(-200, 140)) for _ in range(3000)]
    for m, e in cases:
        assert lean_fits_float32(m, e) == weights._fits_float32(m, e), (m, e)
    for n in range(0, 70):
        for k in range(0, 72):
            assert lean_binom(n, k) == math.comb(n, k)
    for _ in range(500):
        count = rng.randint(0, 12)
        score = [rng.randint(-3, 3) for _ in range(count)]
        assert lean_sorted_positions(score, count) == sorted(range(count), key=lambda p: (score[p], p))


# ------------------------------------------------------------------------------ one name, one declaration
def declared_names(text: str) -> list[str]:
    """Top-level declarations (`def`, `abbrev`, `structure`, `inductive`, `theorem`) and the projections each
    structure declares (`S.field`), as Lean would name them inside the file's namespace."""
    names = re.findall(r"^(?:def|abbrev|structure|inductive|theorem)\s+([A-Za-z_][\w.'!?]*)", text, re.M)
    for m in re.finditer(r"^structure\s+(\w+)\s+where\n((?:  .*\n|\s*\n)*)", text, re.M):
        names += [f"{m.group(1)}.{f}" for f in re.findall(r"^  (\w+)\s*:", m.group(2), re.M)]
    return names


def test_declared_names_detects():
    text = "structure S where\n  a : Nat\n  b : Int\n  deriving Inhabited\n\ndef S.a (s : S) : Nat := 0\ndef f := 1\n"
    assert sorted(declared_names(text)) == ["S", "S.a", "S.a", "S.b", "f"]


def test_no_name_is_declared_twice():
    """Every file of lean/MechProof/ declares into the namespace MechProof, so one name declared in two files (or
    a def named like a structure's field) is an error of `lake build`, found here without Lean."""
    from collections import Counter

    names: list[str] = []
    for path in sorted((LEAN_DIR / "MechProof").rglob("*.lean")):
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^namespace MechProof$", text, re.M), f"{path.relative_to(ROOT)}: not in namespace MechProof"
        names += declared_names(text)
    twice = sorted(n for n, c in Counter(names).items() if c > 1)
    assert not twice, f"declared more than once: {twice}"


# ------------------------------------------------------------------------------ declared before use
def _code_lines(text: str) -> list[str]:
    """The file's lines with comments and string literals blanked (line numbers kept)."""
    text = re.sub(r"/-.*?-/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return [re.sub(r"--.*", "", re.sub(r'"(?:[^"\\]|\\.)*"', '""', ln)) for ln in text.splitlines()]


def _pattern_names(pattern: str) -> set[str]:
    return set(re.findall(r"(?<![\w.'])([a-z_][\w']*)", pattern))


def undeclared_uses(modules: dict[str, str]) -> list[str]:
    """Uses of a MechProof declaration (`def`, `abbrev`, `structure`, `inductive`, `theorem`) that Lean would reject:
    above its declaration in the same file, or in a file that does not import (transitively) the declaring module.
    `modules` maps a module name (`MechProof.X`) to its text. A name the file also binds (a parameter, `let`, `fun`,
    `for` or pattern variable, a structure field) is skipped there, since a local may shadow a declaration."""
    imports = {m: re.findall(r"^import (\S+)", t, re.M) for m, t in modules.items()}

    def visible(m: str) -> set[str]:
        seen: set[str] = set()
        todo = list(imports[m])
        while todo:
            i = todo.pop()
            if i in modules and i not in seen:
                seen.add(i)
                todo += imports[i]
        return seen

    where: dict[str, tuple[str, int]] = {}
    for m, t in modules.items():
        for ln, line in enumerate(_code_lines(t)):
            d = re.match(r"(?:def|abbrev|structure|inductive|theorem)\s+([A-Za-z_][\w.']*)", line)
            if d:
                where[d.group(1)] = (m, ln)
    problems = []
    for m, t in modules.items():
        lines = _code_lines(t)
        code = "\n".join(lines)
        bound: set[str] = set()  # lower-case names bound somewhere in the file (upper case: types, constructors)
        for pattern in re.findall(r"\blet(?: mut)?\s+(.*?)\s*(?::=|←|:(?!=))", code):
            bound |= _pattern_names(pattern)
        for pattern in re.findall(r"(?<!\|)\|(?!\|)\s+(.*?)\s*=>", code):
            bound |= _pattern_names(pattern)
        for binders in re.findall(r"\bfun\s+(.*?)\s*=>", code):
            bound |= _pattern_names(re.sub(r":[^)]*\)", ")", binders))
        bound |= set(re.findall(r"\bfor\s+([a-z_][\w']*)\s+in\b", code))
        for group in re.findall(r"[({]\s*([A-Za-z_][\w' ]*?)\s*:(?!=)", code):
            bound |= set(group.split())
        bound |= set(re.findall(r"^\s+([A-Za-z_][\w']*)\s*:(?!=)", code, re.M))
        vis = visible(m)
        for ln, line in enumerate(lines):
            if re.match(r"(?:def|abbrev|structure|inductive|theorem)\s", line):
                line = re.sub(r"^\S+\s+\S+", "", line)  # the declared name itself
            for name in set(re.findall(r"(?<![\w.'])([A-Za-z_][\w']*(?:\.[A-Za-z_][\w']*)*)", line)):
                hit = next((c for c in (name, name.split(".")[0]) if c in where), None)
                if hit is None or hit in bound:
                    continue
                dm, dl = where[hit]
                if (dm == m and dl > ln) or (dm != m and dm not in vis):
                    problems.append(f"{m}:{ln + 1}: {hit} (declared in {dm}:{dl + 1})")
    return problems


def test_undeclared_uses_detects():
    a = "def f (x : Nat) : Nat := g x\ndef g (x : Nat) : Nat := x\n"
    assert undeclared_uses({"MechProof.A": a}) == ["MechProof.A:1: g (declared in MechProof.A:2)"]
    b = "import MechProof.A\ndef h : Nat := g 1 + c\n"
    c = "def c : Nat := 2\n"
    assert undeclared_uses({"MechProof.A": a[a.index("def g"):], "MechProof.B": b, "MechProof.C": c}) == [
        "MechProof.B:2: c (declared in MechProof.C:1)"
    ]
    shadow = "def f (g : Nat) : Nat := g\ndef g : Nat := 1\n"  # a parameter named like a later declaration
    assert undeclared_uses({"MechProof.A": shadow}) == []


def test_every_name_is_declared_before_use():
    """Lean reads a module top to bottom and sees only what it imports: a declaration used above its own, or from a
    module not imported, is an error of `lake build`, found here without Lean."""
    modules = {
        ".".join(p.relative_to(LEAN_DIR).with_suffix("").parts): p.read_text(encoding="utf-8")
        for p in sorted((LEAN_DIR / "MechProof").rglob("*.lean"))
    }
    assert not undeclared_uses(modules)
