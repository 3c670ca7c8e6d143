"""Hostile input for the command line: SPEC files and options a careless or hostile user
might give, and a runner that classifies what the CLI made of each.

:func:`cases` draws :class:`Case` s — numbers no parser should build (``1e1000000000``),
values of the wrong type, broken structure, broken files (invalid UTF-8, nesting 100,000
deep, 5,000-digit integer literals), out-of-range options, and extreme but valid input
(λ = 1, λ = 1e-1000, a duplicated point, all-zero labels).  :func:`run` executes one in a
forked child with a time and memory limit and sorts the outcome into :data:`CATEGORIES`.
``bench/fuzz.py`` runs thousands; ``tests/test_hostile_inputs.py`` a sample.  Written here
rather than with Hypothesis because the runner needs whole files and process isolation
(a hang or an out-of-memory crash must not take the test run with it).

>>> cs = cases(40, seed=1)
>>> len(cs), sorted({c.expect for c in cs}) == ["either", "reject"]
(40, True)
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CATEGORIES", "Case", "Outcome", "cases", "run"]

CATEGORIES = ("clear error", "ok", "slow rejection", "accepted wrongly", "traceback", "hang")
REJECT_SECONDS = 1.0  # a rejection must come within this

_BASE = {"data": {"X": [[1, 0], [0, 1]], "y": [1, "-0.5"]}, "init": {"lambda": "1e-20", "width": 3, "seed": 0}}
_TAUGHT = {
    "data": {"X": [[1, 0, 0], ["0.6", "0.8", 0], [0, "0.6", "0.8"]], "teacher": ["0.6", "0.8", 0]},
    "init": {"lambda": "1e-20", "z": [[1, "0.5", 0], ["-0.3", 1, "0.2"]], "s": [1, -1]},
}

# a value no numeric field accepts; RAW(...) is written into the file verbatim
_BAD = [
    "nan",
    "inf",
    "-inf",
    "",
    " ",
    "abc",
    "1/0",
    "0/0",
    "1//2",
    "0x10",
    "1e1000000000",
    "1e-1000000",
    "-1e1000000000",
    "1e400000",
    "1" * 1200,
    "1/" + "7" * 5000,
    None,
    True,
    [],
    {},
    [[1]],
    {"a": 1},
    ("RAW", "1e1000000000"),
    ("RAW", "9" * 5000),
    ("RAW", "-" + "9" * 5000),
    ("RAW", "1e99999"),
    "1e99999",
]
# numbers that some fields accept and others refuse
_EITHER = [
    "1e-20",
    "1e-400",
    "1e-100000",
    "-0",
    0,
    -1,
    2,
    1.5,
    "3/7",
    "1e-30",
    10**30,
    "1e101",
    "1e-101",
    "1e100",
    "1e-100",
    "0.1",
    "  2  ",
    "1_000",
    "-1e-5",
    "1e3",
    "1",
    1,
]
_OPTIONS_BAD = {
    "--dps": ["0", "-5", "14", "10000", "1000000", "abc", "1e3"],
    "--digits": ["0", "-5", "5000", "1000000", "x"],
    "--t-end": ["1e1000000000", "-1", "0", "nan", "abc", "1e-1000000", "inf", "1/0"],
    "--loss-below": ["0", "-1", "abc", "1e1000000000", "1e-1000000", "nan"],
}
_OPTIONS_EITHER = {
    "--t-end": ["1e9", "1e-30", "1e5", "2.5"],
    "--loss-below": ["1e-100", "1e-3", "10"],
    "--digits": ["15", "60", "300"],
    "--dps": ["15", "40"],
}


@dataclass(frozen=True)
class Case:
    """One hostile input: CLI arguments (``{spec}`` stands for the file), the file's bytes
    (None: the path is missing, ``b"<dir>"``: a directory), and whether it must be refused."""

    kind: str
    args: tuple[str, ...]
    content: bytes | None
    suffix: str
    expect: str  # "reject" (exit 2 within REJECT_SECONDS) or "either" (any honest end)


@dataclass(frozen=True)
class Outcome:
    case: Case
    category: str
    code: int | None
    seconds: float
    tail: str


def _json(spec) -> str:
    raws: list[str] = []

    def enc(v):
        if isinstance(v, tuple) and len(v) == 2 and v[0] == "RAW":
            raws.append(v[1])
            return f"__RAW{len(raws) - 1}__"
        if isinstance(v, dict):
            return {k: enc(x) for k, x in v.items()}
        if isinstance(v, list):
            return [enc(x) for x in v]
        return v

    text = json.dumps(enc(spec))
    for i, raw in enumerate(raws):
        text = text.replace(f'"__RAW{i}__"', raw)
    return text


def _toml_value(v) -> str:
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "RAW":
        return v[1]
    if v is None:
        return "null"  # not TOML: the file must be refused
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v) if v.bit_length() < 10000 else "0"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml(spec) -> str:
    if not isinstance(spec, dict) or not all(isinstance(t, dict) for t in spec.values()):
        return _json(spec)  # not representable as TOML tables: the parser must refuse it
    return "\n".join(
        f"[{name}]\n" + "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in table.items())
        for name, table in spec.items()
    )


def _copy(spec):
    return json.loads(json.dumps(spec))


def _numeric_paths(spec) -> list[tuple]:
    paths = []
    for name, table in spec.items():
        for key, v in table.items():
            if isinstance(v, list):
                for i, row in enumerate(v):
                    paths += [(name, key, i, j) for j in range(len(row))] if isinstance(row, list) else [(name, key, i)]
            else:
                paths.append((name, key))
    return paths


def _set(spec, path, value):
    node = spec
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _command(rng: random.Random, taught: bool) -> tuple[str, ...]:
    pick = rng.random()
    if pick < 0.55:
        return ("solve", "{spec}", "--t-end", "30")
    if pick < 0.8:
        return ("predict", "{spec}", "--paper", "single-neuron" if taught else "orthogonal")
    return ("interpolate", "{spec}")


def _structure(rng: random.Random, spec: dict) -> tuple[str, object]:
    """A broken structure (always refused)."""
    data, init = spec["data"], spec["init"]
    moves = [
        ("drop data", lambda: spec.pop("data")),
        ("drop init", lambda: spec.pop("init")),
        ("drop X", lambda: data.pop("X")),
        ("drop lambda", lambda: init.pop("lambda")),
        ("unknown table", lambda: spec.update(extra={"a": 1})),
        ("unknown key", lambda: data.update(Z=[1])),
        ("data not a table", lambda: spec.update(data=[1, 2])),
        ("X a string", lambda: data.update(X="[[1]]")),
        ("X empty", lambda: data.update(X=[])),
        ("X empty row", lambda: data.update(X=[[]])),
        ("X ragged", lambda: data.update(X=[[1, 0], [1]])),
        ("X nested", lambda: data.update(X=[[[1], [0]], [[0], [1]]])),
        ("X zero row", lambda: data.update(X=[[0] * len(data["X"][0])] + data["X"][1:])),
        ("X too large", lambda: data.update(X=[[1] * 400 for _ in range(400)])),
        ("y wrong length", lambda: data.update(y=[1])),
        ("y a table", lambda: data.update(y={"a": 1})),
        ("both z and width", lambda: init.update(width=3, z=[[1, 0]], s=[1])),
        ("z wrong d", lambda: init.update(z=[[1, 0, 0, 0]], s=[1]) if "z" in init else init.update(width=2, seed=-1)),
        ("width 0", lambda: init.update(width=0) if "width" in init else init.update(s=[])),
        ("width 1e9", lambda: init.update(width=10**9) if "width" in init else init.update(s=[1] * 10**5)),
        ("seed huge", lambda: init.update(seed=2**200) if "seed" in init else init.update(s=[2, 1])),
        ("teacher zero", lambda: data.update(teacher=[0] * len(data["X"][0]), y=None) or data.pop("y")),
    ]
    name, move = rng.choice(moves)
    move()
    return name, spec


def _file_case(rng: random.Random, args: tuple[str, ...]) -> Case:
    good = _toml(_BASE).encode()
    kinds = [
        ("invalid UTF-8", good[:20] + b"\xff\xfe\x80" + good[20:], ".toml"),
        ("empty file", b"", ".toml"),
        ("NUL bytes", b"\x00" * 64, ".toml"),
        ("binary garbage", bytes(rng.randrange(256) for _ in range(256)), ".json"),
        ("truncated", good[: len(good) // 2], ".toml"),
        ("truncated JSON", _json(_BASE).encode()[:30], ".json"),
        ("JSON as TOML", _json(_BASE).encode(), ".toml"),
        ("deep nesting", (b'{"data": {"X": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"), ".json"),
        ("deep nesting TOML", b"[data]\nX = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", ".toml"),
        ("missing file", None, ".toml"),
        ("a directory", b"<dir>", ".toml"),
        ("file over 4 MiB", good + b"#" * (5 * 2**20), ".toml"),
    ]
    name, content, suffix = rng.choice(kinds)
    parses = name.startswith("truncated") and args[0] == "interpolate"  # [data] may survive the cut
    return Case(f"file: {name}", args, content, suffix, "either" if parses else "reject")


def _one(rng: random.Random) -> Case:
    taught = rng.random() < 0.3
    base = _copy(_TAUGHT if taught else _BASE)
    args = _command(rng, taught)
    roll = rng.random()
    if roll < 0.12:
        return _file_case(rng, args)
    suffix = rng.choice([".toml", ".json"])
    write = (lambda s: _toml(s).encode()) if suffix == ".toml" else (lambda s: _json(s).encode())
    if roll < 0.45:  # one numeric field
        path = rng.choice(_numeric_paths(base))
        bad = rng.random() < 0.6
        value = rng.choice(_BAD if bad else _EITHER)
        _set(base, path, value)
        field = ".".join(str(p) for p in path)
        unread = args[0] == "interpolate" and path[0] == "init"  # interpolate reads [data] only
        return Case(f"number: {field}", args, write(base), suffix, "reject" if bad and not unread else "either")
    if roll < 0.65:
        name, spec = _structure(rng, base)
        unread = args[0] == "interpolate" and (
            name.startswith(("z ", "width", "seed", "both", "drop init", "drop lambda"))
        )
        return Case(f"structure: {name}", args, write(spec), suffix, "either" if unread else "reject")
    if roll < 0.9:  # an option
        cmd = args[0]
        if cmd == "solve":
            bad = rng.random() < 0.6
            opt = rng.choice(sorted(_OPTIONS_BAD if bad else _OPTIONS_EITHER))
            val = rng.choice((_OPTIONS_BAD if bad else _OPTIONS_EITHER)[opt])
            rest = ("solve", "{spec}") + (("--t-end", "30") if opt != "--t-end" else ())
            return Case(f"option: solve {opt}", rest + (opt, val), write(base), suffix, "reject" if bad else "either")
        if cmd == "predict":
            val = rng.choice(["0", "-1", "4", "10000", "abc"])
            return Case("option: predict --dps", args + ("--dps", val), write(base), suffix, "reject")
        val = rng.choice(["0", "-5", "1000000", "1e3"])
        return Case("option: interpolate --digits", args + ("--digits", val), write(base), suffix, "reject")
    extreme = [  # valid but extreme: any honest end
        ("λ = 1", {"init": {"lambda": 1}}),
        ("λ = 1e-3", {"init": {"lambda": "1e-3"}}),
        ("λ = 1e-1000", {"init": {"lambda": "1e-1000"}}),
        ("X entry 1e-20", {"data": {"X": [[1, 0], [0, "1e-20"]]}}),
        ("duplicated point", {"data": {"X": [[1, 0], [1, 0], ["0.5", 1]]}}),
        ("all-zero labels", {"data": {"y": [0] * len(base["data"]["X"])}}),
        ("repeated eigenvalue", {"data": {"X": [["0.6", "0.2", "0.2"], ["0.2", "0.6", "0.2"], ["0.2", "0.2", "0.6"]]}}),
        ("n > d", {"data": {"X": [[1, 0], [0, 1], [1, 1]]}}),
    ]
    name, patch = rng.choice(extreme)
    for table, values in patch.items():
        base[table].update(values)
    d = len(base["data"]["X"][0])
    if "teacher" in base["data"]:
        base["data"]["teacher"] = (base["data"]["teacher"] + [0] * d)[:d]
        base["data"].pop("y", None) if "y" not in patch.get("data", {}) else base["data"].pop("teacher")
    if "y" in base["data"]:
        base["data"]["y"] = (base["data"]["y"] + [1] * len(base["data"]["X"]))[: len(base["data"]["X"])]
    if "z" in base["init"]:
        base["init"]["z"] = [(row + [1] * d)[:d] for row in base["init"]["z"]]
    return Case(f"extreme: {name}", args, write(base), suffix, "either")


def cases(n: int, seed: int = 0) -> list[Case]:
    """``n`` hostile cases drawn reproducibly from ``seed``."""
    rng = random.Random(seed)
    return [_one(rng) for _ in range(n)]


def _child(args: list[str], out: str, memory: int) -> None:  # pragma: no cover (runs in the fork)
    code = 99
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        from .cli import app

        app(args, prog_name="reluflow")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(case: Case, *, timeout: float = 20.0, memory_gib: float = 4.0) -> Outcome:
    """Run ``case`` through the CLI in a forked child (POSIX) and classify the outcome."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / f"spec{case.suffix}"
        if case.content == b"<dir>":
            spec.mkdir()
        elif case.content is not None:
            spec.write_bytes(case.content)
        out = Path(tmp) / "out.txt"
        args = [a.replace("{spec}", str(spec)) for a in case.args]
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            _child(args, str(out), int(memory_gib * 2**30))
        code = None
        while time.perf_counter() - start < timeout:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.005)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        seconds = time.perf_counter() - start
        text = out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""
    return Outcome(case, _category(case, code, seconds, text), code, seconds, text[-600:])


def _category(case: Case, code: int | None, seconds: float, text: str) -> str:
    if code is None:
        return "hang"
    if code not in (0, 1, 2) or "Traceback" in text:
        return "traceback"
    if code == 2:
        return "clear error" if seconds < REJECT_SECONDS else "slow rejection"
    return "accepted wrongly" if case.expect == "reject" else "ok"
