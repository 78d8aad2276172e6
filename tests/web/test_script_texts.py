"""Every refusal code of the sandbox has a Vietnamese sentence, with no English in it, and RestrictedPython's
sentences are sorted into the right codes."""

from __future__ import annotations

import re

import pytest

from engine.script_codes import ENGLISH, classify, refusal
from engine.scripting import source_refusals
from web import script_texts

#: words of the engine's English texts that must not reach a Vietnamese page
ENGLISH_WORDS = re.compile(
    r"\b(the|is|not|are|allowed|refused|script|line|name|attribute|statements?|valid|bound|setting|helper|text|"
    r"wrong|arguments|memory|limit|empty|starts|neither|nor|variable|reserved|called|definitions|functions)\b",
    re.IGNORECASE,
)
#: a value for every parameter any code names
SAMPLE = {
    "line": "3", "name": "os", "statement": "Nonlocal", "detail": "invalid syntax", "what": "a repeated string",
    "size": "20", "unit": "characters", "bound": "10", "setting": "AWARDFLOW_SCRIPT_MAX_TEXT", "mb": "256",
    "seconds": "2.0", "type": "int", "value": "PT2X", "kind": "duration",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_every_code_has_a_vietnamese_sentence_without_english(code: str) -> None:
    assert code in script_texts.VIETNAMESE, f"{code} has no Vietnamese text"
    reason = refusal(code, **{key: value for key, value in SAMPLE.items() if "{" + key in ENGLISH[code]})
    text = script_texts.vietnamese(reason)
    assert text and text[0].isupper() and text.endswith("."), text
    assert not ENGLISH_WORDS.search(text), text
    assert "{" not in text, f"a parameter is left unfilled: {text}"


def test_no_vietnamese_text_is_left_without_a_code() -> None:
    assert set(script_texts.VIETNAMESE) == set(ENGLISH)


@pytest.mark.parametrize(
    ("source", "mode", "code", "named"),
    [
        ("import os", "exec", "script.import", {"line": "1"}),
        ("x = 1\nfrom os import path", "exec", "script.import", {"line": "2"}),
        ("eval('1')", "eval", "script.forbidden_call", {"name": "eval"}),
        ("x = a.__class__", "exec", "script.underscore_attribute", {"name": "__class__"}),
        ("y = a.b__roles__", "exec", "script.forbidden_attribute", {"name": "b__roles__"}),
        ("_hidden = 1", "exec", "script.underscore_name", {"name": "_hidden", "line": "1"}),
        ("x = 1\ny = (", "exec", "script.syntax", {"line": "2"}),
        ("class A:\n    pass", "exec", "script.class", {"line": "1"}),
        ("def f():\n    yield 1", "exec", "script.generator", {"line": "2"}),
        ("def f():\n    nonlocal x", "exec", "script.statement", {"statement": "Nonlocal"}),
        ("  \n", "exec", "script.empty", {}),
        ("", "eval", "script.empty", {}),
    ],
)
def test_the_sandbox_says_why_as_a_code(source: str, mode: str, code: str, named: dict[str, str]) -> None:
    reasons = source_refusals(source, mode)
    assert reasons and reasons[0].code == code, reasons
    assert named.items() <= dict(reasons[0].params).items(), reasons[0].params


def test_a_script_the_sandbox_accepts_has_no_refusal() -> None:
    assert source_refusals("total = price * 2", "exec") == ()
    assert source_refusals("price > 2", "eval") == ()


def test_an_unknown_wording_is_kept_whole_as_detail() -> None:
    reason = classify("Line 4: Something new is not allowed.")
    assert reason.code == "script.other" and reason.params["detail"] == "Something new is not allowed (line 4)"
    assert script_texts.vietnamese(reason) == script_texts.VIETNAMESE["script.other"]
