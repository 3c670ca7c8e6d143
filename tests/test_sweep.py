"""Sweeps: grid expansion, canonical keys, the run store (atomic, corruption detected),
resuming after SIGKILL, identical bytes for 1, 2 and Dask workers, collect, the CLI."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import reluflow
from reluflow import ProblemError, Trajectory, solve
from reluflow.cli.sweep import register
from reluflow.sweep import (
    AXES,
    COLUMNS,
    SCHEMA,
    VOLATILE_METADATA,
    CorruptRun,
    RunSpec,
    Store,
    atomic_write,
    collect,
    expand,
    load_grid,
    parse_grid,
    run,
    spec_hash,
)
from reluflow.sweep import runner as runner_module

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_GRID = ROOT / "examples" / "sweep_grid.toml"
DATA = {"X": [[1, 0, 0, 0], [0, 1, 0, 0]], "y": [1, "-0.5"]}  # examples/two_points.toml
BASE = {"data": DATA, "init": {"width": 2}, "solve": {"t_end": 6, "digits": 20}}
SPAWN = get_context("spawn")


def tiny(lams=("1e-10", "1e-20"), seeds=(0, 1), **solve_opts) -> tuple[RunSpec, ...]:
    base = {**BASE, "solve": {**BASE["solve"], **solve_opts}}
    return expand(base, {"lambda": list(lams), "seed": list(seeds)})


def files(store: Store) -> dict[str, bytes]:
    """Every file of the keyed part of a store (runs/), by name."""
    return {p.name: p.read_bytes() for p in sorted((store.root / "runs").iterdir())}


def app() -> typer.Typer:
    """A typer app with the sweep command, wired as reluflow.cli wires it."""
    a = typer.Typer(add_completion=False)

    @a.callback()
    def _root() -> None:  # keeps `sweep` a sub-command
        pass

    register(a)
    return a


cli = CliRunner()


# ---- grids -------------------------------------------------------------------------------------------
def test_grid_is_the_cartesian_product_in_a_fixed_order():
    runs = parse_grid(
        {
            "base": {"data": DATA, "init": {}, "solve": {"t_end": 5}},
            "grid": {"digits": [20, 25], "width": [1, 3], "seed": [4, 5], "lambda": ["1e-10", "1e-30"]},
        }
    )
    assert len(runs) == 16
    keys = [(r.lam_text, r.seed, r.width, r.digits) for r in runs]
    assert keys == sorted(keys, key=lambda k: (["1e-10", "1e-30"].index(k[0]), k[1], k[2], k[3]))
    assert keys[:3] == [("1e-10", 4, 1, 20), ("1e-10", 4, 1, 25), ("1e-10", 4, 3, 20)]
    assert len({r.spec_hash for r in runs}) == 16
    assert all(r.t_end == "5" and r.problem.m == r.width for r in runs)
    assert AXES == ("dataset", "lambda", "seed", "width", "digits")


def test_example_grid_file_and_a_base_without_grid(tmp_path):
    runs = load_grid(EXAMPLE_GRID)
    assert len(runs) == 24 and runs[0].lam_text == "1e-10" and (runs[0].seed, runs[0].width) == (0, 2)
    assert [r.lam_text for r in runs[::6]] == ["1e-10", "1e-20", "1e-30", "1e-50"]
    spec = tmp_path / "one.toml"
    spec.write_text(
        (ROOT / "examples" / "two_points.toml")
        .read_text()
        .replace("[data]", "[base.data]")
        .replace("[init]", "[base.init]")
    )
    (one,) = load_grid(spec)
    assert one.canonical()["init"]["z"] == [["3/5", "4/5", "-3/10", "1/5"]] and one.seed is None and one.width == 1


def test_dataset_axis_reads_data_files_relative_to_the_grid(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.toml").write_text("[data]\nX = [[1, 0], [0, 1]]\ny = [1, -0.5]\n")
    (tmp_path / "d" / "b.json").write_text(
        json.dumps({"data": {"X": [[1, 0], [1, 1]], "teacher": [1, 0]}, "init": {"lambda": 1, "z": [[1, 0]], "s": [1]}})
    )
    grid = tmp_path / "g.toml"
    grid.write_text(
        '[base.init]\nlambda = "1e-5"\nwidth = 2\nseed = 0\n[base.solve]\nt_end = 3\n'
        '[grid]\ndataset = ["d/a.toml", "d/b.json"]\nseed = [0, 1]\n'
    )
    runs = load_grid(grid)
    assert [(r.dataset, r.seed) for r in runs] == [("d/a.toml", 0), ("d/a.toml", 1), ("d/b.json", 0), ("d/b.json", 1)]
    assert runs[2].canonical()["data"] == {"X": [["1", "0"], ["1", "1"]], "y": ["1", "1"], "teacher": ["1", "0"]}
    assert runs[0].data_hash != runs[2].data_hash and runs[0].data_hash == runs[1].data_hash


@pytest.mark.parametrize(
    "grid, field",
    [
        ({"grid": {"lambda": "1e-10"}}, "grid.lambda"),
        ({"grid": {"lambda": []}}, "grid.lambda"),
        ({"grid": {"lambda": ["1e-10", -1]}}, "grid.lambda[1]"),
        ({"grid": {"lambda": ["1e-10", "x"]}}, "grid.lambda[1]"),
        ({"grid": {"lambda": ["1e-10", "1E-10"]}}, "grid.lambda[1]"),  # the same number twice
        ({"grid": {"seed": [0, -1]}}, "grid.seed[1]"),
        ({"grid": {"seed": [True]}}, "grid.seed[0]"),
        ({"grid": {"width": [0]}}, "grid.width[0]"),
        ({"grid": {"width": [1.5]}}, "grid.width[0]"),
        ({"grid": {"digits": ["30"]}}, "grid.digits[0]"),
        ({"grid": {"lambdas": [1]}}, "grid.lambdas"),
        ({"grid": {"dataset": ["nope.toml"]}}, "grid.dataset[0]"),
        ({"grid": [1]}, "grid"),
        ({"extra": {}}, "extra"),
        ({"base": None}, "base"),
        ({"base": {"init": {"lambda": 1, "width": 1, "seed": 0}}}, "base.data"),
        ({"base": {"data": DATA, "init": {"width": 1, "seed": 0}}}, "base.init.lambda"),
        ({"base": {"data": DATA, "init": {"lambda": 1, "width": 1}}}, "base.init.seed"),
        (
            {"base": {"data": DATA, "init": {"lambda": 1, "z": [[1, 0, 0, 0]], "s": [1]}}, "grid": {"seed": [1]}},
            "grid.seed",
        ),
        (
            {"base": {"data": {"X": [[1, 0], [1]], "y": [1, 1]}, "init": {"lambda": 1, "width": 1, "seed": 0}}},
            "base.data.X[1]",
        ),
        ({"base": {"data": DATA, "init": {"lambda": 1, "width": 1, "seed": 0, "m": 3}}}, "base.init.m"),
        (
            {"base": {"data": DATA, "init": {"lambda": 1, "width": 1, "seed": 0}, "solve": {"tend": 1}}},
            "base.solve.tend",
        ),
        (
            {"base": {"data": DATA, "init": {"lambda": 1, "width": 1, "seed": 0}, "solve": {"t_end": 0}}},
            "base.solve.t_end",
        ),
        (
            {
                "base": {"data": DATA, "init": {"lambda": "1e-30", "width": 1, "seed": 0}, "solve": {"dps": 20}},
                "grid": {"digits": [10, 30]},
            },
            "grid.digits[1]",
        ),  # dps 20 is too small for 30 digits
        (
            {
                "base": {
                    "data": DATA,
                    "init": {"lambda": "1e-30", "width": 1, "seed": 0},
                    "solve": {"dps": 16, "digits": 15},
                }
            },
            "base.solve.dps",
        ),
    ],
)
def test_bad_grids_name_the_field(grid, field):
    mapping = {"base": {"data": DATA, "init": {"lambda": "1e-10", "width": 1, "seed": 0}}} | grid
    with pytest.raises(ProblemError) as info:
        parse_grid(mapping)
    assert info.value.field == field, str(info.value)
    assert str(info.value).startswith(f"{field}: ")


def test_bad_grid_files(tmp_path):
    with pytest.raises(ProblemError, match="^grid: file"):
        load_grid(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[base\n")
    with pytest.raises(ProblemError, match="^grid: is not valid TOML"):
        load_grid(bad)


# ---- canonical specs and keys --------------------------------------------------------------------
def _reversed(obj):
    if isinstance(obj, dict):
        return {k: _reversed(obj[k]) for k in reversed(list(obj))}
    return obj


def test_same_spec_same_hash_whatever_the_key_order_or_spelling():
    a = RunSpec(
        {"data": {"X": [[1, 0], [0, 1]], "y": [1, "-0.5"]}, "init": {"lambda": "1e-10", "width": 2, "seed": 3}},
        t_end=5,
        digits=20,
    )
    b = RunSpec(
        _reversed(
            {
                "data": {"X": [["1", 0.0], [0, Decimal(1)]], "y": [Fraction(1), "-1/2"]},
                "init": {"lambda": Fraction(1, 10**10), "width": 2, "seed": 3},
            }
        ),
        t_end="5.000",
        digits=20,
    )
    assert a == b and hash(a) == hash(b) and a.spec_hash == b.spec_hash and a.canonical_json == b.canonical_json
    assert len({a, b}) == 1
    assert list(json.loads(a.canonical_json)) == sorted(json.loads(a.canonical_json))  # sorted keys
    # teacher labels written out or derived: one problem, one key
    t1 = RunSpec(
        {"data": {"X": [[1, 1], [-1, 0]], "teacher": ["0.6", "0.8"]}, "init": {"lambda": 1, "width": 1, "seed": 0}}
    )
    t2 = RunSpec(
        {
            "data": {"X": [[1, 1], [-1, 0]], "teacher": ["0.6", "0.8"], "y": ["1.4", 0]},
            "init": {"lambda": 1, "width": 1, "seed": 0},
        }
    )
    assert t1.spec_hash == t2.spec_hash


def test_anything_that_changes_the_run_changes_the_hash():
    base = RunSpec({"data": DATA, "init": {"lambda": "1e-10", "width": 2, "seed": 0}}, t_end=5, digits=20)
    variants = [
        base.vary(lam="1e-20"),
        base.vary(lam="1.0000000001e-10"),
        base.vary(seed=1),
        base.vary(width=3),
        base.vary(digits=21),
        RunSpec(base.spec, t_end=6, digits=20),
        RunSpec(base.spec, t_end=5, digits=20, loss_below="1e-9"),
        RunSpec(base.spec, t_end=5, digits=20, dps=40),
        RunSpec(base.spec, t_end=5),
        base.vary(data={"X": DATA["X"], "y": [1, "-0.50001"]}),
    ]
    hashes = {v.spec_hash for v in variants} | {base.spec_hash}
    assert len(hashes) == len(variants) + 1
    assert base.vary(dataset="label").spec_hash == base.spec_hash  # a label is not part of the spec


def test_version_and_schema_are_in_the_key(monkeypatch):
    s = tiny()[0]
    h = s.spec_hash
    assert h == spec_hash(s) == spec_hash(s, version=reluflow.__version__, schema=SCHEMA)
    assert spec_hash(s, version="9.9.9") != h and spec_hash(s, schema="reluflow.sweep/0") != h
    monkeypatch.setattr(
        importlib.import_module("reluflow.sweep.spec"), "__version__", "9.9.9"
    )  # the key reads it there
    assert RunSpec.from_dict(s.canonical()).spec_hash == spec_hash(s, version="9.9.9") != h


def test_runspec_round_trips_and_solves_like_reluflow_solve():
    s = tiny()[1]
    assert RunSpec.from_json(s.canonical_json) == s and RunSpec.from_dict(s.canonical()) == s
    assert s.problem == s.vary().problem
    tr, ref = s.solve(), solve(s.problem, t_end=6, digits=20)
    d1, d2 = json.loads(tr.to_json()), json.loads(ref.to_json())
    for d in (d1, d2):
        for k in VOLATILE_METADATA:
            d["metadata"].pop(k)
    assert d1 == d2


# ---- the store --------------------------------------------------------------------------------------
def test_atomic_write_replaces_whole_files_and_cleans_up(tmp_path, monkeypatch):
    p = tmp_path / "f.json"
    atomic_write(p, b"old")
    atomic_write(p, b"new")
    assert p.read_bytes() == b"new" and [q.name for q in tmp_path.iterdir()] == ["f.json"]

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(p, b"partial")
    assert p.read_bytes() == b"new" and [q.name for q in tmp_path.iterdir()] == ["f.json"]


def test_store_put_get_load_and_lossless_trajectory(tmp_path):
    store = Store(tmp_path / "s")
    s = tiny()[0]
    tr = s.solve()
    rec = store.put(s, tr, meta={"note": "x"})
    assert rec == store.get(s) == store.get(s.spec_hash) and s in store and len(store) == 1
    assert list(store.keys()) == [s.spec_hash]
    assert rec.status == "t_end" and rec.ok and rec.final_loss == json.loads(tr.to_json())["loss"]
    packed = store.trajectory_path(s).read_bytes()
    text = gzip.decompress(packed).decode()
    assert len(packed) * 2 < len(text)  # stored compressed, read back transparently
    back = store.load(s)
    assert isinstance(back, Trajectory) and back.to_json(dense=True) == text  # lossless, byte for byte
    assert back.loss("3.5") == tr.loss("3.5") and back.events == tr.events
    meta = json.loads(text)["metadata"]
    assert not set(VOLATILE_METADATA) & set(meta) and meta["reluflow"] == reluflow.__version__
    info = store.meta(s)
    assert info["note"] == "x" and set(info["solve"]) == set(VOLATILE_METADATA)
    record = json.loads(store.record_path(s).read_text())
    assert record["schema"] == SCHEMA and record["spec"] == s.canonical() and record["spec_hash"] == s.spec_hash
    with pytest.raises(KeyError):
        store.load(tiny()[1])
    with pytest.raises(ProblemError, match="^spec:"):
        store.get("not-a-key")


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])


def _flip(p: Path) -> None:  # same length, one digit changed: only the hash can tell
    b = bytearray(p.read_bytes())
    i = b.rindex(b"1")
    b[i] = ord("2")
    p.write_bytes(bytes(b))


def _tamper_summary(p: Path) -> None:
    d = json.loads(p.read_text())
    d["summary"]["final_loss"] = "0.0"
    p.write_text(json.dumps(d))


@pytest.mark.parametrize(
    "damage",
    [
        lambda s, h: _truncate(s.record_path(h)),
        lambda s, h: _truncate(s.trajectory_path(h)),
        lambda s, h: _flip(s.trajectory_path(h)),
        lambda s, h: _tamper_summary(s.record_path(h)),
        lambda s, h: s.trajectory_path(h).unlink(),
        lambda s, h: s.record_path(h).write_bytes(b"\xff\xfe\x00garbage"),
        lambda s, h: s.record_path(h).write_text("[]"),
    ],
    ids=[
        "truncated-record",
        "truncated-trajectory",
        "flipped-digit",
        "tampered-summary",
        "missing-trajectory",
        "not-utf8",
        "not-a-record",
    ],
)
def test_corrupt_files_are_detected_and_recomputed(tmp_path, damage):
    specs = tiny()
    store = Store(tmp_path)
    first = run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    assert first.computed == 4
    good = files(store)
    victim = specs[2].spec_hash
    damage(store, victim)
    assert store.check(victim) == "corrupt" and store.get(victim) is None and len(store) == 3
    with pytest.raises(KeyError):
        store.load(victim)
    assert victim not in {r.spec_hash for r in store.records()}
    again = run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    assert (again.computed, again.cached, again.recomputed) == (1, 3, 1)
    assert files(store) == good  # recomputed to the very same bytes


def test_missing_record_with_a_leftover_trajectory_is_just_missing(tmp_path):
    specs = tiny()[:1]
    store = Store(tmp_path)
    run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    good = files(store)
    store.record_path(specs[0]).unlink()  # killed between the trajectory and the record
    (store.root / "runs" / ".x.json.abc.tmp").write_text("{")  # and a stale temporary file
    os.utime(store.root / "runs" / ".x.json.abc.tmp", (0, 0))
    assert store.check(specs[0]) == "missing"
    res = run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    assert (res.computed, res.recomputed) == (1, 0) and files(store) == good  # the stale .tmp is cleaned up


# ---- records edited with their checksum recomputed ---------------------------------------------------
def _reseal(store: Store, h: str, edit) -> None:
    """Edit record ``h`` as a forger would: change it, then recompute its checksum (and, when the
    trajectory file changed, its size and hash) so that every hash matches again."""
    from reluflow.sweep import store as store_module

    d = json.loads(store.record_path(h).read_text())
    edit(d)
    traj = gzip.decompress(store.trajectory_path(h).read_bytes())
    if isinstance(d.get("trajectory"), dict):
        d["trajectory"] |= {"sha256": hashlib.sha256(traj).hexdigest(), "bytes": len(traj)}
    d["checksum"] = store_module._checksum(d)
    store.record_path(h).write_text(json.dumps(d, sort_keys=True, indent=1, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def solved_store(tmp_path_factory) -> tuple[Store, tuple[RunSpec, ...], dict[str, bytes]]:
    store = Store(tmp_path_factory.mktemp("solved"))
    specs = tiny(lams=("1e-10",))
    run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    return store, specs, files(store)


@pytest.fixture
def store_copy(solved_store, tmp_path) -> tuple[Store, tuple[RunSpec, ...], dict[str, bytes]]:
    _, specs, good = solved_store
    (tmp_path / "runs").mkdir()
    for name, data in good.items():
        (tmp_path / "runs" / name).write_bytes(data)
    return Store(tmp_path), specs, good


SUMMARY_EDITS = {
    "final_loss": "0.0",
    "status": "loss_below",
    "ok": False,
    "message": "reached the requested end time (edited)",
    "t_end": "5.0",
    "events": 0,
    "steps": 1,
    "dps": 40,
    "digits": 30,
    "order": 9,
}


@pytest.mark.parametrize("key, value", list(SUMMARY_EDITS.items()), ids=list(SUMMARY_EDITS))
def test_an_edited_summary_is_never_reported(store_copy, key, value):
    store, specs, good = store_copy
    h = specs[0].spec_hash
    _reseal(store, h, lambda d: d["summary"].__setitem__(key, value))
    field = f"runs/{h}.json summary.{key}"
    state, rec, reason = store.inspect(specs[0])
    assert (state, rec) == ("corrupt", None) and reason.startswith(f"{field}: is ")
    assert "edited after its run" in reason
    assert store.get(h) is None and h not in {r.spec_hash for r in store.records()} and specs[0] not in store
    with pytest.raises(CorruptRun) as info:
        store.load(h)
    assert info.value.field == field and isinstance(info.value, KeyError) and isinstance(info.value, ProblemError)
    res = run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    assert res.recomputed == 1 and [(s.spec_hash, r) for s, r in res.discarded] == [(h, reason)]
    assert files(store) == good  # recomputed to the very same bytes


def test_summary_check_is_type_strict(store_copy):
    store, specs, _ = store_copy
    h = specs[0].spec_hash
    events = json.loads(store.record_path(h).read_text())["summary"]["events"]
    _reseal(store, h, lambda d: d["summary"].__setitem__("events", float(events)))  # 4.0 == 4, but not a count
    assert store.inspect(h)[2].startswith(f"runs/{h}.json summary.events: ")
    _reseal(store, h, lambda d: d["summary"].__setitem__("extra", 1))
    assert store.inspect(h)[2].startswith(f"runs/{h}.json summary: ")


def test_an_edited_trajectory_is_caught_by_its_own_checks(store_copy):
    """Loss edited in both the record and the trajectory file, every hash recomputed: the
    trajectory's loss no longer matches its exact final state."""
    store, specs, _ = store_copy
    h = specs[0].spec_hash
    path = store.trajectory_path(h)
    d = json.loads(gzip.decompress(path.read_bytes()))
    d["loss"] = "0.0"
    path.write_bytes(gzip.compress(json.dumps(d).encode()))
    _reseal(store, h, lambda r: r["summary"].__setitem__("final_loss", "0.0"))
    reason = store.inspect(h)[2]
    assert reason.startswith(f"runs/{h}.traj.json.gz loss: is '0.0' but the exact final state gives ")
    with pytest.raises(CorruptRun, match=f"^runs/{h}.traj.json.gz loss: "):
        store.load(h)


