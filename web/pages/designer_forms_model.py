"""The form editor's draft: a list of fields a designer edits, to and from the JSON Schema a task form is stored as.

JSON Schema stays the stored format: the engine validates completions with it and the task page renders it
(:mod:`web.pages.forms`); the draft is only the editor's view of it. A property the editor has no row for (a
table of rows, a nested group, a list filled from the dossier with ``x-choices``) is carried as it is (kind
``kept``), and so are the form's top-level rules (``allOf``, ``additionalProperties``…): opening and saving a
shipped form changes nothing the editor did not touch. No Flask and no I/O here; the problems are named by
the draft's field (``fields.2.label``) in the page's language.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from engine.bpmn.forms import load_form
from engine.errors import InvalidInput
from web import i18n
from web.pages import posted_json
from web.problem_texts import localized

i18n.TEXTS.update(
    {
        "formdraft.bad_name": (
            "Tên tệp: chữ thường không dấu, chữ số, dấu gạch dưới, kết thúc bằng .schema.json (tối đa 100 ký tự).",
            "File name: lower-case letters, digits and underscores, ending in .schema.json (at most 100).",
        ),
        "formdraft.no_title": ("Tiêu đề biểu mẫu: không được để trống.", "Form title: must not be empty."),
        "formdraft.too_long": ("Tối đa {n} ký tự.", "At most {n} characters."),
        "formdraft.no_fields": ("Danh sách trường không hợp lệ.", "The list of fields is not valid."),
        "formdraft.too_many": ("Biểu mẫu có tối đa {n} trường.", "A form has at most {n} fields."),
        "formdraft.bad_key": (
            "Mã trường: chữ thường không dấu, chữ số, dấu gạch dưới, bắt đầu bằng chữ cái (tối đa 64 ký tự).",
            "Field code: lower-case letters, digits and underscores, starting with a letter (at most 64).",
        ),
        "formdraft.key_twice": ("Mã trường trùng với trường số {n}.", "The same code as field {n}."),
        "formdraft.no_label": ("Nhãn: không được để trống.", "Label: must not be empty."),
        "formdraft.bad_kind": ("Loại trường không được hỗ trợ.", "This kind of field is not supported."),
        "formdraft.no_choices": ("Cần ít nhất một lựa chọn.", "At least one choice is needed."),
        "formdraft.choice_twice": ("Lựa chọn \u201c{value}\u201d bị lặp.", "The choice \u201c{value}\u201d repeats."),
        "formdraft.not_number": ("Phải là số.", "Must be a number."),
        "formdraft.not_integer": ("Phải là số nguyên.", "Must be a whole number."),
        "formdraft.not_whole": ("Phải là số nguyên không âm.", "Must be a whole number, not negative."),
        "formdraft.min_over_max": ("Giá trị nhỏ nhất lớn hơn giá trị lớn nhất.", "The minimum is above the maximum."),
        "formdraft.bad_kept": ("Trường nâng cao phải là một lược đồ JSON.", "An advanced field must be a schema."),
        "formdraft.bad_extra": ("Quy tắc chung của biểu mẫu không đọc được.", "The form's own rules cannot be read."),
        "formdraft.unreadable": ("Bản nháp biểu mẫu không đọc được.", "The form draft cannot be read."),
        "formdraft.schema": (
            "Lược đồ không hợp lệ ở {where}: {message}",
            "The schema is not valid at {where}: {message}",
        ),
    }
)

#: A form's file name: what a user task's ``form`` property names.
NAME = re.compile(r"[a-z][a-z0-9_]{0,79}\.schema\.json")
#: A field's code: the key its value has in the task data (a script or a condition reads it by this name).
KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_FIELDS = 100
MAX_TEXT = 2000
#: The kinds of field the editor makes, each one the task page renders as its own kind of input.
KINDS = ("text", "integer", "number", "date", "boolean", "choice", "choices", "kept")
#: Keys a property may have for the editor to show it as one of its kinds (anything else: ``kept``).
_PLAIN = {"type", "title", "description", "enum", "x-enumNames", "minimum", "maximum", "minLength", "maxLength"}
#: The top-level keys the editor writes itself; the others are carried in ``extra``.
_OWN = {"$schema", "$id", "title", "description", "type", "properties", "required"}
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


def slug(label: str) -> str:
    """A code made from a Vietnamese label ("Ý kiến đề xuất" → ``y_kien_de_xuat``)."""
    plain = unicodedata.normalize("NFD", label.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_")[:64]


# -- schema → draft ------------------------------------------------------------------------------------------


def draft_of(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The editor's draft of a stored form."""
    required = set(schema.get("required") or [])
    props = schema.get("properties") or {}
    return {
        "name": name,
        "title": str(schema.get("title") or ""),
        "description": str(schema.get("description") or ""),
        "fields": [_field_of(key, sub, key in required) for key, sub in props.items()],
        "extra": {k: v for k, v in schema.items() if k not in _OWN},
    }


