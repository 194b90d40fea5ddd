"""Immersive experiences: scene specs, procedural sample assets, scene building,
offscreen rendering and the kiosk program.

The package knows the server only by its wire protocol (``docs/protocol.md``); it never
imports ``server``.
"""

from __future__ import annotations

from immersive.errors import ImmersiveError, RenderError, SpecError, SpecProblem

__all__ = ["ImmersiveError", "RenderError", "SpecError", "SpecProblem"]