def test_swapped_trajectories_are_caught(tmp_path):
    store = Store(tmp_path)
    specs = tiny()[:2]
    run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    a, b = (s.spec_hash for s in specs)
    ta, tb = store.trajectory_path(a).read_bytes(), store.trajectory_path(b).read_bytes()
    store.trajectory_path(a).write_bytes(tb)
    store.trajectory_path(b).write_bytes(ta)
    for h, other in ((a, b), (b, a)):  # copy the other run's summary too: only the spec can tell
        summary = json.loads(store.record_path(other).read_text())["summary"]
        _reseal(store, h, lambda d, summary=summary: d.__setitem__("summary", summary))
    assert store.inspect(a)[2].startswith(f"runs/{a}.json spec: is not the problem")
    assert store.records() == []


def test_collect_says_why_a_run_is_missing(store_copy):
    pytest.importorskip("pandas")
    store, specs, _ = store_copy
    h = specs[0].spec_hash
    _reseal(store, h, lambda d: d["summary"].__setitem__("final_loss", "0.0"))
    df = collect(store, [specs[0], specs[0].vary(lam="1e-20")])
    assert df.status.tolist() == ["missing", "missing"]
    assert df.message.tolist()[0].startswith(f"runs/{h}.json summary.final_loss")
    assert df.message.tolist()[1] == "not in the store"


