"""Handlers that BPMN service tasks call by name (``spiffworkflow:serviceTaskOperator id="..."``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

Handler = Callable[..., Any]


class HandlerRegistry:
    """Name → callable; a handler gets the evaluated parameters as keyword arguments."""

    def __init__(self, *bases: HandlerRegistry) -> None:
        """A registry holding the handlers of ``bases`` (later ones may not repeat a name)."""
        self._handlers: dict[str, Handler] = {}
        for base in bases:
            for name in base:
                self.register(name, base._handlers[name])

    def register(self, name: str, handler: Handler | None = None) -> Any:
        """Register ``handler`` under ``name``; usable as a decorator when ``handler`` is omitted."""

        def add(fn: Handler) -> Handler:
            if name in self._handlers:
                raise ValueError(f"handler {name!r} is already registered")
            self._handlers[name] = fn
            return fn

        return add(handler) if handler is not None else add

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))

    def call(self, name: str, params: dict[str, Any], task_data: dict[str, Any]) -> Any:
        """Run the handler; unknown names fail with a message naming the operation."""
        handler = self._handlers.get(name)
        if handler is None:
            raise LookupError(f"no handler named {name!r} is registered")
        return handler(**params)

    def describe(self) -> list[HandlerInfo]:
        """Every handler with its documented parameters, for the designer's operator list."""
        return [_describe(name, self._handlers[name]) for name in self]


@dataclass(frozen=True)
class HandlerParameter:
    """One keyword a service task passes to a handler; ``required`` when it has no default."""

    name: str
    required: bool


@dataclass(frozen=True)
class HandlerInfo:
    """A registered handler as a designer sees it: its name, what its docstring says, its parameters."""

    name: str
    doc: str
    parameters: list[HandlerParameter]


def _describe(name: str, handler: Handler) -> HandlerInfo:
    bound = set(handler.keywords) if isinstance(handler, partial) else set()
    target = handler.func if isinstance(handler, partial) else handler
    parameters = [
        HandlerParameter(p.name, p.default is p.empty)
        for p in inspect.signature(handler).parameters.values()
        if p.name not in bound and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    doc = inspect.getdoc(target) or ""
    return HandlerInfo(name, doc.split("\n\n", 1)[0].replace("\n", " "), parameters)
