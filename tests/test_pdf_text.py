"""The tests' PDF reader (`tests/pdf_text.py`) reads each stream whole, whatever its last byte."""

from __future__ import annotations

import zlib

from tests.pdf_text import _stream


def test_a_compressed_stream_ending_in_a_carriage_return_is_read_whole() -> None:
    """fpdf2 writes ``stream\\n`` data ``\\nendstream``; about one compressed stream in 256 ends in ``\\r``, which
    a reader looking for ``\\r?\\nendstream`` took as part of the line end (a scenario test failed on it)."""
    shown = next(
        text for i in range(10_000) if zlib.compress(text := f"BT /F1 12 Tf (x{i}) Tj ET".encode()).endswith(b"\r")
    )
    data = zlib.compress(shown)
    body = b"<</Filter /FlateDecode /Length %d>>\nstream\n%s\nendstream\n" % (len(data), data)
    assert _stream(body) == shown
