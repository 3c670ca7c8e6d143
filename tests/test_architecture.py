"""The package's shape: arrows only downward, read from the source (every import, the
ones inside functions included), so a cycle or an import of the facade fails here before it
bites someone at import time."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "reluflow"


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name → (file, is a package) for every Python module of the package, the
    proof checks included (``proofs_checks/``, installed as ``reluflow.proofs``)."""
    out = {}
    for root, prefix in ((PACKAGE, ["reluflow"]), (PACKAGE.parents[1] / "proofs_checks", ["reluflow", "proofs"])):
        for f in root.rglob("*.py"):
            parts = prefix + list(f.relative_to(root).with_suffix("").parts)
            package = parts[-1] == "__init__"
            out[".".join(parts[:-1] if package else parts)] = (f, package)
    return out


def _compiled(name: str) -> bool:
    """Whether ``name`` is a compiled extension module (its C source sits beside it)."""
    *pkg, leaf = name.split(".")
    return (PACKAGE.parent.joinpath(*pkg) / f"{leaf}.c").exists()


def _imports(name: str, path: Path, package: bool, modules: dict) -> set[str]:
    """The package modules ``name`` imports anywhere in its body, with the packages whose
    ``__init__`` such an import runs (all but the root, which is always loaded first)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("reluflow"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules or _compiled(sub):
                    found.add(sub)
                else:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("reluflow")}
    with_parents = set()
    for target in found:
        parts = target.split(".")
        with_parents |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
    return {t for t in with_parents if t in modules and t != name and not name.startswith(t + ".")}


def test_the_import_graph_has_no_cycle():
    modules = _modules()
    graph = {name: _imports(name, path, package, modules) for name, (path, package) in modules.items()}
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_nothing_inside_imports_the_facade_or_the_top_level_proof_checks():
    modules = _modules()
    offenders = []
    for name, (path, package) in modules.items():
        if name == "reluflow":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                depth = len(name.split(".")) - (0 if package else 1)
                root = node.module == "reluflow" or (node.level == depth and not node.module)
                names = [a.name for a in node.names]
                if (root and any(f"reluflow.{a}" not in modules for a in names)) or node.module == "proofs_checks":
                    offenders.append(f"{name}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name in ("reluflow", "proofs_checks") for a in node.names):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def _top_level_names(path: Path) -> set[str]:
    """The names a module defines or imports at its top level (what ``from it import x`` finds)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.If, ast.Try)):
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def test_every_import_of_a_package_module_resolves():
    """Relative imports name modules that exist, and names those modules define (imports
    inside functions included: a broken one would only fail when its function first runs)."""
    modules = _modules()
    broken = []
    for name, (path, package) in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = name.split(".") if package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                if target not in modules:
                    if not _compiled(target):
                        broken.append(f"{name}:{node.lineno} imports {target}")
                    continue
                defined = _top_level_names(modules[target][0])
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if alias.name != "*" and sub not in modules and not _compiled(sub) and alias.name not in defined:
                        broken.append(f"{name}:{node.lineno} imports {alias.name} from {target}")
    assert broken == []


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def test_modules_and_functions_stay_small():
    """No module of the package (the proof checks included) over MAX_MODULE_LINES lines, no
    function over MAX_FUNCTION_LINES: split by concern before adding to a crowded one."""
    long = []
    for name, (path, _) in _modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {size} lines")
    assert long == []


def test_the_checker_sees_a_cycle_and_a_facade_import(tmp_path, monkeypatch):
    """The two checks above can fail: a planted cycle (one import inside a function) and
    a planted ``from .. import`` of the facade are both found."""
    pkg = tmp_path / "reluflow"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from .sub import high\n")
    (pkg / "sub" / "high.py").write_text("from .. import low\nfrom .. import Problem\n")
    monkeypatch.setitem(globals(), "PACKAGE", pkg)
    try:
        test_the_import_graph_has_no_cycle()
    except AssertionError as exc:
        assert "reluflow.low" in str(exc) and "reluflow.sub.high" in str(exc)
    else:
        raise AssertionError("the planted cycle was not found")
    try:
        test_nothing_inside_imports_the_facade_or_the_top_level_proof_checks()
    except AssertionError as exc:
        assert "reluflow.sub.high:2" in str(exc)
    else:
        raise AssertionError("the planted facade import was not found")
