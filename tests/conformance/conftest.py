"""Prints the conformance counts at the end of a run that included tests/conformance."""

from __future__ import annotations

from typing import Any

from tests.conformance.test_conformance import COMPARED, INVALID, REFUSED, RESULTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    same = sum(1 for outcome in RESULTS.values() if outcome == "same")
    differing = sum(1 for outcome in RESULTS.values() if outcome != "same")
    terminalreporter.write_line(
        f"conformance: {same} of {len(COMPARED)} SpiffWorkflow diagrams run identically in awardflow and bare "
        f"SpiffWorkflow, {differing} differ; {len(REFUSED)} refused by awardflow with a reason; "
        f"{len(INVALID)} invalid ones refused by both"
    )
