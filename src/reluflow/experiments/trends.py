"""The single-neuron paper's gradient-descent trends, judged on its tables (Chistikov et al.
2023, §8; spec ``single_neuron.md`` D5 and the Tables 1–12 [empirical]):

- **angle ∝ λ**: at small λ the final maximum angle within J₊ shrinks in proportion to λ — the
  log–log slope of the median between the two smallest λ of a table is 1 within ``SLOPE_TOL``
  (Tables 1, 2, 7, 8);
- **‖W‖_* → 1**: at the smallest λ the median nuclear norm is within ``NUCLEAR_TOL`` of 1
  (Tables 5, 6, 11, 12).

Each trend is PASS or FAIL per table, INCONCLUSIVE when a median it rests on is missing or not
settled: a median is settled when most of its trials ended by the loss threshold (or at a fixed
point), not at the iteration cap, for a run stopped by the cap has not reached its limit
(pitfall 10).  How many trials hit the cap is always said.

>>> rows = [{"lambda_exp4": e, "d": 4, "m": 200, "median": 4.0**e, "trials": 5, "stopped_cap": 2} for e in (-4, -7)]
>>> judge(1, rows)[1:]
('angle ∝ λ: slope 1.00 at d = 4 (λ = 4^-4 → 4^-7)', 'PASS', 4, 10)
>>> judge(1, [dict(r, stopped_cap=3) for r in rows])[1:3]
('angle ∝ λ: no settled medians at d = 4 (6 of 10 trials at the cap)', 'INCONCLUSIVE')
"""

from __future__ import annotations

import math

from ..verdict import Verdict
from .protocol import TABLES

__all__ = ["NUCLEAR_TOL", "SLOPE_TOL", "judge", "settled"]

SLOPE_TOL = 0.25  # |slope − 1| ≤ 0.25: the heuristic rate, measured on two λ a factor 64 apart
NUCLEAR_TOL = 0.05  # |‖W‖_* − 1| ≤ 0.05 at the smallest λ


def _groups(number: int, rows: list[dict]) -> dict[int, list[dict]]:
    key = "d" if TABLES[number].axis == "d" else "m"
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(int(r[key]), []).append(r)
    return {g: sorted(rs, key=lambda r: -r["lambda_exp4"]) for g, rs in sorted(out.items())}


def settled(row: dict) -> bool:
    """Whether most trials of a table row ended by the loss threshold or at a fixed point
    (neither at the iteration cap nor on a non-finite loss)."""
    ended = row["trials"] - row["stopped_cap"] - row.get("stopped_nonfinite", 0)
    return 2 * ended > row["trials"]


def judge(number: int, rows: list[dict]) -> tuple[str, str, str, int, int]:
    """(trend, measured, verdict, capped trials, trials) for Table ``number`` from its rows:
    the last two count the trials behind the medians it rests on.  The trend is "—" for the
    average-angle tables, which carry no verdict of their own."""
    metric = TABLES[number].metric
    axis = TABLES[number].axis
    verdicts, parts, capped, total = [], [], 0, 0
    for group, rs in _groups(number, rows).items():
        if metric == "max_angle" and len(rs) >= 2:
            hi, lo = rs[-2], rs[-1]  # the two smallest λ
            capped += hi["stopped_cap"] + lo["stopped_cap"]
            total += hi["trials"] + lo["trials"]
            ok_data = all(
                isinstance(r["median"], float) and math.isfinite(r["median"]) and r["median"] > 0 for r in (hi, lo)
            )
            if not ok_data or not (settled(hi) and settled(lo)):
                verdicts.append(Verdict.INCONCLUSIVE)
                n = hi["trials"] + lo["trials"]
                parts.append(
                    f"no settled medians at {axis} = {group} ({hi['stopped_cap'] + lo['stopped_cap']} of {n} trials at the cap)"
                )
                continue
            slope = math.log(hi["median"] / lo["median"]) / (math.log(4) * (hi["lambda_exp4"] - lo["lambda_exp4"]))
            verdicts.append(Verdict.PASS if abs(slope - 1) <= SLOPE_TOL else Verdict.FAIL)
            parts.append(f"slope {slope:.2f} at {axis} = {group} (λ = 4^{hi['lambda_exp4']} → 4^{lo['lambda_exp4']})")
        elif metric == "nuclear_norm" and rs:
            last = rs[-1]
            capped += last["stopped_cap"]
            total += last["trials"]
            med = last["median"]
            if not (isinstance(med, float) and math.isfinite(med)) or not settled(last):
                verdicts.append(Verdict.INCONCLUSIVE)
                parts.append(
                    f"no settled median at {axis} = {group} ({last['stopped_cap']} of {last['trials']} trials at the cap)"
                )
                continue
            verdicts.append(Verdict.PASS if abs(med - 1) <= NUCLEAR_TOL else Verdict.FAIL)
            parts.append(f"{med:.4f} at {axis} = {group}, λ = 4^{last['lambda_exp4']}")
    if metric == "max_angle":
        return "angle ∝ λ", "angle ∝ λ: " + "; ".join(parts), Verdict.combine(verdicts).value, capped, total
    if metric == "nuclear_norm":
        return "‖W‖_* → 1", "‖W‖_* → 1: " + "; ".join(parts), Verdict.combine(verdicts).value, capped, total
    return "—", "—", "—", 0, 0