HOSTILE_RECORDS = {
    "deep": lambda d: d.__setitem__("spec", "DEEP"),  # replaced by 5000 nested arrays in the file
    "summary-list": lambda d: d.__setitem__("summary", [1, 2]),
    "summary-missing": lambda d: d.pop("summary"),
    "trajectory-null": lambda d: d.__setitem__("trajectory", None),
    "spec-garbage": lambda d: d.__setitem__("spec", {"data": 5}),
    "spec-huge-exponent": lambda d: d["spec"]["init"].__setitem__("lambda", "1e1000000000"),
    "dataset-object": lambda d: d.__setitem__("dataset", {"a": 1}),
    "version-edited": lambda d: d.__setitem__("reluflow", "0.0.1"),
    "nan-loss": lambda d: d["summary"].__setitem__("final_loss", float("nan")),
}


@pytest.mark.parametrize("edit", list(HOSTILE_RECORDS.values()), ids=list(HOSTILE_RECORDS))
def test_hostile_records_are_corrupt_not_tracebacks(store_copy, edit):
    store, specs, _ = store_copy
    h = specs[0].spec_hash
    try:
        _reseal(store, h, edit)
    except (ValueError, RecursionError):  # not even checksummable: write it as it is
        d = json.loads(store.record_path(h).read_text())
        edit(d)
        store.record_path(h).write_text(json.dumps(d))
    path = store.record_path(h)
    path.write_text(path.read_text().replace('"DEEP"', "[" * 5000 + "]" * 5000))
    start = time.perf_counter()
    state, rec, reason = store.inspect(h)
    assert (state, rec) == ("corrupt", None) and reason.startswith(f"runs/{h}")
    assert time.perf_counter() - start < 2


