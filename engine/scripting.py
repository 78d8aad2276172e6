"""The sandbox for BPMN scripts, gateway conditions, service-task parameters and timer expressions.

SpiffWorkflow runs all of these with plain ``exec``/``eval`` and full builtins, so ``import os``
works. Here they are compiled with RestrictedPython under a stricter policy, run with a
small set of builtins plus our helper functions, and stopped after a time limit.

    ScriptRejected   the source uses something the sandbox forbids: found when compiling, or when it
                     runs for forbidden builtins (``open()``) and ``getattr`` on ``_`` names
    ScriptTimeout    the script ran past the time limit

Both reach the runtime wrapped in Spiff's ``WorkflowTaskException`` (by ``ScriptEngine``), which the
runtime turns into an incident. A script's own ``except`` clauses can never catch either of them.

A single C call cannot be interrupted by the tracer, so what one call may build is bounded instead
(:class:`ScriptLimits`): ``range`` has a length cap, and ``*``, ``**``, ``<<``, ``pow``, ``%`` formatting,
f-string format specs and the string methods that grow a string (``ljust``, ``join``, ``replace`` …)
refuse, before computing, a string, list or integer past its bound (``'x' * 10**10``,
``sum(range(10**9))``, ``10**10**8``, ``'x'.ljust(10**10)``). Every variable a script leaves is checked
(:mod:`engine.values`): a value the workflow store cannot hold, or one past
``ScriptLimits.max_value_bytes``, fails the script with the variable named, and the task data is put back
as it was before the script ran. Memory made in many steps (objects appended in a loop) is bounded by how
much the process may grow while the script runs (``ScriptLimits.max_memory_mb``: exactly on Linux, by the
peak resident size on other POSIX systems, not at all on Windows; see :class:`_Memory`).
"""

from __future__ import annotations

import ast
import copy
import json
import math
import operator
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any, NoReturn

