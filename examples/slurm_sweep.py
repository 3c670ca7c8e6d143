"""A reluflow sweep on a SLURM cluster with dask-jobqueue: one single-threaded Dask worker per
SLURM job, the run store on the shared filesystem, the results collected as a Parquet table.

    pip install "reluflow[cluster]" dask-jobqueue
    python examples/slurm_sweep.py examples/sweep_grid.toml --store /shared/runs --jobs 10 \\
        --parquet /shared/runs/table.parquet

``--local`` starts a Dask LocalCluster instead of SLURM jobs: the same code path, and how the
tests run this recipe.  A sweep stopped at any point (a job killed, the walltime reached)
resumes by running the same command again: stored runs are skipped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dask.distributed import Client

from reluflow.sweep import Store, collect, load_grid, run


def make_cluster(jobs: int, *, local: bool):
    """``jobs`` workers: SLURM jobs of one core each (edit the resources for your site), or
    local processes."""
    if local:
        from dask.distributed import LocalCluster

        return LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    from dask_jobqueue import SLURMCluster

    cluster = SLURMCluster(
        cores=1,  # mpmath is not thread-safe: one run per worker process
        processes=1,
        memory="4GB",
        walltime="02:00:00",
        job_extra_directives=["--cpus-per-task=1"],
    )
    cluster.scale(jobs=jobs)
    return cluster


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("grid", type=Path, help="GRID file (TOML)")
    ap.add_argument("--store", type=Path, required=True, help="run store on a filesystem every job can write")
    ap.add_argument("--jobs", type=int, default=4, help="Dask workers (SLURM jobs)")
    ap.add_argument("--local", action="store_true", help="a LocalCluster instead of SLURM")
    ap.add_argument("--parquet", type=Path, help="write the collected table here")
    args = ap.parse_args(argv)
    specs = load_grid(args.grid)
    with make_cluster(args.jobs, local=args.local) as cluster, Client(cluster) as client:
        result = run(specs, Store(args.store), executor=client.get_executor(), progress=False)
    table = collect(args.store, specs)
    if args.parquet is not None:
        table.to_parquet(args.parquet, index=False)
    print(
        f"{result.computed} computed, {result.cached} already stored, {len(result.failed)} failed; "
        f"{int(table.ok.sum())} of {len(table)} runs ok"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
