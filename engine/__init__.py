"""awardflow's BPM engine: definitions, instances, human tasks, timers and history on SpiffWorkflow.

Knows BPMN, tasks, time and people; knows nothing about awards (that is ``handlers``).
``from engine import Engine`` is the entry point; submodules import each other directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.engine import Engine
    from engine.settings import Settings

__all__ = ["Engine", "Settings"]


def __getattr__(name: str) -> Any:
    """Import the facade lazily so that ``engine.clock`` and friends load without the whole engine."""
    if name == "Engine":
        from engine.engine import Engine

        return Engine
    if name == "Settings":
        from engine.settings import Settings

        return Settings
    raise AttributeError(name)