def _field_of(key: str, prop: Any, required: bool) -> dict[str, Any]:
    made: dict[str, Any] = {"key": key, "required": required, "kind": "kept", "schema": prop}
    if not isinstance(prop, dict):
        return made
    made.update(label=str(prop.get("title") or key), help=str(prop.get("description") or ""))
    kind = _kind_of(prop)
    if kind is None:
        return made
    made.update(kind=kind, schema=None)
    if kind in ("choice", "choices"):
        source = prop if kind == "choice" else prop["items"]
        values, names = list(source["enum"]), list(source.get("x-enumNames") or source["enum"])
        made["choices"] = "\n".join(f"{value} = {label}" for value, label in zip(values, names, strict=True))
    for word in ("minimum", "maximum", "minLength", "maxLength"):
        if word in prop:
            made[word] = prop[word]
    return made


def _kind_of(prop: Mapping[str, Any]) -> str | None:
    """The editor's kind for a property it can show as one row, or None (carried as it is)."""
    kind = prop.get("type")
    if kind == "array" and set(prop) <= {"type", "title", "description", "items"}:
        items = prop.get("items")
        if isinstance(items, dict) and set(items) <= {"type", "enum", "x-enumNames"} and _choices_ok(items):
            return "choices" if items.get("type") == "string" else None
        return None
    if not set(prop) <= _PLAIN | ({"format"} if prop.get("format") == "date" else set()):
        return None
    if kind == "string" and "enum" in prop:
        return "choice" if _choices_ok(prop) else None
    if kind == "string":
        return "date" if prop.get("format") == "date" else "text"
    return {"integer": "integer", "number": "number", "boolean": "boolean"}.get(str(kind))


def _choices_ok(prop: Mapping[str, Any]) -> bool:
    values, names = prop.get("enum"), prop.get("x-enumNames")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        return False
    return names is None or (isinstance(names, list) and len(names) == len(values))


# -- draft → schema ------------------------------------------------------------------------------------------


def read_draft(text: str) -> dict[str, Any]:
    """The posted draft (JSON text) as a dict; InvalidInput naming ``draft`` when it is not one."""
    found = posted_json.read(text, "draft", i18n.gettext("formdraft.unreadable"))
    if not isinstance(found, dict) or not isinstance(found.get("fields"), list):
        raise InvalidInput("the form draft cannot be read", {"draft": [i18n.gettext("formdraft.unreadable")]})
    return found


