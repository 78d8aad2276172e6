"""Task forms are JSON Schemas; a broken schema would only show up when someone opens the task.

A form is also input from whoever deploys: a ``$ref`` to ``http://…`` made every completion fetch that URL
(and let its answer decide), an unresolvable one made every completion fail, and a ``pattern`` with nested
quantifiers (``(a+)+``) can take exponential time on one crafted answer. All three are refused here, with
the JSON path of the offending keyword; completions validate with :data:`NO_RETRIEVAL`, which fetches
nothing.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from jsonschema.validators import Draft202012Validator, validator_for
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from engine.bpmn.problem_codes import problem
from engine.bpmn.xml import ERROR, MAX_FILE_BYTES, WARNING
from engine.errors import Problem
from engine.values import text_problem, unshowable

if TYPE_CHECKING:
    from referencing._core import Resolver

with warnings.catch_warnings():  # the regular expression parser is the one `re` itself uses
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

__all__ = ["NO_RETRIEVAL", "load_form", "reference_problems", "pattern_problem"]

#: The registry completions validate with: it knows no resource and retrieves none (no network, no files).
NO_RETRIEVAL: Registry[Any] = Registry()
#: Longer patterns are refused outright.
MAX_PATTERN_CHARS = 1000
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)

#: At most this many meta-schema errors are listed per form.
MAX_FORM_ERRORS = 20
#: Deepest nesting of a form's JSON (objects and arrays); the shipped forms use under 12.
MAX_FORM_DEPTH = 64


def load_form(file: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse a form file and check it against its JSON Schema meta-schema; the schema, or why not."""
    if len(data) > MAX_FILE_BYTES:
        return None, [problem(file, None, "file.too_large", mb=MAX_FILE_BYTES // (1024 * 1024))]
    try:
        schema = json.loads(data)
    except json.JSONDecodeError as exc:
        return None, [problem(file, None, "form.invalid_json", line=exc.lineno, detail=exc.msg)]
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, [problem(file, None, "form.invalid_json", detail=f"{type(exc).__name__}: {exc}")]
    if not isinstance(schema, dict):
        kind = type(schema).__name__
        return None, [problem(file, None, "form.not_object", kind=kind)]
    shape = _shape_problems(file, schema)
    if shape:
        return None, shape
    problems = _schema_errors(file, schema)
    if not any(p.severity == ERROR for p in problems):
        problems += reference_problems(file, schema) or _cycle_problems(file, schema)
        problems += [
            problem(file, pointer, "form.pattern", pattern=pattern, detail=message)
            for pointer, pattern in _patterns(schema, "$")
            if (message := pattern_problem(pattern)) is not None
        ]
    if any(p.severity == ERROR for p in problems):
        return None, problems
    return schema, problems


def reference_problems(file: str, schema: dict[str, Any]) -> list[Problem]:
    """Every ``$ref`` / ``$dynamicRef`` that points outside this form, or at nothing in it."""
    base, resolver = _resolver(schema)
    problems = []
    for pointer, ref in _walk(schema, "$", ("$ref", "$dynamicRef")):
        target, _ = urldefrag(urljoin(base, ref))
        if target != urldefrag(base)[0]:
            problems.append(problem(file, pointer, "form.ref_outside", ref=ref))
            continue
        try:
            resolver.lookup(ref)
        except Unresolvable:
            problems.append(problem(file, pointer, "form.ref_missing", ref=ref))
    return problems


def _resolver(schema: dict[str, Any]) -> tuple[str, Resolver[Any]]:
    """The form's base URI and a resolver that knows the form alone."""
    found = schema.get("$id")
    base = found if isinstance(found, str) else ""
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    return base, Registry().with_resource(base, resource).resolver(base_uri=base)


def _shape_problems(file: str, schema: dict[str, Any]) -> list[Problem]:
    """A form nested past :data:`MAX_FORM_DEPTH` (the meta-schema check and the task page recurse once per
    level: 600 levels was a 500), or text no database keeps or a page shows as written (NUL, a lone surrogate,
    a bidirectional override: JSON escapes carry them all), named by its JSON path. Walked without recursion."""
    found: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(schema, "$", 0)]
    while stack and len(found) < MAX_FORM_ERRORS:
        node, where, depth = stack.pop()
        if depth > MAX_FORM_DEPTH:
            return [problem(file, where, "form.too_deep", levels=MAX_FORM_DEPTH)]
        if isinstance(node, str):
            what = _hidden(node)
            if what:
                found.append(problem(file, where, "form.unshowable", what=what))
            continue
        pairs = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in pairs:
            inner = _member(where, key) if isinstance(key, str) else f"{where}[{key}]"
            stack.append((child, inner, depth + 1))
            if isinstance(key, str):
                stack.append((key, inner, depth + 1))
    return found


def _hidden(text: str) -> str | None:
    """What ``text`` holds that may not be kept or shown (see :func:`_shape_problems`), or None."""
    if "\x00" in text:
        return "a NUL character"
    if text_problem(text):
        return "a lone surrogate"
    char = unshowable(text)
    return f"the control character {char}" if char else None


def _cycle_problems(file: str, schema: dict[str, Any]) -> list[Problem]:
    """References that lead back where they started without passing into a property or an item
    (``a → b → a``, ``allOf: [{"$ref": "#"}]`` at the root): validating any answer would recurse for ever."""
    _, resolver = _resolver(schema)
    state: dict[int, bool] = {}  # id of a subschema -> True while on the path, False when done
    for start in _subschemas(schema):
        stack = [(start, iter(_in_place(start, resolver)))]
        state.setdefault(id(start), True)
        while stack:
            node, following = stack[-1]
            step = next(following, None)
            if step is None:
                state[id(node)] = False
                stack.pop()
                continue
            ref, target = step
            if state.get(id(target)) is True:
                return [problem(file, None, "form.ref_cycle", ref=ref)]
            if id(target) not in state:
                state[id(target)] = True
                stack.append((target, iter(_in_place(target, resolver))))
    return []


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in the form (a superset of its subschemas)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _in_place(node: dict[str, Any], resolver: Resolver[Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(how, subschema) of what applies to the same value as ``node``: references and the combinators."""
    for key in ("$ref", "$dynamicRef"):
        ref = node.get(key)
        if isinstance(ref, str):
            try:
                target = resolver.lookup(ref).contents
            except Unresolvable:
                continue
            if isinstance(target, dict):
                yield ref, target
    for key in ("allOf", "anyOf", "oneOf", "not", "if", "then", "else"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield key, item


def pattern_problem(pattern: str) -> str | None:
    """Why a ``pattern`` may not be deployed: it does not compile, is too long, nests unbounded quantifiers
    (``(a+)+``, ``(\\w+\\s?)*``) or repeats an alternation whose alternatives can begin with the same
    character (``(a|ab)*c``, ``(\\w|\\d)+$``, ``(.|\\s)*``): both backtrack exponentially on a near match."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern is longer than {MAX_PATTERN_CHARS} characters"
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(_as_written(pattern))
    except (re.error, RecursionError, OverflowError) as exc:
        return f"pattern {pattern!r} is not a valid regular expression: {exc}"
    found = _Backtracking(parsed).find(parsed, nested=False, alternating=False)
    if found:
        return f"pattern {pattern!r} {found} and can backtrack catastrophically; rewrite it without them"
    return None


#: A zero-width item put before every ``|`` (see :func:`_as_written`).
_KEEP_ALTERNATIVE = "(?=)"
#: A bounded repeat of more rounds than this multiplies the ways overlapping alternatives can match.
_FEW_ROUNDS = 10
_SINGLE = (sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.ANY, sre_constants.IN)
_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)
#: A one-character item (op, argument) as the parser gives it: LITERAL, NOT_LITERAL, ANY or IN.
Atom = tuple[Any, Any]
#: Matches every character (no character is -1).
_EVERY: list[Atom] = [(sre_constants.NOT_LITERAL, -1)]
_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: re.compile(r"\d"),
    sre_constants.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    sre_constants.CATEGORY_SPACE: re.compile(r"\s"),
    sre_constants.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    sre_constants.CATEGORY_WORD: re.compile(r"\w"),
    sre_constants.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
#: The characters two first-character sets are compared on: ASCII, Latin and Vietnamese letters, combining
#: marks, a few other digits, spaces and letters; the pattern's own literals and range ends are added.
_PROBE = frozenset(
    [chr(c) for c in (*range(0x250), *range(0x300, 0x370), *range(0x1EA0, 0x1F00))]
    + list("\u0410\u0663\u0966\u2003\u2028\u3000\u4e00\uff10\U0001d7d8")
)


def _as_written(pattern: str) -> str:
    """``pattern`` with :data:`_KEEP_ALTERNATIVE` before every ``|`` outside a character class, which matches
    the same strings. Python's parser folds one-character alternatives into a class (``(\\w|\\d)`` becomes
    ``[\\w\\d]``) and hoists common prefixes: that is a CPython optimisation, and the ECMAScript engines that
    JSON Schema's ``pattern`` is written for (a browser, another client of the form) backtrack through the
    alternation as written. Where the marked copy does not parse (a ``|`` in a comment), the pattern is
    checked as the parser gives it."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        out.append(char)
        index += 1
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            for literal in ("^", "]"):  # ``[]a]`` and ``[^]a]``: a leading ``]`` is a member
                if pattern.startswith(literal, index):
                    out.append(literal)
                    index += 1
        elif char == "|":
            out.insert(len(out) - 1, _KEEP_ALTERNATIVE)
    marked = "".join(out)
    try:
        sre_parse.parse(marked)
    except (re.error, RecursionError, OverflowError):
        return pattern
    return marked


class _Backtracking:
    """Finds, in a parsed pattern, what can backtrack exponentially."""

    def __init__(self, parsed: Any) -> None:
        self.ignore_case = bool(parsed.state.flags & re.IGNORECASE)
        self.dot_all = bool(parsed.state.flags & re.DOTALL)
        self.probe = _PROBE | frozenset(self._own_characters(parsed))

    def find(self, items: Any, *, nested: bool, alternating: bool) -> str | None:
        """What in ``items`` backtracks: ``nested``, we are in the body of an unbounded repeat; ``alternating``,
        in the body of a repeat of more than :data:`_FEW_ROUNDS` rounds."""
        for op, av in items:
            inner_nested, inner_alternating = nested, alternating
            if op in _REPEATS:
                unbounded = av[1] == sre_constants.MAXREPEAT
                if unbounded and nested:
                    return "nests quantifiers"
                inner_nested, inner_alternating = nested or unbounded, alternating or av[1] > _FEW_ROUNDS
            elif op == sre_constants.BRANCH and alternating and self._overlap(av[1]):
                return "repeats alternatives that can match the same text"
            for part in _parts(op, av):
                if found := self.find(part, nested=inner_nested, alternating=inner_alternating):
                    return found
        return None

    def _overlap(self, branches: list[Any]) -> bool:
        """Whether two of ``branches`` can begin with the same character (one that can match nothing begins with
        whatever follows it: any character)."""
        firsts = []
        for branch in branches:
            atoms, empty = self._first(branch)
            firsts.append(_EVERY if empty else atoms)
        return any(self._meet(one, other) for index, one in enumerate(firsts) for other in firsts[index + 1 :])

    def _meet(self, one: list[Atom], other: list[Atom]) -> bool:
        return any(self._member(one, char) and self._member(other, char) for char in self.probe)

    def _first(self, items: Any) -> tuple[list[Atom], bool]:
        """The one-character items the first character ``items`` match is matched by, and whether ``items`` can
        match the empty string."""
        atoms: list[Atom] = []
        for op, av in items:
            if op in _SINGLE:
                return [*atoms, (op, av)], False
            if op in _ZERO_WIDTH:
                continue
            if op == sre_constants.SUBPATTERN:
                found, empty = self._first(av[3])
            elif op == sre_constants.ATOMIC_GROUP:
                found, empty = self._first(av)
            elif op in _REPEATS:
                found, empty = self._first(av[2])
                empty = empty or av[0] == 0
            elif op == sre_constants.BRANCH:
                each = [self._first(branch) for branch in av[1]]
                found, empty = [a for atoms_, _ in each for a in atoms_], any(e for _, e in each)
            else:  # a back reference, a conditional group: anything, or nothing
                found, empty = _EVERY, True
            atoms += found
            if not empty:
                return atoms, False
        return atoms, True

    def _member(self, atoms: list[Atom], char: str) -> bool:
        forms = {form for form in (char, char.lower(), char.upper()) if len(form) == 1} if self.ignore_case else {char}
        return any(self._matches(atom, form) for atom in atoms for form in forms)

    def _matches(self, atom: Atom, char: str) -> bool:
        """Whether ``char`` matches one item (or, inside a class, one member)."""
        op, av = atom
        if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL):
            return (ord(char) == int(av)) is (op is sre_constants.LITERAL)
        if op == sre_constants.ANY:
            return self.dot_all or char != "\n"
        if op == sre_constants.RANGE:
            return int(av[0]) <= ord(char) <= int(av[1])
        if op == sre_constants.CATEGORY:
            return bool(_CATEGORIES[av].match(char))
        if op == sre_constants.IN:
            negate = bool(av) and av[0][0] == sre_constants.NEGATE
            return negate != any(self._matches(member, char) for member in av)
        return False  # NEGATE, the mark of a negated class

    @staticmethod
    def _own_characters(items: Any) -> Iterator[str]:
        """Every literal and range end in the pattern (so that ranges and literals meet where they overlap)."""
        for op, av in items:
            if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL) and av >= 0:
                yield chr(av)
            elif op == sre_constants.RANGE:
                yield from (chr(av[0]), chr(av[1]))
            for part in _parts(op, av):
                yield from _Backtracking._own_characters(part)


def _parts(op: Any, av: Any) -> list[Any]:
    """The item lists inside one parsed item (a group's, a repeat's body, the alternatives, a class's members)."""
    if op in _REPEATS:
        return [av[2]]
    if op == sre_constants.BRANCH:
        return list(av[1])
    if op in (sre_constants.SUBPATTERN, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [av[-1]]
    if op in (sre_constants.ATOMIC_GROUP, sre_constants.IN):
        return [av]
    if op == sre_constants.GROUPREF_EXISTS:
        return [part for part in av[1:] if part is not None]
    return []


def _patterns(schema: Any, path: str) -> Iterator[tuple[str, str]]:
    """(JSON path, regex) of every ``pattern`` and every ``patternProperties`` key."""
    for where, value in _walk(schema, path, ("pattern",)):
        yield where, value
    for where, value in _walk(schema, path, ("patternProperties",), strings=False):
        if isinstance(value, dict):
            yield from ((_member(where, key), key) for key in value)


def _walk(node: Any, pointer: str, keys: tuple[str, ...], *, strings: bool = True) -> Iterator[tuple[str, Any]]:
    """(JSON path, value) of every occurrence of ``keys`` in a schema, depth first; paths are written as
    jsonschema writes them in the meta-schema findings (``$.properties.name.pattern``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = _member(pointer, str(key))
            if key in keys and (isinstance(value, str) or not strings):
                yield where, value
            elif isinstance(value, dict | list):
                yield from _walk(value, where, keys, strings=strings)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}[{index}]", keys, strings=strings)


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if re.fullmatch(r"[\w$]+", key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _schema_errors(file: str, schema: dict[str, Any]) -> list[Problem]:
    """All meta-schema violations (``check_schema`` stops at the first; we list them all)."""
    declared = schema.get("$schema")
    problems: list[Problem] = []
    if declared is not None and not isinstance(declared, str):
        return [problem(file, "$schema", "form.schema_not_string")]
    cls = validator_for(schema, default=None) if declared is not None else validator_for(schema)
    if cls is None:
        cls = Draft202012Validator
        problems.append(problem(file, "$schema", "form.schema_unknown", WARNING, declared=declared))
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    errors = sorted(meta.iter_errors(schema), key=lambda error: list(map(str, error.absolute_path)))
    for error in errors[:MAX_FORM_ERRORS]:
        problems.append(problem(file, error.json_path, "form.schema_invalid", detail=error.message))
    if len(errors) > MAX_FORM_ERRORS:
        problems.append(problem(file, None, "form.schema_more", count=len(errors) - MAX_FORM_ERRORS))
    return problems
