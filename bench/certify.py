"""Benchmark the certified mode on B1: enclosure widths and the cost over the plain solve.

For B1 (x_i = e_i in R⁴, m = 6, λ = 1e-30, T = 290; 8 switches) it prints, in one run:

* the plain solve at 30 digits (best of ``--repeat``) and the certification of that run
  (best of ``--repeat``), and their ratio (target ≤ 5×);
* the widths (2 × radius) of every event-time ball and of the final-loss ball (target
  < 1e-20), and the largest relative state error;
* that every ball contains a reference run at 110 working digits (``--no-reference`` skips
  it);
* the same for ``--lambdas`` (default 1e-30 and 1e-100, T scaled with log(1/λ)).

    python bench/certify.py                  # about half a minute
    python bench/certify.py --json bench/certify.json
"""

from __future__ import annotations

import argparse
import json
import math
import time
from fractions import Fraction

import flint
import mpmath

from reluflow import solve
from reluflow.datasets import b1
from reluflow.integrate.certify import certify


def _best(fn, repeat: int):
    out, best = None, math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def run(lam: str, *, repeat: int, reference: bool) -> dict:
    p = b1(lam)
    t_end = Fraction(290) * Fraction(round(-math.log10(float(Fraction(lam))))) / 30
    tr, t_solve = _best(lambda: solve(p, t_end=t_end, digits=30), repeat)
    cert, t_cert = _best(lambda: certify(tr), repeat)
    row = {
        "lambda": lam,
        "t_end": float(t_end),
        "steps": len(tr.segments),
        "events": len(tr.events),
        "solve_s": t_solve,
        "certify_s": t_cert,
        "ratio": t_cert / t_solve,
        "status": cert.status.value,
        "message": cert.message,
    }
    if not cert.ok:
        return row
    row["event_widths"] = [2 * float(e.t.rad()) for e in cert.events]
    row["loss_width"] = 2 * float(cert.loss_ball.rad())
    row["relative_state_error"] = cert.radius
    if reference:
        ref = solve(p, t_end=t_end, dps=110)
        with flint.ctx.workprec(400):
            ball = lambda x: flint.arb(mpmath.nstr(x, 105))
            inside = [e.t.contains(ball(r.t)) for e, r in zip(cert.events, ref.events)]
            inside.append(cert.loss_ball.contains(ball(ref.final_loss)))
            inside += [b.contains(ball(v)) for b, v in zip(cert.a_balls, ref.a)]
        row["reference_contained"] = all(inside) and len(ref.events) == len(cert.events)
    return row


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--lambdas", nargs="+", default=["1e-30", "1e-100"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    rows = []
    print(
        f"{'λ':>7} {'steps':>5} {'ev':>3} {'solve s':>8} {'certify s':>9} {'ratio':>6} {'max event width':>15} "
        f"{'loss width':>10} {'rel. error':>10} {'contains ref':>12}  status"
    )
    for lam in args.lambdas:
        r = run(lam, repeat=args.repeat, reference=not args.no_reference)
        rows.append(r)
        ew = max(r.get("event_widths", [math.nan]), default=math.nan)
        print(
            f"{lam:>7} {r['steps']:>5} {r['events']:>3} {r['solve_s']:8.3f} {r['certify_s']:9.3f} {r['ratio']:6.2f} "
            f"{ew:15.3g} {r.get('loss_width', math.nan):10.3g} {r.get('relative_state_error', math.nan):10.3g} "
            f"{r.get('reference_contained', '—')!s:>12}  {r['status']}: {r['message']}"
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return rows


if __name__ == "__main__":
    main()