def schema_of(draft: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The file name and JSON Schema a draft makes; InvalidInput naming each faulty entry of the draft."""
    problems: dict[str, list[str]] = {}
    name = _text(draft.get("name"))
    if not NAME.fullmatch(name):
        problems["name"] = [i18n.gettext("formdraft.bad_name")]
    title = _text(draft.get("title")).strip()
    if not title:
        problems["title"] = [i18n.gettext("formdraft.no_title")]
    schema: dict[str, Any] = {"$schema": DRAFT_2020, "$id": name, "title": title}
    description = _text(draft.get("description")).strip()
    if description:
        schema["description"] = description
    for key, text in (("title", title), ("description", description)):
        if len(text) > MAX_TEXT:
            problems.setdefault(key, []).append(i18n.gettext("formdraft.too_long", n=MAX_TEXT))
    schema["type"] = "object"
    schema["properties"], required = _properties(draft.get("fields"), problems)
    if required:
        schema["required"] = required
    extra = draft.get("extra") or {}
    if not isinstance(extra, dict) or set(extra) & _OWN:
        problems["extra"] = [i18n.gettext("formdraft.bad_extra")]
    else:
        schema.update(extra)
    if not problems:
        problems = _schema_problems(name, schema)
    if problems:
        raise InvalidInput("the form draft is not valid", problems)
    return name, schema


def _properties(fields: Any, problems: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    # a form without fields is a confirmation (the step is completed as it is)
    rows = fields if isinstance(fields, list) else []
    if not isinstance(fields, list):
        problems["fields"] = [i18n.gettext("formdraft.no_fields")]
    elif len(rows) > MAX_FIELDS:
        problems["fields"] = [i18n.gettext("formdraft.too_many", n=MAX_FIELDS)]
        return {}, []
    props: dict[str, Any] = {}
    required: list[str] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        where = f"fields.{index}"
        row = row if isinstance(row, dict) else {}
        key = _text(row.get("key")).strip() or slug(_text(row.get("label")))
        if not KEY.fullmatch(key):
            problems[f"{where}.key"] = [i18n.gettext("formdraft.bad_key")]
        elif key in seen:
            problems[f"{where}.key"] = [i18n.gettext("formdraft.key_twice", n=seen[key] + 1)]
        seen.setdefault(key, index)
        props[key] = _property(row, where, problems)
        if row.get("required") is True:
            required.append(key)
    return props, required


def _property(row: Mapping[str, Any], where: str, problems: dict[str, list[str]]) -> Any:
    kind = row.get("kind")
    if kind not in KINDS:
        problems[f"{where}.kind"] = [i18n.gettext("formdraft.bad_kind")]
        return {}
    if kind == "kept":
        if not isinstance(row.get("schema"), dict | bool):
            problems[f"{where}.kind"] = [i18n.gettext("formdraft.bad_kept")]
        return row.get("schema")
    label = _text(row.get("label")).strip()
    if not label:
        problems[f"{where}.label"] = [i18n.gettext("formdraft.no_label")]
    prop: dict[str, Any] = {"type": _TYPES[kind], "title": label}
    help_text = _text(row.get("help")).strip()
    if help_text:
        prop["description"] = help_text
    for key, text in (("label", label), ("help", help_text)):
        if len(text) > MAX_TEXT:
            problems.setdefault(f"{where}.{key}", []).append(i18n.gettext("formdraft.too_long", n=MAX_TEXT))
    if kind == "date":
        prop["format"] = "date"
    if kind in ("choice", "choices"):
        values, names = _choices(row.get("choices"), f"{where}.choices", problems)
        target = prop if kind == "choice" else prop.setdefault("items", {"type": "string"})
        target["enum"] = values
        if names != values:
            target["x-enumNames"] = names
    _bounds(row, kind, prop, where, problems)
    return prop


_TYPES = {
    "text": "string",
    "date": "string",
    "choice": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "choices": "array",
}


def _choices(text: Any, where: str, problems: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """One choice a line: ``code = Label`` or just a label (its code made from it)."""
    values: list[str] = []
    names: list[str] = []
    for line in _text(text).splitlines():
        if not line.strip():
            continue
        code, sep, label = line.partition("=")
        value, name = (code.strip(), label.strip()) if sep else (slug(line), line.strip())
        if value in values:
            problems.setdefault(where, []).append(i18n.gettext("formdraft.choice_twice", value=name or value))
        values.append(value)
        names.append(name or value)
    if not values:
        problems[where] = [i18n.gettext("formdraft.no_choices")]
    return values, names


def _bounds(
    row: Mapping[str, Any], kind: str, prop: dict[str, Any], where: str, problems: dict[str, list[str]]
) -> None:
    """``minimum``/``maximum`` of a number, ``minLength``/``maxLength`` of a text, as typed (blank: none)."""
    words = {"integer": ("minimum", "maximum"), "number": ("minimum", "maximum"), "text": ("minLength", "maxLength")}
    found: dict[str, float] = {}
    for word in words.get(kind, ()):
        raw = row.get(word)
        if raw is None or _text(raw).strip() == "":
            continue
        number = _number(raw, whole=kind != "number")
        if number is None or (kind == "text" and number < 0):
            problems[f"{where}.{word}"] = [i18n.gettext(_NOT_A[kind])]
            continue
        prop[word] = found[word] = number
    low, high = (found.get("minimum", found.get("minLength")), found.get("maximum", found.get("maxLength")))
    if low is not None and high is not None and low > high:
        problems[f"{where}.{'minimum' if kind != 'text' else 'minLength'}"] = [i18n.gettext("formdraft.min_over_max")]


_NOT_A = {"text": "formdraft.not_whole", "integer": "formdraft.not_integer", "number": "formdraft.not_number"}


def _number(raw: Any, *, whole: bool) -> int | float | None:
    if isinstance(raw, bool):
        return None
    text = _text(raw).strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if whole:
        return int(value) if value.is_integer() and abs(value) < 2**53 else None
    return int(value) if re.fullmatch(r"[+-]?\d+", text) else value


def _schema_problems(name: str, schema: dict[str, Any]) -> dict[str, list[str]]:
    """What the deployment check (the same one an uploaded form passes) says, pointed at the form."""
    _, found = load_form(name, json.dumps(schema, ensure_ascii=False).encode())
    errors = [p for p in found if p.severity == "error"]
    said = [i18n.gettext("formdraft.schema", where=p.element_id or "$", message=localized(p)["text"]) for p in errors]
    return {"_": said} if said else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