# ---- running -------------------------------------------------------------------------------------
def test_one_and_two_process_workers_store_identical_bytes(tmp_path):
    specs = tiny(lams=("1e-10", "1e-20", "1e-30"))
    stores = []
    for n in (1, 2):
        store = Store(tmp_path / f"w{n}")
        with ProcessPoolExecutor(n, mp_context=SPAWN) as ex:
            res = run(specs, store, executor=ex, progress=False)
        assert res.ok and res.computed == 6 and not res.failed
        stores.append(store)
    a, b = files(stores[0]), files(stores[1])
    assert len(a) == 12 and a == b
    hosts = {json.loads(p.read_text())["pid"] for p in (stores[1].root / "meta").iterdir()}
    assert len(hosts) >= 1  # the non-keyed metadata exists (and may differ)
    # the default executor (a spawn pool) and a thread pool in this process agree too
    c = Store(tmp_path / "default")
    run(specs, c, workers=2, progress=False)
    d = Store(tmp_path / "threads")
    run(specs, d, executor=ThreadPoolExecutor(2), progress=False)
    assert files(c) == a == files(d)


def test_dask_local_cluster_gives_identical_bytes(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    specs = tiny(lams=("1e-10", "1e-20", "1e-30"))
    ref = Store(tmp_path / "ref")
    run(specs, ref, executor=ThreadPoolExecutor(1), progress=False)
    store = Store(tmp_path / "dask")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            res = run(specs, store, executor=client.get_executor(), progress=False)
            client.write_scheduler_file(
                str(tmp_path / "scheduler.json")
            )  # what `dask scheduler --scheduler-file` writes
        workers = {json.loads(p.read_text())["pid"] for p in (store.root / "meta").iterdir()}
        # and through the command line, as `reluflow sweep GRID --scheduler tcp://…` and `--scheduler-file F`
        grid = _grid_file(tmp_path, ["1e-10", "1e-20", "1e-30"], [0, 1], width=2, digits=20, extra="t_end = 6\n")
        out = cli.invoke(
            app(), ["sweep", str(grid), "--store", str(tmp_path / "cli"), "--scheduler", cluster.scheduler_address]
        )
        by_file = cli.invoke(
            app(),
            [
                "sweep",
                str(grid),
                "--store",
                str(tmp_path / "file"),
                "--scheduler-file",
                str(tmp_path / "scheduler.json"),
            ],
        )
    assert res.ok and res.computed == 6
    assert files(store) == files(ref)
    assert os.getpid() not in workers and len(workers) >= 1
    assert out.exit_code == 0, out.output
    assert by_file.exit_code == 0, by_file.output
    assert files(Store(tmp_path / "cli")) == files(ref) == files(Store(tmp_path / "file"))


def test_run_dedupes_skips_and_reports_failures(tmp_path, monkeypatch):
    specs = tiny()
    store = Store(tmp_path)
    res = run([*specs, specs[0]], store, executor=ThreadPoolExecutor(2), progress=False)
    assert (
        len(res.specs) == 4 and res.computed == 4 and [r.spec_hash for r in res.records] == [s.spec_hash for s in specs]
    )
    more = tiny(lams=("1e-10", "1e-20", "1e-40"))

    def boom(spec_json, root):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(runner_module, "solve_into", boom)
    res = run(more, store, executor=ThreadPoolExecutor(1), progress=False)
    assert res.cached == 4 and res.computed == 0 and len(res.failed) == 2 and not res.ok
    assert all(err == "RuntimeError: worker lost" for _, err in res.failed)
    rows = res.rows()
    assert [r["status"] for r in rows] == ["t_end"] * 4 + ["failed"] * 2 and rows[-1]["final_loss"] is None
    assert len(store) == 4  # failures are not stored
    table = res.table()
    assert table.row_count == 6 and "2 failed" in table.caption
    with pytest.raises(ProblemError, match="^workers:"):
        run(specs, store, workers=0, progress=False)
    with pytest.raises(ProblemError, match="^specs:"):
        run([{"data": DATA}], store, progress=False)


def test_progress_bar_on_a_terminal_only(tmp_path):
    specs = tiny()[:2]
    out = io.StringIO()
    run(specs, Store(tmp_path / "a"), executor=ThreadPoolExecutor(1), console=Console(file=out, force_terminal=True))
    assert "sweep" in out.getvalue() and "runs" in out.getvalue()
    out = io.StringIO()
    run(specs, Store(tmp_path / "b"), executor=ThreadPoolExecutor(1), console=Console(file=out))
    assert out.getvalue() == ""


def test_collect_gives_one_row_per_run(tmp_path):
    pytest.importorskip("pandas")
    specs = tiny()
    store = Store(tmp_path)
    run(specs[:3], store, executor=ThreadPoolExecutor(1), progress=False)
    df = collect(store, specs)
    assert list(df.columns) == list(COLUMNS) and len(df) == 4
    assert df.status.tolist() == ["t_end"] * 3 + ["missing"]
    assert df["lambda"].tolist() == ["1e-10", "1e-10", "1e-20", "1e-20"] and df.seed.tolist() == [0, 1, 0, 1]
    assert df.log10_lambda.tolist() == [-10.0, -10.0, -20.0, -20.0] and df.width.tolist() == [2] * 4
    row = df.iloc[0]
    rec = store.get(specs[0])
    assert row.final_loss_str == rec.final_loss and row.final_loss == float(Decimal(rec.final_loss))
    assert row.t_end == 6.0 and row.events == rec.events and row.steps == rec.steps and row.digits == 20
    everything = collect(tmp_path)
    assert sorted(everything.spec_hash) == everything.spec_hash.tolist() and len(everything) == 3
    assert everything.dataset.isna().all()
    assert len(collect(Store(tmp_path / "empty"))) == 0


# ---- resuming after SIGKILL ---------------------------------------------------------------------------
def _grid_file(tmp_path: Path, lams, seeds, width=3, digits=30, extra="") -> Path:
    grid = tmp_path / "grid.toml"
    grid.write_text(
        f"[base.data]\nX = [[1, 0, 0, 0], [0, 1, 0, 0]]\ny = [1, -0.5]\n[base.init]\nwidth = {width}\n"
        f"[base.solve]\ndigits = {digits}\n{extra}[grid]\nlambda = {json.dumps(list(lams))}\n"
        f"seed = {json.dumps(list(seeds))}\n"
    )
    return grid


def test_sweep_killed_midway_resumes_and_loses_nothing(tmp_path):
    grid = _grid_file(tmp_path, ["1e-30", "1e-40", "1e-50"], [0, 1, 2])  # 9 runs, default t_end
    specs = load_grid(grid)
    store = Store(tmp_path / "store")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reluflow.cli.sweep", str(grid), "--store", str(store.root), "--workers", "1"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while len(list(store.keys())) < 2:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no results landed"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        proc.wait()
    before = {h: store.check(h) for h in store}
    assert 2 <= len(before) < len(specs), "the sweep finished before it could be killed"
    kept = {
        h: (store.record_path(h).read_bytes(), store.trajectory_path(h).read_bytes())
        for h, state in before.items()
        if state == "valid"
    }
    assert len(kept) >= 2

    res = run(specs, store, workers=2, progress=False)
    assert res.ok and len(res.records) == len(specs) and not res.failed
    assert res.cached == len(kept) and res.computed + res.cached == len(specs)
    for h, (record, traj) in kept.items():  # what was stored before the kill is untouched
        assert store.record_path(h).read_bytes() == record and store.trajectory_path(h).read_bytes() == traj
    for s in specs:  # and every result parses, with its dense output
        tr = store.load(s)
        assert tr.status.value == "t_end" and tr.problem == s.problem
    # a fresh, uninterrupted sweep gives the same bytes
    fresh = Store(tmp_path / "fresh")
    run(specs, fresh, workers=2, progress=False)
    assert files(fresh) == dict(files(store).items())


# ---- pool workers end with the sweep ------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
    return out


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for whoever adopted it to reap it)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_parent_and_wait(proc: subprocess.Popen, pids: list[int], seconds: float) -> list[int]:
    """SIGKILL ``proc`` alone; return those of ``pids`` still running after ``seconds``."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + seconds
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _running(p)]


SWEEP_SCRIPT = """
import sys
from reluflow.sweep import RunSpec, run

