"""The command line: ``reluflow solve``, ``predict``, ``interpolate`` (:mod:`.flow`),
``check``, ``proofs``, ``reproduce`` (:mod:`.checks`), ``experiment`` (:mod:`.experiment`)
and ``sweep`` (:mod:`.sweep`); one console and one writer (:mod:`.output`), one error path
and its exit codes (:mod:`.guard`)."""

from __future__ import annotations

import sys

import typer

from .._version import __version__
from . import checks, experiment, flow, sweep
from .guard import GuardedGroup

__all__ = ["app", "main"]

app = typer.Typer(
    cls=GuardedGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # help text is shown as written: "[data]" stays "[data]"
    help="Exact gradient flow of shallow ReLU networks.  Exit codes: 0 ok, 1 a run or check "
    "ended not ok, 2 bad input, 70 an internal error (a bug: please report it).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reluflow {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="show the traceback of an internal error"),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print the version and exit"
    ),
) -> None:
    """Exact gradient flow of shallow ReLU networks."""


for _module in (flow, checks, experiment, sweep):  # the order of the commands in --help
    _module.register(app)


def main() -> None:  # pragma: no cover
    app(prog_name="reluflow")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