from RestrictedPython import (
    PrintCollector,
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.task import Task

from engine import values
from engine.clock import ClockDatetime
from engine.script_codes import Refusal, classify, refusal

__all__ = [
    "SandboxEnvironment",
    "ScriptEngine",
    "ScriptLimits",
    "ScriptRejected",
    "ScriptTimeout",
    "ServiceCaller",
    "check_source",
    "sandbox_check",
    "source_refusals",
]

# (operation name, evaluated parameters, task data) -> a JSON-serializable result
ServiceCaller = Callable[[str, dict[str, Any], dict[str, Any]], Any]

_FILENAME = "<string>"  # Spiff finds a script's failing line by this frame filename
_CACHE_SIZE = 1024


class ScriptRejected(Exception):
    """The script uses something the sandbox does not allow; ``refusal`` says why as a code (for a page)."""

    def __init__(self, message: str, refusal: Refusal | None = None) -> None:
        super().__init__(message)
        self.refusal = refusal or Refusal("script.other", message, {"detail": message})


class ScriptTimeout(Exception):
    """The script ran longer than the environment's time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"script stopped after {seconds} s (time limit)")
        self.refusal = refusal("script.timeout", seconds=seconds)


class ScriptTooBig(ScriptRejected):
    """The script asked for a range, string, list or integer past the sandbox's bounds (memory, CPU)."""


@dataclass(frozen=True)
class ScriptLimits:
    """What one C-level call of a script may build (the tracer cannot stop such a call midway)."""

    #: the most items a ``range`` or a repeated list or tuple may have
    max_items: int = 1_000_000
    #: the most characters (or bytes) a repeated or padded string may have
    max_text: int = 10_000_000
    #: the most bits an integer made by ``*``, ``**`` or ``<<`` may have
    max_int_bits: int = 100_000
    #: the most bytes of JSON one variable a script leaves may take
    max_value_bytes: int = 1_000_000
    #: the most the process may grow (MB) while one script runs (many small objects made in a loop)
    max_memory_mb: int = 256


_GUARDED_OPERATORS: dict[type[ast.operator], str] = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, tightened.

    ``a * b``, ``a ** b``, ``a << b`` and ``a % b`` become ``_binop_("*", a, b)`` …, and an f-string's
    ``{x:>{n}}`` becomes ``{_format_(x, conversion, spec)}``, so their size is checked before they run.
    Refuses imports, classes and generators outright. ``finally`` is refused, and every ``except`` clause
    is wrapped in ``_catchable_``, because once the time limit fires the tracer is gone: code in a
    handler or a ``finally`` block would otherwise run on without limit.
    """

    def _refuse(self, node: ast.AST, what: str) -> ast.AST:
        self.error(node, f"{what} are not allowed")
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        return self._refuse(node, "import statements")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        return self._refuse(node, "import statements")

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._refuse(node, "class definitions")

    def visit_Yield(self, node: ast.Yield) -> ast.AST:
        return self._refuse(node, "generator functions (yield)")

    def visit_YieldFrom(self, node: ast.YieldFrom) -> ast.AST:
        return self._refuse(node, "generator functions (yield)")

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        visited = super().visit_BinOp(node)
        assert isinstance(visited, ast.BinOp)  # RestrictedPython hands back the node it checked
        symbol = _GUARDED_OPERATORS.get(type(visited.op))
        if symbol is None:
            return visited
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(symbol), visited.left, visited.right], keywords=[]
        )
        return ast.fix_missing_locations(ast.copy_location(call, visited))

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        visited = super().visit_FormattedValue(node)
        assert isinstance(visited, ast.FormattedValue)  # RestrictedPython hands back the node it checked
        if visited.format_spec is None:
            return visited
        args = [visited.value, ast.Constant(visited.conversion), visited.format_spec]
        call = ast.Call(func=ast.Name("_format_", ast.Load()), args=args, keywords=[])
        formatted = ast.FormattedValue(value=call, conversion=-1, format_spec=None)
        return ast.fix_missing_locations(ast.copy_location(formatted, visited))

    def visit_Try(self, node: ast.Try) -> ast.AST | Iterable[ast.AST] | None:
        if node.finalbody:
            self.error(node, "finally clauses are not allowed")
        return super().visit_Try(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        """``except T:`` becomes ``except _catchable_(lambda: T):`` (T is only evaluated if it may match)."""
        visited = super().visit_ExceptHandler(node)
        assert isinstance(visited, ast.ExceptHandler)  # RestrictedPython hands back the handler it checked
        node = visited
        no_args = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])
        thunk = ast.Lambda(args=no_args, body=node.type or ast.Constant(None))
        node.type = ast.copy_location(
            ast.Call(func=ast.Name("_catchable_", ast.Load()), args=[thunk], keywords=[]), node
        )
        return ast.fix_missing_locations(node)


_LINE_PREFIX = re.compile(r"^Line (\d+): (.*?)\.?$", re.DOTALL)


def _describe(errors: Sequence[str]) -> str:
    """RestrictedPython's "Line 3: X." messages as one readable sentence."""
    reasons = []
    for error in errors:
        match = _LINE_PREFIX.match(error)
        reasons.append(f"{match[2]} (line {match[1]})" if match else error)
    return "script refused: " + "; ".join(reasons or ["it does not compile"])


@lru_cache(maxsize=_CACHE_SIZE)
def _compile(source: str, mode: str) -> CodeType | tuple[str, ...]:
    """Compiled code, or RestrictedPython's reasons; cached by source text because the same few run all day."""
    if mode == "eval":
        result = compile_restricted_eval(source.strip(), _FILENAME, policy=_Policy)
    elif mode == "exec":
        result = compile_restricted_exec(source, _FILENAME, policy=_Policy)
    else:
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if result.errors or result.code is None:
        return tuple(result.errors)
    return result.code


def _compiled(source: str, mode: str) -> CodeType:
    compiled = _compile(source, mode)
    if isinstance(compiled, tuple):
        first = classify(compiled[0]) if compiled else None
        raise ScriptRejected(_describe(compiled), first)
    return compiled


def check_source(source: str, mode: str) -> str | None:
    """Deploy-time lint: None if ``source`` compiles under the sandbox's rules, else the reason.

    Refusals that can only happen at run time (calling ``open()``, ``getattr(x, "__class__")``) pass.
    """
    compiled = _compile(source, mode)
    return _describe(compiled) if isinstance(compiled, tuple) else None


def source_refusals(source: str, mode: str) -> tuple[Refusal, ...]:
    """What :func:`check_source` finds, each reason as a coded :class:`Refusal` (none if it compiles)."""
    if not source.strip():
        return (refusal("script.empty"),)
    compiled = _compile(source, mode)
    if not isinstance(compiled, tuple):
        return ()
    return tuple(classify(error) for error in compiled) or (refusal("script.syntax", line=0, detail=""),)


def sandbox_check(source: str, mode: str) -> None:
    """The deploy-time source check: Python's syntax (SyntaxError with its line), then the sandbox's rules
    (ValueError saying why), so a script the engine would refuse is found before a dossier reaches it."""
    compile(source.strip() if mode == "eval" else source, _FILENAME, mode, dont_inherit=True)
    reason = check_source(source, mode)
    if reason:
        raise ValueError(reason)


# --- what compiled scripts see --------------------------------------------------------------------------


def _guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """Attribute access for scripts (``x.y`` and ``getattr``): no ``_`` names, no ``str.format``.

    ``safer_getattr_raise`` rather than ``safer_getattr``: the latter returns None for a missing attribute.
    """
    if isinstance(name, str) and name.startswith("_"):
        raise ScriptRejected(
            f"script refused: access to attribute {name!r} is not allowed",
            refusal("script.underscore_attribute", name=name),
        )
    return safer_getattr_raise(obj, name, *default)  # type: ignore[no-untyped-call]  # unannotated upstream


def _refused_builtin(name: str) -> Callable[..., NoReturn]:
    """A stand-in so that calling e.g. ``open`` says why instead of a bare NameError."""

    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        raise ScriptRejected(f"script refused: {name}() is not allowed", refusal("script.forbidden_call", name=name))

    return refused


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "@=": operator.imatmul,
    "<<=": operator.ilshift, ">>=": operator.irshift, "&=": operator.iand, "^=": operator.ixor,
    "|=": operator.ior,
}  # fmt: skip


_BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod,
}  # fmt: skip
#: ``%`` conversions: their width and precision (a number, or ``*`` taken from the arguments)
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_CONVERSIONS: dict[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}
#: String methods whose result can be far longer than their inputs: (receiver, arguments) -> its length
_GROWING: dict[str, Callable[..., int]] = {
    "ljust": lambda s, width, *_: width,
    "rjust": lambda s, width, *_: width,
    "center": lambda s, width, *_: width,
    "zfill": lambda s, width: width,
    "expandtabs": lambda s, tabsize=8: len(s) + s.count("\t") * tabsize,
    "replace": lambda s, old, new, count=-1: len(s) + (s.count(old) if old else len(s) + 1) * (len(new) - len(old)),
}


class _Bounds:
    """The guards compiled scripts call for ``range``, ``pow``, ``*``, ``**``, ``<<`` and their in-place forms."""

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits

    def _refuse(self, what: str, size: int, bound: int, setting: str) -> NoReturn:
        unit = {"script_max_text": "characters", "script_max_items": "items"}.get(setting, "bits")
        found = refusal(
            "script.bound", what=what, size=size, unit=unit, bound=bound, setting=f"AWARDFLOW_{setting.upper()}"
        )
        raise ScriptTooBig(f"script refused: {found.message}", found)

    def check(self, symbol: str, left: Any, right: Any) -> None:
        """Refuse, before it runs, an operation whose result would pass a bound."""
        limits = self.limits
        if symbol == "*":
            if isinstance(left, int) and not isinstance(right, int):
                left, right = right, left
            if isinstance(left, str | bytes | bytearray) and isinstance(right, int):
                if len(left) * right > limits.max_text:
                    self._refuse("a repeated string", len(left) * right, limits.max_text, "script_max_text")
            elif isinstance(left, list | tuple) and isinstance(right, int):
                if len(left) * right > limits.max_items:
                    self._refuse("a repeated list", len(left) * right, limits.max_items, "script_max_items")
            elif isinstance(left, int) and isinstance(right, int):
                self._bits(left.bit_length() + right.bit_length())
        elif symbol == "%":
            if isinstance(left, str):
                self._percent(left, right)
        elif symbol in ("<<", "**") and isinstance(left, int) and isinstance(right, int) and right > 0:
            if symbol == "<<":
                self._bits(left.bit_length() + right)
            elif abs(left) > 1:
                self._bits(int(math.log2(abs(left)) * right) + 1)

    def _percent(self, template: str, args: Any) -> None:
        """``"%*d" % (10**10, 1)`` and ``"%10000000000d" % 1`` ask for a width nobody needs."""
        numbers = (
            [args]
            if isinstance(args, int)
            else [a for a in args if isinstance(a, int)]
            if isinstance(args, tuple)
            else []
        )
        for match in _PERCENT_SPEC.finditer(template):
            for part in match.groups():
                size = max(numbers, default=0) if part == "*" else int(part) if part else 0
                self._text(size, "a formatted string")

    def _text(self, size: int, what: str) -> None:
        if size > self.limits.max_text:
            self._refuse(what, size, self.limits.max_text, "script_max_text")

    def format(self, value: Any, conversion: int, spec: str) -> str:
        """An f-string field with a format spec (``f"{x:>{n}}"``): its width and precision are bounded."""
        self._text(max((int(n) for n in re.findall(r"\d+", spec)), default=0), "a formatted field")
        converted = _CONVERSIONS[conversion](value) if conversion in _CONVERSIONS else value
        return format(converted, spec)

    def getattr(self, obj: Any, name: str, *default: Any) -> Any:
        """Attribute access, with the string methods that can grow a string guarded."""
        found = _guarded_getattr(obj, name, *default)
        if isinstance(obj, str) and isinstance(name, str) and (name in _GROWING or name == "join"):
            return self._bounded_method(obj, name, found)
        return found

    def _bounded_method(self, text: str, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def bounded(*args: Any) -> Any:
            if name == "join":
                parts = list(args[0]) if args else []
                size = sum(len(p) for p in parts if isinstance(p, str)) + len(text) * max(0, len(parts) - 1)
                self._text(size, f"str.{name}()")
                return method(parts)
            self._text(_GROWING[name](text, *args), f"str.{name}()")
            return method(*args)

        return bounded

    def _bits(self, bits: int) -> None:
        if bits > self.limits.max_int_bits:
            self._refuse("an integer", bits, self.limits.max_int_bits, "script_max_int_bits")

    def binop(self, symbol: str, left: Any, right: Any) -> Any:
        """``a * b`` and the like (the policy compiles them to ``_binop_("*", a, b)``)."""
        self.check(symbol, left, right)
        return _BINARY_OPERATORS[symbol](left, right)

    def inplacevar(self, op: str, target: Any, value: Any) -> Any:
        """``x += y`` (RestrictedPython compiles it to ``x = _inplacevar_("+=", x, y)``)."""
        self.check(op[:-1], target, value)
        return _INPLACE_OPERATORS[op](target, value)

    def range(self, *args: int) -> range:
        """``range`` with a length cap: ``sum(range(10**9))`` is one C call the time limit cannot stop."""
        result = range(*args)
        if len(result) > self.limits.max_items:
            self._refuse("a range", len(result), self.limits.max_items, "script_max_items")
        return result

    def pow(self, base: Any, exp: Any, mod: Any = None) -> Any:
        """``pow``; with a modulus it stays small, without one it is checked like ``**``."""
        if mod is None:
            self.check("**", base, exp)
        return pow(base, exp, mod)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``f(*args, **kwargs)`` (RestrictedPython routes star-calls through ``_apply_``)."""
    return func(*args, **kwargs)


def _catchable(handler_types: Callable[[], Any]) -> Any:
    """Filter for every ``except`` clause: a refusal or the time limit never matches; bare ``except:``
    catches Exception (not KeyboardInterrupt or SystemExit)."""
    if isinstance(sys.exc_info()[1], ScriptRejected | ScriptTimeout):
        return ()
    types = handler_types()
    return Exception if types is None else types


_SAFE_EXTRAS = (
    len, min, max, sum, sorted, any, all, enumerate, zip, dict, list, set, tuple, str, int, float,
    bool, round, abs, isinstance, map, filter, reversed,
)  # fmt: skip
_REFUSED = (
    "open", "eval", "exec", "compile", "type", "globals", "vars", "locals", "dir", "input", "breakpoint",
    "help", "exit", "quit", "memoryview", "object", "super", "bytes", "bytearray",
)  # fmt: skip

_BUILTINS: dict[str, Any] = {
    **{name: value for name, value in safe_builtins.items() if name != "__build_class__"},
    **{fn.__name__: fn for fn in _SAFE_EXTRAS},
    **{name: _refused_builtin(name) for name in _REFUSED},
    "getattr": _guarded_getattr,
    "datetime": ClockDatetime,  # a script asking datetime for "now" gets engine.clock's moment
    "date": date,
    "timedelta": timedelta,
    "timezone": timezone,
}

# The names RestrictedPython's compiled code calls; they start with "_", so scripts cannot touch them.
_SANDBOX: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": _guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,  # item assignment on dict and list only
    "_apply_": _apply,
    "_print_": PrintCollector,  # print() output is collected and dropped
    "_catchable_": _catchable,
}
#: "_print": the collector a printing script creates; the guards each environment adds for its bounds
_INJECTED = frozenset({*_SANDBOX, "_print", "_binop_", "_inplacevar_", "_format_"})


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Spiff's ``TaskDataEnvironment`` semantics, run through RestrictedPython under a time limit.

    ``helpers`` are the functions (and constants) scripts may call, e.g. ``working_days_after``.
    """

    def __init__(
        self,
        helpers: Mapping[str, Any] | None = None,
        time_limit_s: float = 2.0,
        limits: ScriptLimits | None = None,
    ) -> None:
        super().__init__(dict(helpers or {}))
        self.time_limit_s = float(time_limit_s)
        self.limits = limits or ScriptLimits()
        bounds = _Bounds(self.limits)
        self._sandbox: dict[str, Any] = {
            **_SANDBOX,
            "__builtins__": {**_BUILTINS, "range": bounds.range, "pow": bounds.pow, "getattr": bounds.getattr},
            "_getattr_": bounds.getattr,
            "_binop_": bounds.binop,
            "_inplacevar_": bounds.inplacevar,
            "_format_": bounds.format,
        }

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """The value of ``expression``; task data shadows helpers, as in Spiff (the sandbox names never)."""
        code = _compiled(expression, "eval")
        namespace = {**self.globals, **(external_context or {}), **context, **self._sandbox}
        return self._run(code, namespace)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run ``script`` with the task data as its globals, so its assignments land in the task data.

        If it fails, or leaves a variable the store cannot hold, the task data is put back as it was."""
        external = external_context or {}
        clash = (set(self.globals) | set(external)) & set(context)
        if clash:
            raise ValueError(
                f"task data overwrites script helper(s) {', '.join(sorted(clash))}: "
                "rename these variables or form fields"
            )
        code = _compiled(script, "exec")  # before touching the task data
        before = copy.deepcopy(context)
        context.update({**self.globals, **external, **self._sandbox})
        try:
            self._run(code, context)
            self._remove_injected(context, external)
            self._check_values(context)
        except BaseException:
            context.clear()
            context.update(before)
            raise
        return True

    def _check_values(self, context: Mapping[str, Any]) -> None:
        """Refuse what the workflow store cannot hold now, naming the variable, rather than at save time."""
        for name, value in context.items():
            found = values.problem(value, self.limits.max_value_bytes)
            if found is not None:
                raise ScriptRejected(f"script left variable {name!r} that {found}")

    def _remove_injected(self, context: dict[str, Any], external: Mapping[str, Any]) -> None:
        """Keep the task data JSON-friendly: drop helpers, sandbox names and functions a script defined."""
        for key in list(context):
            if key in _INJECTED or key in self.globals or key in external or callable(context[key]):
                del context[key]

    def _run(self, code: CodeType, namespace: dict[str, Any]) -> Any:
        """Run ``code`` under a tracer that raises ScriptTimeout at the deadline, and ScriptTooBig once the
        process has grown by more than the memory bound since the script started; restore the old tracer."""
        limit = self.time_limit_s
        deadline = time.monotonic() + limit
        memory = _Memory(self.limits.max_memory_mb)
        events = 0

        def tracer(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
            nonlocal events
            if event == "call" and frame.f_code.co_filename == _FILENAME:
                # Python 3.11 compiles `while True: pass` to one jump onto itself: no line events, so
                # script frames are traced per opcode. Helpers (our own code) get line events only.
                frame.f_trace_opcodes = True
            events += 1
            if events % _CHECK_EVERY == 0:  # events take microseconds: looking at each would double their cost
                if time.monotonic() > deadline:
                    raise ScriptTimeout(limit)
                memory.check()
            return tracer

        previous = sys.gettrace()
        sys.settrace(tracer)
        try:
            return eval(code, namespace)  # also runs exec-mode code (and returns None)
        finally:
            sys.settrace(previous)


class _Memory:
    """How much the process grew while a script runs. Read from ``/proc/self/statm`` on Linux (the resident size,
    a few microseconds). Elsewhere (macOS, the BSDs) from ``getrusage``, which gives only the peak resident size:
    a peak that rose by more than the bound is memory the script took, but a script may first reuse, unnoticed,
    what the process had freed below its earlier peak. Where neither exists (Windows) there is no bound: the
    operating system's (a job object, a container) must hold it."""

    def __init__(self, limit_mb: int) -> None:
        self.limit_mb = limit_mb
        self.read = _read_memory
        self.start = self.read()
        self.looks = 0

    def check(self) -> None:
        """Every :data:`_MEMORY_EVERY` calls, look at the resident size; ScriptTooBig past the bound."""
        self.looks += 1
        if self.start is None or self.looks % _MEMORY_EVERY:
            return
        now = self.read()
        if now is not None and now - self.start > self.limit_mb * 2**20:
            found = refusal("script.memory", mb=self.limit_mb)
            raise ScriptTooBig(f"script stopped: {found.message}", found)


#: trace events between two looks at the clock (and at the memory counter)
_CHECK_EVERY = 16
#: looks at the clock between two reads of the process's memory
_MEMORY_EVERY = 8
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int | None:
    """The process's resident memory (Linux), or None where /proc is not there."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def _peak_resident_bytes() -> int | None:
    """The process's peak resident memory (POSIX ``getrusage``: kilobytes, bytes on macOS), or None (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


#: how :class:`_Memory` reads the process's size here, chosen once (each script's evaluation made two reads to
#: choose it: a fiftieth of a what-if run)
_read_memory = _resident_bytes if _resident_bytes() is not None else _peak_resident_bytes


class ScriptEngine(PythonScriptEngine):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Spiff's script engine on the sandbox, with service tasks sent to ``services``."""

    def __init__(self, environment: SandboxEnvironment | None = None, services: ServiceCaller | None = None) -> None:
        super().__init__(environment=environment or SandboxEnvironment())
        self.services = services

    def evaluate(self, task: Task, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        """As Spiff's, plus the reason: Spiff's own message names only the failing expression."""
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as err:
            cause = err.__context__  # Spiff raises inside `except Exception as e` without `from e`
            if cause is not None and err.error_type == type(cause).__name__:
                err.add_note(f"{type(cause).__name__}: {cause}")
            raise

    def call_service(self, task: Task, operation_name: str, operation_params: dict[str, dict[str, Any]]) -> str:
        """Call ``services`` with the evaluated parameter values; Spiff expects the result as JSON text.

        Replaces Spiff 3.2's version, whose error branch raises NameError.
        """
        if self.services is None:
            raise WorkflowTaskException(
                f"service {operation_name} cannot be called: no service registry is configured", task=task
            )
        params = {name: param["value"] for name, param in operation_params.items()}
        try:
            result = self.services(operation_name, params, task.data)
        except Exception as err:
            raise WorkflowTaskException(f"service {operation_name} failed: {err}", task=task, exception=err) from err
        limit = self.environment.limits.max_value_bytes if isinstance(self.environment, SandboxEnvironment) else None
        found = values.problem(result, limit)
        if found is not None:  # checked here, where it is made, not when the workflow is saved
            raise WorkflowTaskException(f"service {operation_name} returned a value that {found}", task=task)
        try:
            return json.dumps(result)
        except (TypeError, ValueError) as err:  # e.g. a datetime: the result travels as JSON text
            raise WorkflowTaskException(f"service {operation_name} failed: {err}", task=task, exception=err) from err
