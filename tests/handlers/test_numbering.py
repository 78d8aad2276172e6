"""Decision numbers: sequential per issuing body and year, gap-free on rollback, duplicate-free when
several transactions sign at the same moment (threads on the test database: PostgreSQL in CI)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import event as sa_event

from engine.db import Database
from handlers.numbering import allocate, bonus_amount, decision_symbol, peek


def test_numbers_run_per_body_and_year(database: Database) -> None:
    with database.transaction() as s:
        assert [allocate(s, "UBND_TINH", 2026) for _ in range(3)] == [1, 2, 3]
        assert allocate(s, "SNV", 2026) == 1
        assert allocate(s, "UBND_TINH", 2027) == 1
    with database.transaction() as s:
        assert allocate(s, "UBND_TINH", 2026) == 4
        assert peek(s, "UBND_TINH", 2026) == 4
        assert peek(s, "UBND_TINH", 2030) == 0
    assert decision_symbol(4, "QĐ-UBND") == "4/QĐ-UBND"


def test_taking_a_number_compiles_its_statement_once(database: Database) -> None:
    """Every new dossier takes its code with a number: the statement is compiled once, then found compiled
    (SQLAlchemy caches no upsert construct of its dialects: each number compiled it anew)."""
    compiled: list[object] = []
    listener = lambda _conn, _cursor, _sql, _params, context, _many: compiled.append(context.compiled)  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listener)
    try:
        for _ in range(3):
            with database.transaction() as s:
                allocate(s, "UBND_TINH", 2026)
    finally:
        sa_event.remove(database.engine, "before_cursor_execute", listener)
    bumps = [c for c in compiled if c is not None and "decision_counter" in str(c)]
    assert len(bumps) == 3 and bumps[0] is bumps[1] is bumps[2], bumps


def test_a_rolled_back_number_is_given_again(database: Database) -> None:
    with database.transaction() as s:
        assert allocate(s, "UBND_TINH", 2026) == 1
    with pytest.raises(RuntimeError), database.transaction() as s:
        assert allocate(s, "UBND_TINH", 2026) == 2
        raise RuntimeError("the signing failed")
    with database.transaction() as s:
        assert allocate(s, "UBND_TINH", 2026) == 2


def test_a_concurrent_signer_waits_for_the_first_and_gets_the_next_number(database: Database) -> None:
    taken: dict[str, int] = {}
    first_has_number = threading.Event()

    def first() -> None:
        with database.transaction() as s:
            taken["first"] = allocate(s, "UBND_TINH", 2026)
            first_has_number.set()
            time.sleep(0.3)  # still signing: the second must wait, not take the same number

    def second() -> None:
        first_has_number.wait(5)
        with database.transaction() as s:
            taken["second"] = allocate(s, "UBND_TINH", 2026)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert (taken["first"], taken["second"]) == (1, 2)


def test_a_concurrent_signer_reuses_the_number_of_a_signer_who_rolled_back(database: Database) -> None:
    taken: list[int] = []
    first_has_number = threading.Event()

    def first() -> None:
        try:
            with database.transaction() as s:
                allocate(s, "UBND_TINH", 2026)
                first_has_number.set()
                time.sleep(0.3)
                raise RuntimeError("abandoned")
        except RuntimeError:
            pass

    def second() -> None:
        first_has_number.wait(5)
        with database.transaction() as s:
            taken.append(allocate(s, "UBND_TINH", 2026))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert taken == [1]


def test_many_signers_at_once_get_every_number_once(database: Database) -> None:
    numbers: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def sign() -> None:
        start.wait(10)
        for _ in range(5):
            with database.transaction() as s:
                n = allocate(s, "UBND_TINH", 2026)
            with lock:
                numbers.append(n)

    threads = [threading.Thread(target=sign) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(numbers) == list(range(1, 31))


def test_bonus_is_a_multiple_of_the_base_salary() -> None:
    base = 2_340_000
    assert bonus_amount(Decimal("3.0"), base) == 7_020_000
    assert bonus_amount(Decimal("1.0"), base) == 2_340_000
    assert bonus_amount(Decimal("1.5"), base) == 3_510_000
    assert bonus_amount(Decimal("8.0"), base) == 18_720_000
    assert bonus_amount(Decimal("0.3"), 2_340_001, 1000) == 703_000  # 702,000.3 rounded up to the thousand
    with pytest.raises(ValueError):
        bonus_amount(Decimal("1"), base, 0)
