"""Uploads: the rule set's size and type limits, checked on the bytes, stored outside the database."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine.errors import InvalidInput
from handlers.catalogue import Catalogue, parse
from handlers.papers import check_listed, sniff, upload
from handlers.storage import LocalStore

PDF = b"%PDF-1.7\n%test\n"


def test_a_paper_is_stored_by_content(loaded: Catalogue, tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    meta = upload(store, loaded, "TO_TRINH", "to-trinh.pdf", PDF)
    assert meta["content_type"] == "application/pdf" and meta["size"] == len(PDF)
    assert store.get(meta["key"]) == PDF and meta["key"].endswith(".pdf")
    assert upload(store, loaded, "TO_TRINH", "again.pdf", PDF)["key"] == meta["key"]
    check_listed(store, loaded, [meta])


def test_limits_are_checked_on_the_bytes(loaded: Catalogue, shipped_content: dict, tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with pytest.raises(InvalidInput) as caught:
        upload(store, loaded, "TO_TRINH", "virus.pdf", b"MZ\x90\x00 not a pdf")
    assert "file" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        upload(store, loaded, "GIAY_LA", "x.pdf", PDF)
    assert "code" in caught.value.fields
    small = copy.deepcopy(shipped_content)
    small["papers"]["max_bytes"] = 10
    with pytest.raises(InvalidInput, match="cannot be accepted"):
        upload(store, parse(small), "TO_TRINH", "big.pdf", PDF)
    with pytest.raises(InvalidInput):
        check_listed(store, loaded, [{"code": "TO_TRINH", "content_type": "application/pdf", "size": 5, "key": "no"}])


def test_sniffing() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"PK\x03\x04 broken") is None
    assert sniff(b"hello") is None


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "ab/../../x", "", ".", "ab/.."])
def test_keys_cannot_leave_the_store(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "files")
    with pytest.raises(ValueError, match="leaves the store"):
        store.get(key)


def test_a_key_that_goes_out_and_back_in_is_the_file_it_names(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "files")
    stored = store.put(b"%PDF-1.4 paper", ".pdf")
    assert store.get(f"zz/../{stored.key}") == b"%PDF-1.4 paper"
    assert store.exists(stored.key) and not store.exists(f"{stored.key}.missing")
