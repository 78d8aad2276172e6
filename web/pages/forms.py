"""A task's JSON Schema as an HTML form: the fields to render, the posted fields back to JSON, the messages.

No JavaScript and no I/O. :func:`fields` reads the schema into a tree of :class:`Field`; the template renders
it with the posted (or initial) values, which stay as the browser sent them (a ``MultiDict``) so a refused
form comes back exactly as typed. :func:`parse` turns the posted fields into JSON typed per the schema
(with the problems it finds converting), and :func:`messages` explains, in the page's language, why the
schema refuses some data — the engine stays the one that decides.

Supported: string (text; ``enum`` or ``oneOf`` consts → select; ``format: date`` → dd/mm/yyyy; ``maxLength`` over
:data:`TEXTAREA_FROM` → textarea), integer and number (a decimal comma is accepted), boolean (checkbox), array
of enum strings (checkboxes), array of strings or numbers (one per line), array of objects (rows of a table,
:data:`EXTRA_ROWS` blank ones to add), nested object (fieldset); ``["type", "null"]`` (blank → null);
anything else as JSON in a textarea.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import jsonschema
from werkzeug.datastructures import MultiDict

from web import i18n

#: A string allowed more characters than this is edited in a textarea.
TEXTAREA_FROM = 200
#: Blank rows offered under an array of objects (filled ones are kept, blank ones are dropped).
EXTRA_ROWS = 2
#: The most rows a table takes: a row numbered past it (``nominees.99999999.id``) is refused, naming the table,
#: rather than read (or shown again) with every row before it.
MAX_ROWS = 500
#: Left out of the data: a blank optional field.
_MISSING = object()

i18n.TEXTS.update(
    {
        "taskform.choose": ("— Chọn —", "— Choose —"),
        "taskform.required_mark": ("bắt buộc", "required"),
        "taskform.max_length": ("Tối đa {n} ký tự.", "At most {n} characters."),
        "taskform.one_per_line": ("Mỗi dòng một giá trị.", "One value per line."),
        "taskform.too_many_rows": ("Bảng có tối đa {n} dòng.", "A table has at most {n} rows."),
        "taskform.as_json": ("Nhập dạng JSON.", "Enter as JSON."),
        "taskform.row": ("Dòng {n}", "Row {n}"),
        "taskform.not_integer": ("Phải là số nguyên.", "Must be a whole number."),
        "taskform.not_number": ("Phải là số.", "Must be a number."),
        "taskform.not_date": ("Ngày không hợp lệ (dd/mm/yyyy).", "Not a valid date (dd/mm/yyyy)."),
        "taskform.not_json": ("Không phải JSON hợp lệ.", "Not valid JSON."),
        "taskform.line": ("Dòng {line}: {message}", "Line {line}: {message}"),
        "taskform.v.required": ("Vui lòng nhập mục này.", "This field is required."),
        "taskform.v.maxLength": ("Tối đa {n} ký tự (đang có {given}).", "At most {n} characters ({given} given)."),
        "taskform.v.minLength": ("Cần ít nhất {n} ký tự.", "At least {n} characters."),
        "taskform.v.empty": ("Không được để trống.", "Must not be empty."),
        "taskform.v.enum": ("Vui lòng chọn một giá trị trong danh sách.", "Choose one of the listed values."),
        "taskform.v.const": ("Giá trị không được chấp nhận.", "This value is not accepted."),
        "taskform.v.must_check": ("Cần đánh dấu mục này.", "This box must be ticked."),
        "taskform.v.minimum": ("Phải từ {n} trở lên.", "Must be at least {n}."),
        "taskform.v.maximum": ("Phải không quá {n}.", "Must be at most {n}."),
        "taskform.v.exclusiveMinimum": ("Phải lớn hơn {n}.", "Must be more than {n}."),
        "taskform.v.exclusiveMaximum": ("Phải nhỏ hơn {n}.", "Must be less than {n}."),
        "taskform.v.minItems": ("Cần ít nhất {n} mục.", "At least {n} items."),
        "taskform.v.maxItems": ("Tối đa {n} mục.", "At most {n} items."),
        "taskform.v.uniqueItems": ("Các mục không được trùng nhau.", "Items must not repeat."),
        "taskform.v.pattern": ("Không đúng định dạng.", "Not in the expected format."),
        "taskform.v.type": ("Sai kiểu dữ liệu.", "Wrong kind of value."),
        "taskform.v.additionalProperties": ("Biểu mẫu có trường không được phép.", "The form has an unknown field."),
        "taskform.v.other": (
            "Thông tin chưa hợp lệ theo điều kiện của biểu mẫu.",
            "This does not meet the form's rules.",
        ),
    }
)


@dataclass
class Field:
    """One input (or group of inputs) of the form; ``name`` is the property path joined by dots."""

    name: str
    key: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    nullable: bool = False
    hint: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    #: a fieldset's fields, or the columns of a table of rows (their names are a row template's)
    children: list[Field] = field(default_factory=list)
    #: a table of rows: each row's fields
    rows: list[list[Field]] = field(default_factory=list)
    item_kind: str = "text"
    schema: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


# -- schema → fields -----------------------------------------------------------------------------------------


def _types(schema: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The one non-null type of a property (None if not exactly one) and whether null is allowed."""
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else list(declared or [])
    others = [t for t in names if t != "null"]
    if not others:
        if "enum" in schema or _consts(schema):
            return "string", "null" in names
        return None, "null" in names
    return (others[0] if len(others) == 1 else None), "null" in names


