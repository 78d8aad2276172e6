"""The text of a PDF our renderer (fpdf2, embedded TrueType fonts) wrote, for tests to read letters by.

No PDF reader is installed and ``pdftotext`` may be missing; fpdf2's output is simple enough to read: each
font has a ToUnicode map (``<glyph> <unicode>`` pairs), and the page shows ``(glyphs) Tj`` after ``/Fn size Tf``.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["pdf_text"]

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
#: a stream's length written in its dictionary (not an indirect ``/Length 7 0 R``)
_LENGTH = re.compile(rb"/Length (\d+)(?! \d+ R)")
#: a literal string ``(…)``; what the page shows: a font chosen, ``(…) Tj``, or justified ``[(…) -60 (…)] TJ``
_LITERAL = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
_SHOWN = re.compile(rb"/(F\d+) [\d.]+ Tf|(\((?:\\.|[^\\)])*\)) Tj|\[((?:\((?:\\.|[^\\)])*\)|[^\]()])*)\] TJ", re.S)
_LITERAL_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _stream(body: bytes) -> bytes:
    """The object's stream, decompressed: as long as its ``/Length`` says (fpdf2 writes ``stream\n`` data
    ``\nendstream``; looking for the end instead took a last ``\r`` of the data as part of the line end, and
    about one compressed stream in 256 ends so)."""
    found = _STREAM.search(body)
    if found is None:
        return b""
    length = _LENGTH.search(body[: found.start()])
    raw = body[found.start(1) : found.start(1) + int(length.group(1))] if length else found.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body[: found.start()] else raw


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return _LITERAL_ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap.split(b"endcodespacerange", 1)[-1])
    return {int(glyph, 16): bytes.fromhex(code.decode()).decode("utf-16-be") for glyph, code in pairs}


def pdf_text(data: bytes) -> str:
    """The shown strings, one per line, in page order."""
    objects = {int(number): body for number, body in _OBJECT.findall(data)}
    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(number), b""))
            if to_unicode:
                maps[name] = _to_unicode(_stream(objects[int(to_unicode.group(1))]))
    lines: list[str] = []
    for body in objects.values():
        page = re.search(rb"/Contents (\d+) 0 R", body)
        if page is None:
            continue
        contents = _stream(objects[int(page.group(1))])
        font: dict[int, str] = {}
        for name, single, justified in _SHOWN.findall(contents):
            if name:
                font = maps.get(name, {})
                continue
            glyphs = b"".join(_unescape(part) for part in _LITERAL.findall(single or justified))
            lines.append("".join(font.get(int.from_bytes(glyphs[i : i + 2]), "?") for i in range(0, len(glyphs), 2)))
    return "\n".join(lines)
