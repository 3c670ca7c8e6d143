"""``reluflow check --explain ID``: everything about one claim in one place — statement,
the spec results it rests on, its default instance, its typed tolerance (the rule the verdict
is decided by) and the spec's notion, where its code
is, the code itself (the exact rule) and the helpers that rule calls, each with its place.

>>> print(explain("O1").splitlines()[0])
O1 (orthogonal): a_j² − ‖w_j‖² is constant (0 for balanced initialisation) and sign a_j(t) = s_j
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

from ..problem import ProblemError
from .core import FIXTURES, REGISTRY, Claim

__all__ = ["explain", "find"]

_ROOT = Path(__file__).resolve().parents[1]  # the package folder: places are shown relative to it


def find(claim_id: str) -> Claim:
    """The registered claim ``claim_id`` (case-insensitive), or a ProblemError listing the ids."""
    for c in REGISTRY:
        if c.id.lower() == claim_id.strip().lower():
            return c
    raise ProblemError("explain", f"unknown claim id {claim_id!r}; known: {', '.join(c.id for c in REGISTRY)}")


def _place(obj) -> str:
    path = Path(inspect.getsourcefile(obj) or "?").resolve()
    shown = f"reluflow/{path.relative_to(_ROOT)}" if path.is_relative_to(_ROOT) else str(path)
    return f"{shown}:{inspect.getsourcelines(obj)[1]}"


def _theory_methods(paper: str) -> dict:
    """Methods of the paper's prediction classes by name (what ``pr.name(...)`` calls)."""
    module = importlib.import_module(f"reluflow.theory.{paper.replace('-', '_')}")
    return {
        name: fn
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__.startswith(module.__name__)
        for name, fn in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("__")
    }


def _helpers(fn, paper: str) -> list[str]:
    """The package functions the claim's body calls (by name, or as methods of the theory's
    prediction), with their place and summary."""
    methods = _theory_methods(paper)
    out, seen = [], set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(fn)))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            name, obj = node.func.id, fn.__globals__.get(node.func.id)
        elif isinstance(node.func, ast.Attribute):
            name, obj = node.func.attr, methods.get(node.func.attr)
        else:
            continue
        if name in seen or name == "claim" or not inspect.isfunction(obj) or obj is fn:
            continue
        seen.add(name)
        if obj.__module__.startswith("reluflow."):
            doc = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
            out.append(f"  {name} — {_place(obj)}" + (f": {doc}" if doc else ""))
    return out


def _parts(tol) -> list:
    """The distinct tolerance kinds a claim's tolerance is made of (an ``All`` lists several)."""
    out = []
    for t in getattr(tol, "parts", (tol,)):
        if type(t) not in [type(o) for o in out]:
            out.append(t)
    return out


def explain(claim_id: str) -> str:
    """The explanation of one claim as plain text (see the module docstring)."""
    c = find(claim_id)
    fixture = FIXTURES.get(c.instance)
    about = (inspect.getdoc(fixture) or "").split("\n\n")[0].replace("\n", " ") if fixture else ""
    parts = [
        f"{c.id} ({c.paper}): {c.statement}",
        f"source:    {c.source} (spec {'orthogonal_inputs' if c.paper == 'orthogonal' else 'single_neuron'}.md)",
        f"instance:  {c.instance}" + (f" — {about}" if about else ""),
        f"tolerance: {c.tolerance!r}",
        f"           {c.tolerance.describe()}",
        *([f"notion:    {c.notion}"] if c.notion != c.tolerance.describe() else []),
        f"code:      {_place(c.fn)}",
        "judged by: " + ", ".join(f"{type(t).__name__} — {_place(type(t))}" for t in _parts(c.tolerance)),
        "",
        "the rule (the claim's code):",
        textwrap.indent(textwrap.dedent(inspect.getsource(c.fn)).rstrip(), "  "),
    ]
    helpers = _helpers(c.fn, c.paper)
    if helpers:
        parts += ["", "helpers it calls:", *helpers]
    return "\n".join(parts)
