"""The figure of ``reluflow compare``: gradient descent against the exact flow on one SPEC —
the losses over flow time, and how far GD's parameters stray from the flow's."""

from __future__ import annotations

from pathlib import Path

from ..plotting import MplFigure, cm, save, style, subplots

__all__ = ["plot"]


def plot(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """(a) the loss of GD at each learning rate and of the exact flow against t; (b) the relative
    parameter distance ‖θ_GD − θ_flow‖/‖θ_flow‖ against t, log–log."""
    with style():
        fig, (ax, bx) = subplots(1, 2, figsize=(11.5, 4.2), fig=fig)
        colors = cm.viridis([0.15 + 0.7 * i / max(1, len(data["runs"]) - 1) for i in range(len(data["runs"]))])
        ref = max(data["runs"], key=lambda r: len(r["t"]))
        pts = [(t, v) for t, v in zip(ref["t"], ref["flow_loss"]) if t > 0 and v > 0]
        ax.loglog([t for t, _ in pts], [v for _, v in pts], color="k", lw=2.2, alpha=0.5, label="exact gradient flow")
        for run, c in zip(data["runs"], colors):
            pts = [(t, v) for t, v in zip(run["t"], run["gd_loss"]) if t > 0 and v > 0]
            ax.loglog(
                [t for t, _ in pts], [v for _, v in pts], color=c, lw=1.2, ls="--", label=f"GD, lr = {run['lr']:g}"
            )
            gaps = [(t, g) for t, g in zip(run["t"], run["param_gap"]) if t > 0 and g > 0]
            bx.loglog([t for t, _ in gaps], [g for _, g in gaps], color=c, lw=1.4, label=f"lr = {run['lr']:g}")
        ax.set_xlabel("flow time t (GD iteration k ↔ t = 2·lr·k)")
        ax.set_ylabel("loss L")
        ax.set_title("(a) GD and the exact flow", fontsize=9)
        ax.legend(fontsize=7.5)
        bx.set_xlabel("flow time t")
        bx.set_ylabel(r"$\|\theta_{GD} - \theta_{flow}\| \,/\, \|\theta_{flow}\|$")
        bx.set_title("(b) how far GD strays from the flow (halving lr should halve it)", fontsize=9)
        bx.legend(fontsize=7.5)
        fig.suptitle(
            f"gradient descent against the exact flow ({data['flow']['events']} switches, t ≤ {data['t_end']:g})",
            fontsize=10,
        )
        return save(fig, stem)
