"""The command line's one error path and its exit codes.

Every command runs inside :class:`GuardedGroup`, so whatever a command raises ends in one of
four exit codes and never in a bare traceback:

- ``0`` (:data:`OK`): the work ran and everything it checks holds;
- ``1`` (:data:`NOT_OK`): the work ran but ended not ok (a run stopped early, a claim failed);
- ``2`` (:data:`BAD_INPUT`): bad input — a :class:`~reluflow.problem.ProblemError` naming the
  field and the fix, or a usage error from click;
- ``70`` (:data:`BUG`, sysexits' ``EX_SOFTWARE``): an unexpected exception.  It prints a short
  "this is a bug, please report" message; ``reluflow --debug …`` (or ``RELUFLOW_DEBUG=1``)
  shows the traceback instead.

Ctrl-C exits 130 with a one-line message; a reader that goes away (``| head``) ends the
command quietly with 141, as for any Unix tool killed by SIGPIPE.  Written by hand because click's own handling
prints tracebacks for anything but its own exceptions.

>>> import typer
>>> from typer.testing import CliRunner
>>> app = typer.Typer(cls=GuardedGroup)
>>> @app.command()
... def boom() -> None:
...     raise ZeroDivisionError("x")
>>> @app.command()
... def other() -> None:
...     pass
>>> CliRunner().invoke(app, ["boom"]).exit_code
70
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import typer
from rich.markup import escape
from typer.core import TyperGroup

from ..problem import ProblemError
from .output import err

# what a command may raise to end with its own exit code: typer's exceptions, the click
# exceptions of the click typer vendors (typer._click, recent typer: click is then not
# installed at all), and those of a separate click (older typer, or installed beside it)
_PASS_THROUGH: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, typer.TyperException)
try:
    from typer._click import ClickException as _VendoredClickException
except ImportError:
    pass
else:
    _PASS_THROUGH += (_VendoredClickException,)
try:
    import click
except ImportError:
    pass
else:
    _PASS_THROUGH += (click.exceptions.Exit, click.ClickException, click.exceptions.Abort)

__all__ = ["BAD_INPUT", "BUG", "NOT_OK", "OK", "GuardedGroup", "fail"]

OK, NOT_OK, BAD_INPUT, BUG, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 70, 130, 141
ISSUES = "https://github.com/reluflow/reluflow/issues"


def fail(exc: Exception | str) -> NoReturn:
    """Print ``error: …`` (Rich markup in the message shown literally) and exit 2."""
    err.print(f"[bold red]error[/]: {escape(str(exc))}")
    raise typer.Exit(BAD_INPUT)


def _debug(ctx: typer.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get("RELUFLOW_DEBUG", "") not in ("", "0")


class GuardedGroup(TyperGroup):
    """A typer group whose commands end in the exit codes above, whatever they raise."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except ProblemError as exc:
            fail(exc)
        except KeyboardInterrupt:
            err.print("[bold red]interrupted[/]: nothing further was written")
            raise typer.Exit(INTERRUPTED) from None
        except BrokenPipeError:  # the reader went away (| head): stop quietly, as Unix tools do
            # Python's own flush at exit must not fail again; a test runner's stream has no descriptor
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(BROKEN_PIPE) from None
        except Exception as exc:  # the one place an unexpected exception is turned into a report
            if _debug(ctx):
                raise
            what = "out of memory" if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {exc}"
            err.print(
                f"[bold red]internal error[/]: {escape(what[:500])}\n"
                f"This is a bug in reluflow, please report it at {ISSUES} with the command line and input. "
                "Rerun with `reluflow --debug …` to see the traceback."
            )
            raise typer.Exit(BUG) from None
