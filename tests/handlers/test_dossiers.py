"""Dossier handlers called as a service task would call them (inside an execution context)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, InvalidState
from handlers import appraisal, dossiers, records
from handlers.catalogue import Catalogue
from handlers.papers import upload
from handlers.storage import LocalStore


def submission(store: LocalStore, rules: Catalogue, **extra: object) -> dict:
    return {
        "award_type": "CSTD_TINH",
        "unit": "so-gd",
        "unit_name": "Sở Giáo dục và Đào tạo",
        "title": "Đề nghị CSTD cấp tỉnh",
        "achievement_year": 2025,
        "nominees": [
            {
                "kind": "individual",
                "name": "Nguyễn Thị Hoa",
                "gender": "nu",
                "is_leader": True,
                "titles": [{"year": y, "title": "CSTD_CS"} for y in (2023, 2024, 2025)],
                "initiatives": [{"scope": "tinh"}],
            }
        ],
        "papers": [upload(store, rules, "TO_TRINH", "a.pdf", b"%PDF-1.4 a")],
        **extra,
    }


def test_register_keeps_the_records_under_todays_rules(
    session: Session, loaded: Catalogue, as_instance: Callable, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path)
    with as_instance("HS-2026-000001"):
        summary = dossiers.register(submission(store, loaded), store=store)
        assert summary["rule_version"] == "2025.07" and summary["limit"] == "20WD" and summary["vote"] is True
        check = dossiers.check_papers()
        assert not check["complete"] and [m["code"] for m in check["missing"]] == [
            "BAO_CAO_THANH_TICH",
            "BIEN_BAN_BINH_XET",
            "MINH_CHUNG_SANG_KIEN",
        ]
        eligibility = appraisal.check_eligibility()
        assert eligibility["nominees"][0]["suggestion"] == "dat"
    dossier = records.by_code(session, "HS-2026-000001")
    assert (dossier.status, dossier.award_type, len(dossier.papers)) == (1, "CSTD_TINH", 1)
    assert dossier.nominees[0].is_leader and dossier.nominees[0].facts["initiatives"] == [{"scope": "tinh"}]


def test_only_one_supplement_request(
    session: Session, loaded: Catalogue, as_instance: Callable, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path)
    with as_instance("HS-2026-000002"):
        dossiers.register(submission(store, loaded), store=store)
        first = dossiers.request_supplement(["BAO_CAO_THANH_TICH"], store=store)
        assert first["missing"][0]["name"].startswith("Báo cáo thành tích")
        with pytest.raises(InvalidState, match="chỉ được yêu cầu bổ sung, hoàn thiện một lần"):
            dossiers.request_supplement(["BIEN_BAN_BINH_XET"], store=store)
    assert records.by_code(session, "HS-2026-000002").status == 5


def test_a_submission_must_be_complete(loaded: Catalogue) -> None:
    with pytest.raises(InvalidInput) as caught:
        dossiers.validate_submission(
            loaded, {"award_type": "XYZ", "nominees": [{"kind": "individual", "name": "A", "gender": "?"}]}
        )
    assert {"award_type", "unit", "unit_name", "title", "achievement_year", "nominees[0].gender"} <= set(
        caught.value.fields
    )