if __name__ == "__main__":
    X = [["0.3", "-1.2", "0.5"], ["1.1", "0.4", "-0.7"], ["-0.2", "0.9", "1.3"], ["0.8", "0.1", "0.6"]]
    busy = RunSpec({"data": {"X": X, "y": ["1", "-0.5", "0.7", "0.2"]},
                    "init": {"lambda": "1e-6", "width": 6, "seed": 0}}, digits=200, t_end=300)  # minutes
    quick = RunSpec({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-3", "z": [[1]], "s": [1]}},
                    digits=5, t_end=1)
    run([busy, quick], sys.argv[1], workers=2, progress=False)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through Linux /proc")
def test_killing_a_sweep_ends_its_pool_workers(tmp_path):
    """SIGKILL of the sweep process: its workers, one busy with a long solve and one idle after a
    quick one, used to run on forever; now they end within seconds."""
    script = tmp_path / "sweep.py"
    script.write_text(SWEEP_SCRIPT)
    store = Store(tmp_path / "store")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(store.root)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(store.keys()):  # the quick run is stored: both workers are up, one is idle
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the quick run never landed"
            time.sleep(0.02)
        workers = _children(proc.pid)
        assert len(workers) >= 2  # two workers (and the resource tracker)
        left = _kill_parent_and_wait(proc, workers, 5)
        assert not left, f"workers {left} outlived the sweep"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the session this test started
        proc.wait()


WATCH_SCRIPT = """
import multiprocessing, os, sys, time
from reluflow.sweep.runner import watch_parent

def child(parent):
    watch_parent(parent, interval=0.1)  # the portable watchdog alone: no prctl
    time.sleep(600)

if __name__ == "__main__":
    p = multiprocessing.get_context(sys.argv[1]).Process(target=child, args=(os.getpid(),))
    p.start()
    print(p.pid, flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="watches the processes through Linux /proc")
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_watchdog_alone_ends_an_orphaned_worker(tmp_path, method):
    script = tmp_path / "watch.py"
    script.write_text(WATCH_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), method],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(proc.stdout.readline())
        time.sleep(1.0 if method == "spawn" else 0.2)  # let the child start its watchdog
        assert _running(child)
        assert not _kill_parent_and_wait(proc, [child], 3), "the orphan outlived its parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ---- command line --------------------------------------------------------------------------------------
def test_cli_sweep_summary_json_and_resume(tmp_path):
    grid = _grid_file(tmp_path, ["1e-10", "1e-20"], [0, 1], width=2, extra="t_end = 6\n")
    out = tmp_path / "out" / "summary.json"
    res = cli.invoke(
        app(), ["sweep", str(grid), "--store", str(tmp_path / "s"), "--workers", "2", "--summary-json", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "sweep: 4 runs" in res.output and "4 computed" in res.output
    rows = json.loads(out.read_text())
    assert len(rows) == 4
    for row in rows:
        assert {"spec_hash", "status", "final_loss", "lambda", "seed", "width"} <= set(row)
        assert row["status"] == "t_end" and isinstance(row["final_loss"], str) and len(row["spec_hash"]) == 64
        Decimal(row["final_loss"])
    assert [(r["lambda"], r["seed"], r["width"]) for r in rows] == [
        ("1e-10", 0, 2),
        ("1e-10", 1, 2),
        ("1e-20", 0, 2),
        ("1e-20", 1, 2),
    ]
    again = cli.invoke(app(), ["sweep", str(grid), "--store", str(tmp_path / "s")])
    assert again.exit_code == 0 and "0 computed, 4 from the store" in again.output


def test_cli_exit_1_when_a_run_is_not_ok(tmp_path):
    # labels 1e60 beside 10: growth times 1e59 apart, so the horizon is refused (status "failed", naming t_end)
    (tmp_path / "slides.toml").write_text('[data]\nX = [[1, 0], [1, 1]]\ny = ["1e60", -10]\n')
    (tmp_path / "fits.toml").write_text("[data]\nX = [[1, 0], [0, 1]]\ny = [1, -10]\n")
    grid = tmp_path / "g.toml"
    grid.write_text(
        '[base.init]\nlambda = "1e-3"\nz = [[1, "0.2"]]\ns = [1]\n[base.solve]\nt_end = 50\ndigits = 20\n'
        '[grid]\ndataset = ["slides.toml", "fits.toml"]\n'
    )
    out = tmp_path / "summary.json"
    res = cli.invoke(
        app(), ["sweep", str(grid), "--store", str(tmp_path / "s"), "--summary-json", str(out), "--workers", "1"]
    )
    assert res.exit_code == 1, res.output
    rows = json.loads(out.read_text())
    assert [(r["dataset"], r["status"], r["ok"]) for r in rows] == [
        ("slides.toml", "failed", False),
        ("fits.toml", "t_end", True),
    ]
    assert "dataset" in res.output and "failed" in res.output and "t_end" in json.dumps(rows[0])


@pytest.mark.parametrize(
    "args, field",
    [
        (["--workers", "0"], "--workers"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers"),
        (["--scheduler", "tcp://127.0.0.1:1", "--scheduler-file", "x.json"], "--scheduler"),
        (["--scheduler-file", "no-such-file.json"], "--scheduler-file"),
    ],
)
def test_cli_bad_options_exit_2(tmp_path, args, field):
    grid = _grid_file(tmp_path, ["1e-10"], [0], extra="t_end = 2\n")
    res = cli.invoke(app(), ["sweep", str(grid), "--store", str(tmp_path / "s"), *args])
    assert res.exit_code == 2 and f"{field}:" in res.output, res.output


def test_cli_bad_grid_exit_2_naming_the_field(tmp_path):
    grid = _grid_file(tmp_path, ["1e-10", 0], [0])
    res = cli.invoke(app(), ["sweep", str(grid), "--store", str(tmp_path / "s")])
    assert res.exit_code == 2 and "grid.lambda[1]:" in res.output
    res = cli.invoke(app(), ["sweep", str(tmp_path / "nope.toml"), "--store", str(tmp_path / "s")])
    text = " ".join(res.output.split())
    assert res.exit_code == 2 and "error: grid: file" in text and "does not exist" in text
    assert not (tmp_path / "s" / "runs").exists() or not list((tmp_path / "s" / "runs").iterdir())


def test_reluflow_cli_wiring_if_present():
    """Once reluflow.cli registers the command, `reluflow sweep --help` documents it."""
    from reluflow.cli import app as main_app

    if "sweep" not in {c.name for c in main_app.registered_commands}:
        pytest.skip("reluflow.cli does not register `sweep` yet")
    res = cli.invoke(main_app, ["sweep", "--help"])
    assert res.exit_code == 0 and "--summary-json" in res.output


def test_cli_collect_writes_csv_and_parquet(tmp_path):
    """`reluflow collect STORE --csv … --parquet …`: the store's runs as one table, the same in
    both formats; with --grid, one row per run of the grid (missing ones included)."""
    pd = pytest.importorskip("pandas")
    grid = _grid_file(tmp_path, ["1e-10", "1e-20"], [0, 1], width=2, digits=20, extra="t_end = 4\n")
    store = tmp_path / "s"
    assert cli.invoke(app(), ["sweep", str(grid), "--store", str(store), "--workers", "1"]).exit_code == 0
    res = cli.invoke(
        app(), ["collect", str(store), "--csv", str(tmp_path / "t.csv"), "--parquet", str(tmp_path / "t.parquet")]
    )
    assert res.exit_code == 0, res.output
    assert "4 runs: 4 t_end" in res.output
    csv = pd.read_csv(tmp_path / "t.csv", dtype={"final_loss_str": str, "lambda": str})
    parquet = pd.read_parquet(tmp_path / "t.parquet")
    assert len(csv) == len(parquet) == 4 and list(parquet["final_loss_str"]) == list(csv["final_loss_str"])
    assert sorted(parquet["lambda"]) == ["1e-10", "1e-10", "1e-20", "1e-20"]
    bigger = _grid_file(tmp_path, ["1e-10", "1e-20", "1e-30"], [0, 1], width=2, digits=20, extra="t_end = 4\n")
    res = cli.invoke(app(), ["collect", str(store), "--grid", str(bigger)])
    assert res.exit_code == 0 and "6 runs: 2 missing, 4 t_end" in res.output, res.output
    bad = cli.invoke(app(), ["collect", str(tmp_path / "nowhere")])
    assert bad.exit_code == 2 and "not a run store" in " ".join(bad.output.split())


def test_the_slurm_recipe_runs_on_a_local_cluster_and_resumes(tmp_path):
    """examples/slurm_sweep.py, the documented HPC recipe, with --local (a Dask LocalCluster in
    place of the SLURM jobs): every run of the example grid, a Parquet table, and a rerun that
    computes nothing."""
    pytest.importorskip("dask.distributed")
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, str(root / "examples" / "slurm_sweep.py"), str(root / "examples" / "sweep_grid.toml")]
    cmd += ["--store", str(tmp_path / "runs"), "--jobs", "2", "--local", "--parquet", str(tmp_path / "t.parquet")]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "24 computed, 0 already stored, 0 failed; 24 of 24 runs ok" in first.stdout
    assert len(pd.read_parquet(tmp_path / "t.parquet")) == 24
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "0 computed, 24 already stored" in again.stdout, again.stderr[-2000:]


def test_stores_written_before_compression_are_read_the_same(tmp_path):
    """A run stored as plain runs/H.traj.json (before 0.2) is valid and loads the same."""
    from reluflow.sweep import store as store_module

    store = Store(tmp_path / "s")
    s = tiny()[0]
    tr = s.solve()
    store.put(s, tr)
    h = s.spec_hash
    plain = store.root / "runs" / f"{h}.traj.json"
    plain.write_bytes(gzip.decompress(store.trajectory_path(h).read_bytes()))
    store.trajectory_path(h).unlink()
    d = json.loads(store.record_path(h).read_text())
    d["trajectory"]["file"] = plain.name
    d["checksum"] = store_module._checksum(d)
    store.record_path(h).write_text(json.dumps(d, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
    fresh = Store(tmp_path / "s")
    assert fresh.check(s) == "valid"
    assert fresh.load(s).events == tr.events and fresh.load(s).final_loss == tr.final_loss
    fresh.discard(s)
    assert not plain.exists() and fresh.check(s) == "missing"


def test_a_gzip_bomb_is_corrupt_not_a_memory_exhaustion(tmp_path):
    """A trajectory file that inflates far beyond the record's size is cut at that size and
    reported corrupt."""
    store = Store(tmp_path / "s")
    s = tiny()[0]
    store.put(s, s.solve())
    store.trajectory_path(s).write_bytes(gzip.compress(b" " * 50_000_000))
    check, _, reason = store.inspect(s)
    assert check == "corrupt" and "does not match the record" in reason


def test_any_spec_key_can_be_swept_by_its_dotted_path():
    """Beside the named axes, [grid] may list any SPEC key by path: labels, directions, the end
    time; the named axes vary slowest, the paths after them in the order given."""
    base = {
        "data": {"X": [[1, 0], [0, 1]], "y": [1, -1]},
        "init": {"lambda": "1e-10", "z": [[1, "0.5"], ["0.3", -1]], "s": [1, -1]},
        "solve": {"t_end": 3, "digits": 20},
    }
    runs = expand(base, {"lambda": ["1e-10", "1e-20"], "data.y": [[1, -1], [2, "-0.5"]], "solve.t_end": [3, 5]})
    assert len(runs) == 8
    assert [(r.lam_text, r.problem.data.y[0], r.t_end) for r in runs[:4]] == [
        ("1e-10", 1, "3"),
        ("1e-10", 1, "5"),
        ("1e-10", 2, "3"),
        ("1e-10", 2, "5"),
    ]
    assert len({r.spec_hash for r in runs}) == 8
    zs = expand(
        {"data": base["data"], "init": {"lambda": "1e-10", "s": [1, -1]}},
        {"init.z": [[[1, 2], [3, -1]], [[2, 1], [1, -3]]]},
    )
    assert [r.problem.init.z[0][0] for r in zs] == [1, 2]


@pytest.mark.parametrize(
    "grid, field",
    [
        ({"data.y": [[1, -1], [1, "zero"]]}, "grid.data.y[1]"),
        ({"solve.t_end": [3, -1]}, "grid.solve.t_end[1]"),
        ({"data.y": [[1, -1], [1, -1]]}, "grid.data.y[1]"),
        ({"data.nope": [1]}, "grid.data.nope"),
        ({"init.lambda": ["1e-3"]}, "grid.init.lambda"),
        ({"solve.dps": 40}, "grid.solve.dps"),
    ],
)
def test_bad_dotted_axes_name_their_entry(grid, field):
    base = {"data": {"X": [[1, 0], [0, 1]], "y": [1, -1]}, "init": {"lambda": "1e-10", "width": 2, "seed": 0}}
    with pytest.raises(ProblemError) as info:
        expand(base, grid)
    assert info.value.field == field, str(info.value)


def test_collect_shows_the_swept_paths_as_columns(tmp_path):
    """A sweep over dotted paths: the table has a column for each path whose value differs."""
    base = {"data": {"X": [[1, 0], [0, 1]], "y": [1, -1]}, "init": {"lambda": "1e-10", "width": 2, "seed": 0}}
    specs = expand(base | {"solve": {"digits": 20}}, {"data.y": [[1, -1], [2, -1]], "solve.t_end": [2, 3]})
    store = Store(tmp_path / "s")
    run(specs, store, executor=ThreadPoolExecutor(1), progress=False)
    df = collect(store, specs)
    assert list(df["data.y"]) == ['["1","-1"]', '["1","-1"]', '["2","-1"]', '["2","-1"]']
    assert list(df["solve.t_end"]) == ['"2"', '"3"', '"2"', '"3"'] and "init.z" not in df
    assert "data.y" not in collect(store, specs[:1])  # one run varies nothing