def _consts(schema: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """``oneOf`` / ``anyOf`` of ``const`` with a ``title``: the usual way to label choices."""
    for word in ("oneOf", "anyOf"):
        options = schema.get(word)
        if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
            return [(o["const"], str(o.get("title") or o["const"])) for o in options]
    return []


def _options(schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(_text(value), label) for value, label in _consts(schema) or _labelled(schema)]


def _labelled(schema: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """An ``enum``'s values with their ``x-enumNames`` (or the values themselves where the form names none)."""
    values = list(schema.get("enum") or [])
    names = schema.get("enumNames") or schema.get("x-enumNames") or []
    labels = [str(n) for n in names] if len(names) == len(values) else [_text(v) for v in values]
    return list(zip(values, labels, strict=True))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def with_choices(schema: Any, choices: Mapping[str, list[tuple[Any, str]]]) -> Any:
    """A copy of ``schema`` where each property marked ``"x-choices": "<list>"`` offers that list (value, label)
    as ``oneOf`` consts: a select of the dossier's nominees or the unit's appraisers instead of a typed id. A
    property with its own ``enum`` keeps its labels: the list only narrows the values offered (an outcome
    the dossier can no longer take disappears)."""
    if isinstance(schema, list):
        return [with_choices(item, choices) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: with_choices(value, choices) for key, value in schema.items()}
    listed = choices.get(str(schema.get("x-choices") or ""))
    if listed is not None and "enum" in schema:
        offered = {value for value, _ in listed}
        out["oneOf"] = [{"const": value, "title": label} for value, label in _labelled(schema) if value in offered]
    elif listed is not None:
        out["oneOf"] = [{"const": value, "title": label} for value, label in listed]
    return out


def offered(schema: Any) -> Any:
    """A copy of a form to fill in without the fields that go with a value no longer offered: a property marked
    ``"x-with": {"<sibling>": <value>}`` (the list of what is missing goes with the supplement request) is left
    out when the sibling's choices (:func:`with_choices`) no longer include that value."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return schema
    props: dict[str, Any] = schema["properties"]
    kept = {key: offered(sub) for key, sub in props.items() if _goes_with_offered(sub, props)}
    return {**schema, "properties": kept}


def _goes_with_offered(prop: Any, siblings: Mapping[str, Any]) -> bool:
    wanted = prop.get("x-with") if isinstance(prop, dict) else None
    for key, value in (wanted or {}).items():
        options = (siblings.get(key) or {}).get("oneOf")
        if isinstance(options, list) and value not in [o.get("const") for o in options if isinstance(o, dict)]:
            return False
    return True


def fields(schema: Mapping[str, Any] | None, values: MultiDict[str, str] | None = None) -> list[Field]:
    """The fields of an object schema, in the schema's order; ``values`` decides how many rows a table has."""
    if not schema:
        return []
    return _object_fields(schema, "", values or MultiDict())


def _object_fields(schema: Mapping[str, Any], prefix: str, values: MultiDict[str, str]) -> list[Field]:
    required = set(schema.get("required") or [])
    props = schema.get("properties") or {}
    return [_field(f"{prefix}{key}", key, sub, key in required, values) for key, sub in props.items()]


def _field(name: str, key: str, schema: Mapping[str, Any], required: bool, values: MultiDict[str, str]) -> Field:
    kind_of, nullable = _types(schema)
    made = Field(
        name=name,
        key=key,
        kind="json",
        label=str(schema.get("title") or key),
        help=str(schema.get("description") or ""),
        required=required,
        nullable=nullable,
        schema=dict(schema),
    )
    if kind_of == "string":
        made.kind = _string_kind(schema)
        if made.kind == "select":
            made.options = _options(schema)
        if "maxLength" in schema:
            made.hint = i18n.gettext("taskform.max_length", n=schema["maxLength"])
    elif kind_of in ("integer", "number"):
        made.kind = "select" if "enum" in schema or _consts(schema) else kind_of
        made.options = _options(schema) if made.kind == "select" else []
        made.attrs = {k: schema[k] for k in ("minimum", "maximum") if k in schema}
    elif kind_of == "boolean":
        made.kind = "checkbox"
    elif kind_of == "object" and isinstance(schema.get("properties"), dict):
        made.kind = "fieldset"
        made.children = _object_fields(schema, f"{name}.", values)
    elif kind_of == "array":
        _array(made, schema, values)
    if made.kind == "json":
        made.hint = i18n.gettext("taskform.as_json")
    return made


def _string_kind(schema: Mapping[str, Any]) -> str:
    if "enum" in schema or _consts(schema):
        return "select"
    if schema.get("format") == "date":
        return "date"
    return "textarea" if int(schema.get("maxLength") or 0) > TEXTAREA_FROM else "text"


def _array(made: Field, schema: Mapping[str, Any], values: MultiDict[str, str]) -> None:
    found = schema.get("items")
    items: Mapping[str, Any] = found if isinstance(found, dict) else {}
    item_type, _ = _types(items)
    if item_type == "string" and ("enum" in items or _consts(items)):
        made.kind, made.options = "checkboxes", _options(items)
    elif item_type in ("string", "integer", "number"):
        made.kind, made.item_kind = "lines", item_type
        made.hint = i18n.gettext("taskform.one_per_line")
    elif item_type == "object" and isinstance(items.get("properties"), dict):
        made.kind = "rows"
        made.children = _object_fields(items, f"{made.name}.#.", values)
        count = _row_count(made.name, values) + EXTRA_ROWS
        made.rows = [_object_fields(items, f"{made.name}.{i}.", values) for i in range(count)]


def _row_count(name: str, values: MultiDict[str, str]) -> int:
    """Rows up to the last one with something in it: blank rows sent back do not pile up on each refusal."""
    filled = _filled_rows(name, values)
    return min(filled[-1] + 1, MAX_ROWS) if filled else 0


def _filled_rows(name: str, values: MultiDict[str, str]) -> list[int]:
    """The numbers of the rows of table ``name`` with something in them, in order (past :data:`MAX_ROWS`, as
    MAX_ROWS: a number of thousands of digits is not even read)."""
    pattern = re.compile(re.escape(name) + r"\.(\d+)\.")
    found = (m.group(1) for key, value in values.items(multi=True) if value.strip() for m in [pattern.match(key)] if m)
    return sorted({min(int(digits), MAX_ROWS) if len(digits) <= 9 else MAX_ROWS for digits in found})


def flat(tree: Iterable[Field]) -> list[Field]:
    """Every field of a tree, groups and tables included."""
    out: list[Field] = []
    for f in tree:
        out.append(f)
        out.extend(flat(f.children if f.kind == "fieldset" else [c for row in f.rows for c in row]))
    return out


# -- JSON → initial values -----------------------------------------------------------------------------------


def initial(tree: Iterable[Field], data: Mapping[str, Any] | None = None) -> MultiDict[str, str]:
    """The form's starting values: the schema's ``default``s, overridden by ``data`` where it has a key."""
    values: MultiDict[str, str] = MultiDict()
    _fill(values, "", list(tree), dict(data or {}))
    return values


def _fill(values: MultiDict[str, str], prefix: str, tree: list[Field], data: Mapping[str, Any]) -> None:
    for f in tree:
        name = f"{prefix}{f.key}"
        value = data.get(f.key, f.schema.get("default"))
        if value is None:
            continue
        if f.kind == "fieldset" and isinstance(value, dict):
            _fill(values, f"{name}.", f.children, value)
        elif f.kind == "rows" and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, dict):
                    _fill(values, f"{name}.{index}.", f.children, row)
        elif f.kind == "checkboxes" and isinstance(value, list):
            for item in value:
                values.add(name, _text(item))
        elif f.kind == "lines" and isinstance(value, list):
            values[name] = "\n".join(_text(item) for item in value)
        elif f.kind == "checkbox":
            if value is True:
                values[name] = "true"
        elif f.kind == "json":
            values[name] = json.dumps(value, ensure_ascii=False, indent=1)
        elif f.kind == "date":
            values[name] = _shown_date(value)
        else:
            values[name] = _text(value)


# -- posted fields → JSON ------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """The data to send, the problems met converting it (by field name), and where each data row came from."""

    data: dict[str, Any]
    problems: dict[str, list[str]]
    #: data path of a kept row ("excluded.0") → its field-name prefix ("excluded.2") when blank rows went
    rows: dict[str, str]


def parse(tree: Iterable[Field], form: MultiDict[str, str]) -> Parsed:
    """The posted form as JSON typed per the schema; blank optional fields are left out (null if nullable)."""
    parsed = Parsed({}, {}, {})
    parsed.data = _parse_object(list(tree), form, "", "", parsed)
    return parsed


def _parse_object(tree: list[Field], form: MultiDict[str, str], prefix: str, path: str, out: Parsed) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in tree:
        value = _parse_field(f, form, f"{prefix}{f.key}", f"{path}{f.key}", out)
        if value is not _MISSING:
            data[f.key] = value
    return data


def _parse_field(f: Field, form: MultiDict[str, str], name: str, path: str, out: Parsed) -> Any:
    if f.kind == "checkbox":
        return name in form
    if f.kind == "checkboxes":
        chosen = [v for v in form.getlist(name) if v]
        return chosen if chosen else _MISSING
    if f.kind == "fieldset":
        inner = _parse_object(f.children, form, f"{name}.", f"{path}.", out)
        return inner if inner or f.required else _MISSING
    if f.kind == "rows":
        return _parse_rows(f, form, name, path, out)
    raw = form.get(name, "")
    if not raw.strip():
        return None if f.nullable else _MISSING
    try:
        if f.kind == "lines":
            return _parse_lines(f, raw)
        return _convert(f.kind, raw, f.schema)
    except ValueError as err:
        out.problems.setdefault(name, []).append(str(err))
        return _MISSING


def _parse_rows(f: Field, form: MultiDict[str, str], name: str, path: str, out: Parsed) -> Any:
    rows: list[dict[str, Any]] = []
    for index in _filled_rows(name, form):
        if index >= MAX_ROWS:
            out.problems.setdefault(name, []).append(i18n.gettext("taskform.too_many_rows", n=MAX_ROWS))
            break
        prefix = f"{name}.{index}."
        out.rows[f"{path}.{len(rows)}"] = prefix[:-1]
        rows.append(_parse_object(f.children, form, prefix, f"{path}.{len(rows)}.", out))
    return rows if rows else _MISSING


def _parse_lines(f: Field, raw: str) -> list[Any]:
    items: list[Any] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(_convert(f.item_kind, line, {}))
        except ValueError as err:
            raise ValueError(i18n.gettext("taskform.line", line=number, message=err)) from None
    return items


def _convert(kind: str, raw: str, schema: Mapping[str, Any]) -> Any:
    text = raw.strip()
    if kind == "select":
        for value in list(schema.get("enum") or []) + [v for v, _ in _consts(schema)]:
            if _text(value) == raw:
                return value
        declared, _ = _types(schema)
        if declared in ("integer", "number"):  # a number not offered: sent as one, for the engine to judge
            return _convert(declared, raw, {})
        return raw
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(i18n.gettext("taskform.not_integer")) from None
    if kind == "number":
        return _number_of(text)
    if kind == "date":
        return _iso_date(text)
    if kind == "json":
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(i18n.gettext("taskform.not_json")) from None
    return raw


def _number_of(text: str) -> int | float:
    """A number as typed, with a decimal point or the Vietnamese decimal comma ("1,5")."""
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(i18n.gettext("taskform.not_number")) from None
    if not number.is_finite():
        raise ValueError(i18n.gettext("taskform.not_number"))
    return int(number) if re.fullmatch(r"[+-]?\d+", text) else float(number)


def _shown_date(value: Any) -> str:
    """A stored YYYY-MM-DD as the form shows it, dd/mm/yyyy (anything else as it is)."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return _text(value)


def _iso_date(text: str) -> str:
    """YYYY-MM-DD (what a date input sends) or dd/mm/yyyy (typed by hand) → YYYY-MM-DD."""
    found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        day = date(int(found[3]), int(found[2]), int(found[1])) if found else date.fromisoformat(text)
    except ValueError:
        raise ValueError(i18n.gettext("taskform.not_date")) from None
    return day.isoformat()


# -- why the schema refuses the data -------------------------------------------------------------------------


def messages(schema: Mapping[str, Any] | None, parsed: Parsed) -> dict[str, list[str]]:
    """The schema's objections to ``parsed.data`` in the page's language, keyed by the field they concern."""
    if not schema:
        return {}
    validator = jsonschema.validators.validator_for(schema)(schema)
    found: dict[str, list[str]] = {}
    for error in validator.iter_errors(parsed.data):
        base = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            given = error.instance if isinstance(error.instance, dict) else {}
            for key in error.validator_value:
                if key not in given:
                    found.setdefault(_name(base + [str(key)], parsed), []).append(_say(error))
            continue
        found.setdefault(_name(base, parsed), []).append(_say(error))
    return {key: list(dict.fromkeys(texts)) for key, texts in found.items()}


def _name(path: list[str], parsed: Parsed) -> str:
    """A data path back to the field name it came from (rows may have moved up over blank ones)."""
    for cut in range(len(path), 0, -1):
        head = ".".join(path[:cut])
        if head in parsed.rows:
            return ".".join([parsed.rows[head], *path[cut:]])
    return ".".join(path) or "_"


def _say(error: jsonschema.ValidationError) -> str:
    kind, value = str(error.validator), error.validator_value
    if kind == "minLength" and value == 1:
        return i18n.gettext("taskform.v.empty")
    if kind == "maxLength":
        return i18n.gettext("taskform.v.maxLength", n=value, given=len(error.instance))
    if kind == "const" and value is True:
        return i18n.gettext("taskform.v.must_check")
    if kind in ("required", "enum", "const", "uniqueItems", "pattern", "type", "additionalProperties"):
        return i18n.gettext(f"taskform.v.{kind}")
    if kind in ("minLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems"):
        return i18n.gettext(f"taskform.v.{kind}", n=_number(value))
    return i18n.gettext("taskform.v.other")


def _number(value: Any) -> str:
    return str(value).replace(".", ",") if i18n.language() == "vi" else str(value)


def attach(problems: Mapping[str, list[str]], tree: Iterable[Field]) -> dict[str, list[str]]:
    """Messages by the field that shows them: a path without its own field goes to its nearest parent, or to
    the whole form (``_``)."""
    names = {f.name for f in flat(tree)}
    out: dict[str, list[str]] = {}
    for path, texts in problems.items():
        parts = path.split(".")
        target = "_"
        for cut in range(len(parts), 0, -1):
            if ".".join(parts[:cut]) in names:
                target = ".".join(parts[:cut])
                break
        out.setdefault(target, []).extend(t for t in texts if t not in out.get(target, []))
    return out
