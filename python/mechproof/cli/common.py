"""The Typer application every command module registers on, and what they share: the guard that maps
exceptions to exit codes (2 bad input, 1 false claim, 3 internal error), the consoles, output-path and
thread options."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand

from ..errors import InputError


def _internal(e: Exception, report_with: str) -> str:
    return f"internal error: {type(e).__name__}: {e} — please report this with {report_with}"


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command so that no exception ends in a traceback or in an exit code that reads as a verdict:
    InputError exits 2 (so a command may simply raise it), ClaimFailure 1, anything unexpected 3."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise
        except InputError as e:
            _fail_input(e)
        except Exception as e:
            from ..checker import ClaimFailure

            if isinstance(e, ClaimFailure):
                err.print(f"FAIL {e}", highlight=False, markup=False)
                raise typer.Exit(1) from None
            message = _internal(e, "the command line and its input files")
            err.print(message, highlight=False, markup=False, style="red")
            raise typer.Exit(3) from None

    return run


_VALUE_NAMES = {"int": "INTEGER", "float": "FLOAT", "str": "TEXT", "Path": "PATH"}


class _Command(TyperCommand):
    """A command whose help names each value as a word (MODEL, PATH, INTEGER) rather than by its Python
    annotation (`<str>`, `<list[Path]>`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is not None or getattr(param, "is_flag", False):
                continue
            if isinstance(param, TyperArgument):  # its name says what it is; Typer would add `<type>` beside it
                param.metavar = (param.name or "value").upper()
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
            else:
                param.metavar = _VALUE_NAMES.get(param.bare_type(), param.bare_type().upper())


class _GuardedTyper(typer.Typer):
    """A Typer whose every command, including ones added later, runs under `_guarded` and names its values
    plainly in its help."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        kwargs.setdefault("cls", _Command)
        register = super().command(*args, **kwargs)
        return lambda f: register(_guarded(f))


app = _GuardedTyper(
    help=(
        "Machine-checked lower bounds on the accuracy of small transformers: one-layer Max-of-K models and two-layer "
        "induction heads (docs/certificate.md §11).\n\n"
        "Models are referred to by name (seed42 → models/seed42.json, trained on demand; ind6-seed0 is the induction "
        "task's, the two tasks' names being distinct) or by path (seed42.json, models/x.json: a file, never trained). "
        "certify writes to out/certificates/<model>/, next to an exact copy of the weights; certificates/ holds the "
        "committed ones."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # help is plain text: `[cluster]` or `case[q,m,c]` is not markup, and paragraphs rewrap
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _text(s: str) -> str:
    """A message for the terminal: characters that are not printable (newlines, escape sequences, lone
    surrogates), which a hostile file can put into a key, a name or a file name, are shown escaped, so one
    report stays one line and cannot rewrite the lines before it."""
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)


def _fail_input(e: InputError) -> None:
    err.print(_text(f"error: {e}"), markup=False, highlight=False, style="red")
    raise typer.Exit(2)


def _check_output(path: Path, option: str, folder: bool = False) -> None:
    """Refuse, before any work is done, an output path that cannot be written: a folder where a file is
    wanted, or a file where a folder is (the path itself or one above it)."""
    if not folder and path.is_dir():
        raise InputError(None, option, f"{path} is a folder; expected a file name, e.g. {path / 'name.json'}")
    for p in (path, *path.parents) if folder else path.parents:
        if p.exists():
            if not p.is_dir():
                raise InputError(None, option, f"{p} is a file; expected a folder there (to write {path})")
            break


# benchmarks/threads.py on 2 cores, brute force of seed 42: 1 thread 1.8 s idle, 2.4 s beside one busy process;
# 2 threads 4.3 s idle, 52 s beside one busy process, 44-149 s on a machine shared with other jobs.
DEFAULT_THREADS = 1


def _threads_option() -> Any:
    return typer.Option(
        DEFAULT_THREADS,
        min=1,
        help="torch CPU threads for brute force (induction: worker processes for brute force and proving). More "
        "than the free cores slows it down many times over; training always uses one (for byte-identical weights).",
    )


def _set_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def _print_json(doc: Any) -> None:
    """One JSON document on stdout, without rich markup, for scripts and CI."""
    print(json.dumps(doc, indent=2))


def _named_config(name: str) -> Any:
    """The ModelConfig of a `--config` name; an unknown name is bad input naming the option."""
    from ..tasks.maxk.config import UnknownConfig, named_config

    try:
        return named_config(name)
    except UnknownConfig as e:
        raise InputError(None, "--config", str(e)) from None


def _config_names() -> str:
    from ..tasks.maxk.config import CONFIGS

    return ", ".join(f"{name} (K={c.n_ctx}, V={c.d_vocab})" for name, c in CONFIGS.items())


def print_estimate(path: Any, est: Any, confidence: float, sample_seed: int, as_json: bool) -> None:
    """An accuracy estimate (either task's AccuracyEstimate): every line and field says it is not certified."""
    if as_json:
        print(json.dumps({"model": str(path), **est.to_json()}))
        return
    out.print(
        f"{path}: ESTIMATE, not certified: {est.correct}/{est.samples} uniform random inputs correct "
        f"(sample accuracy {est.accuracy:.6f}); {100 * confidence:g}% Clopper–Pearson interval for the "
        f"accuracy [{est.low:.6f}, {est.high:.6f}] (sample seed {sample_seed}; {est.settled} settled "
        f"exactly, {est.ties} ties) in {est.seconds:.1f} s",
        highlight=False,
    )


def finish_sweep(interrupted: bool, failures: list[str]) -> None:
    """A sweep's last lines and exit code (either task): each failure, then 130 if interrupted, 1 if any failed."""
    for line in failures:
        err.print(line, highlight=False, markup=False)
    if interrupted:
        err.print("interrupted: only complete rows were kept; rerun the same command to resume", highlight=False)
        raise typer.Exit(130)
    if failures:
        raise typer.Exit(1)
