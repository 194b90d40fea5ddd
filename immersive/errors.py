"""Errors raised by the immersive package."""

from __future__ import annotations

from dataclasses import dataclass


class ImmersiveError(Exception):
    """Base class of every error raised by ``immersive``."""


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a scene spec: where it is (a JSON path) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SpecError(ImmersiveError):
    """A scene spec is unreadable or invalid; lists every problem found."""

    def __init__(self, source: str, problems: list[SpecProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) in scene spec\n{lines}")


class RenderError(ImmersiveError):
    """No graphics pipe or offscreen buffer could be made."""


class UnknownSceneError(ImmersiveError):
    """A scene id names no spec file."""
