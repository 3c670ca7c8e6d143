"""The single-neuron paper's gradient-descent trends, judged on its tables (Chistikov et al.
2023, §8; spec ``single_neuron.md`` D5 and the Tables 1–12 [empirical]):

- **angle ∝ λ**: at small λ the final maximum angle within J₊ shrinks in proportion to λ — the
  log–log slope of the median between the two smallest λ of a table is 1 within ``SLOPE_TOL``
  (Tables 1, 2, 7, 8);
- **‖W‖_* → 1**: at the smallest λ the median nuclear norm is within ``NUCLEAR_TOL`` of 1
  (Tables 5, 6, 11, 12).

Each trend is PASS or FAIL per table, INCONCLUSIVE when a median it rests on is missing or every
trial behind it stopped at the iteration cap; how many trials hit the cap is always said.

>>> rows = [{"lambda_exp4": e, "d": 4, "m": 200, "median": 4.0**e, "trials": 2, "stopped_cap": 1} for e in (-4, -7)]
>>> judge(1, rows)[1:]
('angle ∝ λ: slope 1.00 at d = 4 (λ = 4^-4 → 4^-7)', 'PASS', 2)
"""

from __future__ import annotations

import math

from ..verdict import Verdict
from .protocol import TABLES

__all__ = ["NUCLEAR_TOL", "SLOPE_TOL", "judge"]

SLOPE_TOL = 0.25  # |slope − 1| ≤ 0.25: the heuristic rate, measured on two λ a factor 64 apart
NUCLEAR_TOL = 0.05  # |‖W‖_* − 1| ≤ 0.05 at the smallest λ


def _groups(number: int, rows: list[dict]) -> dict[int, list[dict]]:
    key = "d" if TABLES[number].axis == "d" else "m"
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(int(r[key]), []).append(r)
    return {g: sorted(rs, key=lambda r: -r["lambda_exp4"]) for g, rs in sorted(out.items())}


def judge(number: int, rows: list[dict]) -> tuple[str, str, str, int]:
    """(trend, measured, verdict, capped trials) for Table ``number`` from its rows; the trend
    is "—" for the average-angle tables, which carry no verdict of their own."""
    metric = TABLES[number].metric
    axis = TABLES[number].axis
    verdicts, parts, capped = [], [], 0
    for group, rs in _groups(number, rows).items():
        if metric == "max_angle" and len(rs) >= 2:
            hi, lo = rs[-2], rs[-1]  # the two smallest λ
            capped += hi["stopped_cap"] + lo["stopped_cap"]
            ok_data = all(
                isinstance(r["median"], float) and math.isfinite(r["median"]) and r["median"] > 0 for r in (hi, lo)
            )
            all_capped = all(r["stopped_cap"] >= r["trials"] for r in (hi, lo))
            if not ok_data or all_capped:
                verdicts.append(Verdict.INCONCLUSIVE)
                parts.append(f"no settled medians at {axis} = {group}")
                continue
            slope = math.log(hi["median"] / lo["median"]) / (math.log(4) * (hi["lambda_exp4"] - lo["lambda_exp4"]))
            verdicts.append(Verdict.PASS if abs(slope - 1) <= SLOPE_TOL else Verdict.FAIL)
            parts.append(f"slope {slope:.2f} at {axis} = {group} (λ = 4^{hi['lambda_exp4']} → 4^{lo['lambda_exp4']})")
        elif metric == "nuclear_norm" and rs:
            last = rs[-1]
            capped += last["stopped_cap"]
            med = last["median"]
            if not (isinstance(med, float) and math.isfinite(med)) or last["stopped_cap"] >= last["trials"]:
                verdicts.append(Verdict.INCONCLUSIVE)
                parts.append(f"no settled median at {axis} = {group}")
                continue
            verdicts.append(Verdict.PASS if abs(med - 1) <= NUCLEAR_TOL else Verdict.FAIL)
            parts.append(f"{med:.4f} at {axis} = {group}, λ = 4^{last['lambda_exp4']}")
    if metric == "max_angle":
        return "angle ∝ λ", "angle ∝ λ: " + "; ".join(parts), Verdict.combine(verdicts).value, capped
    if metric == "nuclear_norm":
        return "‖W‖_* → 1", "‖W‖_* → 1: " + "; ".join(parts), Verdict.combine(verdicts).value, capped
    return "—", "—", "—", 0
