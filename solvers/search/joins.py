"""The join protocol: how a DSL assembles solutions from the values bottom-up search keeps.

Plain enumeration finds a solution only when one expression's output vector equals the target.
Most DSLs know better ways to combine what search already has: concatenating string pieces that
occur in the output, a decision tree over terms right on parts of the examples, regex chains.
A join sees every new value of the types it watches (`observe`, called from the hot path, so it
must be cheap), and after each cost level (`after_level`) it may build a solution and hand it to
the run with `run.offer(program, doubt)`. The engine decides when to stop and what to return.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from dsl.core import Op, Program, Type

if TYPE_CHECKING:
    from solvers.search.enumeration import SearchRun


class Join:
    """Base class of a DSL's join; every method may be left as it is."""

    # the types whose new values `observe` sees
    watched: tuple[Type, ...] = ()

    def observe(self, type_: Type, vector: tuple[Any, ...], program: Program, level: int) -> None:
        """A new value was kept (called once per value, before the guide re-weights its level)."""

    def after_level(self, run: "SearchRun", level: int) -> None:
        """The level is complete: build and `run.offer` solutions; call `run.check()` between steps."""

    def note(self) -> str:
        """A line for the result's message when search found nothing (e.g. the best partial program)."""
        return ""


# (the run, each op's cost in it) -> the joins of one run (made fresh, so they may keep state)
JoinFactory = Callable[["SearchRun", Mapping[Op, int]], Sequence[Join]]
