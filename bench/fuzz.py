"""Hostile input through the CLI: N generated SPEC files and options (``reluflow.fuzzing``),
each run in a forked child with a time and memory limit, sorted into clear error / ok /
slow rejection (exit 2 after more than 1 s) / accepted wrongly (input that must be refused
ran) / traceback (exit 70, a traceback, or a crash) / hang (killed at the timeout).

    python bench/fuzz.py                         # 2,000 cases, 2 workers, at most 60 s each
    python bench/fuzz.py --n 200 --show 5        # a quick look, with 5 examples per bad outcome

Prints the table by kind of input and in total, and exits 1 when any case ended in one of
the last four columns.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import resource
import time

from reluflow import fuzzing

BAD = ("slow rejection", "accepted wrongly", "traceback", "hang")


def _init() -> None:  # the children fork from here with the package already imported
    import reluflow.cli
    import reluflow.theory.interpolators
    import reluflow.theory.orthogonal
    import reluflow.theory.single_neuron  # noqa: F401


def _run(job):
    case, timeout = job
    return fuzzing.run(case, timeout=timeout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="number of generated cases")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a case counts as a hang")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--show", type=int, default=3, help="examples printed per bad outcome")
    args = ap.parse_args(argv)
    cases = fuzzing.cases(args.n, args.seed)
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers, initializer=_init) as pool:
        results = pool.map(_run, [(c, args.timeout) for c in cases], chunksize=4)
    wall = time.perf_counter() - start
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in results:
        by_kind[r.case.kind.split(":")[0]][r.category] += 1
    total = collections.Counter(r.category for r in results)
    cols = fuzzing.CATEGORIES
    print(f"{'kind':<12}" + "".join(f"{c:>18}" for c in cols) + f"{'cases':>8}")
    for kind in sorted(by_kind):
        row = by_kind[kind]
        print(f"{kind:<12}" + "".join(f"{row[c]:>18}" for c in cols) + f"{sum(row.values()):>8}")
    print(f"{'total':<12}" + "".join(f"{total[c]:>18}" for c in cols) + f"{len(results):>8}")
    rejections = sorted(r.seconds for r in results if r.category == "clear error")
    if rejections:
        print(f"rejections: median {rejections[len(rejections) // 2]:.3f} s, slowest {rejections[-1]:.3f} s")
    print(
        f"{len(results)} cases (seed {args.seed}) in {wall:.0f} s on {args.workers} workers; "
        f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    for bad in BAD:
        for r in [r for r in results if r.category == bad][: args.show]:
            print(f"\n[{bad}] {r.case.kind}: reluflow {' '.join(r.case.args)} (exit {r.code}, {r.seconds:.2f} s)")
            print(f"  file: {(r.case.content or b'')[:160]!r}")
            print("  " + r.tail[-400:].replace("\n", "\n  "))
    return 1 if any(total[b] for b in BAD) else 0


if __name__ == "__main__":
    raise SystemExit(main())
