"""A small reader of the Coq data that python/mechproof/coqgen.py writes, written independently of coqgen.

It understands exactly the syntax of the generated files: `Definition NAME : TYPE := TERM.` where a term is an
integer, a string, a list `[t; …]`, a record `{| field := t; … |}`, a name defined
earlier, `a ++ b`, and the applications `Some t` and `mk_case q m c kp kn`; constructors
(`None`, `EQKE`, `Cubic`, …) read as their names. `weights(text)` and `certificate(text)` turn a file's `W` and `C`
back into the JSON documents' shape, so that a test can compare them with the files value by value.
"""

from __future__ import annotations

import re
from typing import Any

TOKEN = re.compile(r'"[^"]*"|-?\d+|\{\||\|\}|:=|\+\+|[A-Za-z_][A-Za-z0-9_.\']*|\S')
COMMENT = re.compile(r"\(\*.*?\*\)", re.S)


def _tokens(text: str) -> list[str]:
    """The tokens of a generated file, comments (never nested there) removed; `name.` ending a sentence is split."""
    out = []
    for t in TOKEN.findall(COMMENT.sub(" ", text)):
        if len(t) > 1 and t[-1] == "." and t[0].isalpha():
            out += [t[:-1], "."]
        else:
            out.append(t)
    return out


class _Parser:
    def __init__(self, toks: list[str], env: dict[str, Any]) -> None:
        self.toks, self.i, self.env = toks, 0, env

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expect: str | None = None) -> str:
        t = self.toks[self.i]
        if expect is not None and t != expect:
            raise ValueError(f"expected {expect!r}, got {t!r}")
        self.i += 1
        return t

    def term(self) -> Any:
        left = self.app()
        while self.peek() == "++":
            self.take()
            left = left + self.app()
        return left

    def app(self) -> Any:
        head = self.peek()
        if head == "Some":
            self.take()
            return ("Some", self.atom())
        if head == "mk_case":
            self.take()
            return [self.atom() for _ in range(5)]
        return self.atom()

    def atom(self) -> Any:
        t = self.take()
        if re.fullmatch(r"-?\d+", t):
            return int(t)
        if t.startswith('"'):
            return t[1:-1]
        if t == "(":
            v = self.term()
            self.take(")")
            return v
        if t == "[":
            items = []
            while self.peek() != "]":
                items.append(self.term())
                if self.peek() == ";":
                    self.take()
            self.take("]")
            return items
        if t == "{|":
            rec = {}
            while self.peek() != "|}":
                name = self.take()
                self.take(":=")
                rec[name] = self.term()
                if self.peek() == ";":
                    self.take()
            self.take("|}")
            return rec
        return self.env.get(t, t)  # a defined name, or a constructor


def definitions(text: str) -> dict[str, Any]:
    """Every `Definition name : type := term.` of a generated file, evaluated."""
    env: dict[str, Any] = {}
    toks = _tokens(text)
    i = 0
    while i < len(toks):
        if toks[i] != "Definition":
            i += 1
            continue
        name = toks[i + 1]
        j = toks.index(":=", i)
        end = j + 1
        depth = 0
        while not (toks[end] == "." and depth == 0):  # the term ends at the first top-level '.'
            if toks[end] in ("[", "{|", "("):
                depth += 1
            elif toks[end] in ("]", "|}", ")"):
                depth -= 1
            end += 1
        p = _Parser(toks[j + 1 : end], env)
        env[name] = p.term()
        i = end + 1
    return env


def _option(v: Any) -> Any:
    return None if v == "None" else v[1]


def weights(env: dict[str, Any], name: str = "W") -> dict[str, Any]:
    """`W` as the weights file's `config` and `tensors` (exponent and mantissas)."""
    w = env[name]
    tensors = {t: {"exponent": w[t]["exponent"], "mantissas": w[t]["mantissas"]} for t in ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U")}
    return {"config": w["cfg"], "tensors": tensors}


def certificate(env: dict[str, Any], name: str = "C") -> dict[str, Any]:
    """`C` in the shape of the certificate JSON (the fields the Coq data holds)."""
    c = env[name]
    strategy = {"Cubic": "cubic", "CubicResidual": "cubic+residual", "Subcubic": "subcubic"}[c["strategy_name"]]
    inv = c["inv_sqrt_d_head"]
    claims: dict[str, Any] = {"inv_sqrt_d_head": {"lo": inv["is_lo"], "hi": inv["is_hi"], "exp": inv["is_exp"]}}
    for claim in ("exp_eqke", "exp_eqkp"):
        e = c[claim]
        claims[claim] = {"of": e["ec_of"], "exp": e["ec_exp"], "lo": e["ec_lo"], "hi": e["ec_hi"]}
    claims["cases"] = {"entries": c["cases"]}
    residual = _option(c["residual"])
    if residual is not None:
        claims["residual"] = {"inputs": residual}
    wrong = _option(c["wrong"])
    if wrong is not None:
        claims["wrong"] = {"inputs": wrong["wr_inputs"], "witness": wrong["wr_witness"]}
    b = c["cert_bound"]
    bound = {"correct": b["correct"], "total": b["total"]}
    if _option(b["upper"]) is not None:
        bound["upper"] = _option(b["upper"])
    return {"version": c["version"], "config": c["cert_config"], "strategy": strategy, "claims": claims, "bound": bound}
