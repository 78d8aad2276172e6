"""Prints the conformance counts of each suite at the end of a run that included tests/conformance."""

from __future__ import annotations

from typing import Any

from tests.conformance.test_conformance import RESULTS, SUITES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    for key, suite in SUITES.items():
        outcomes = [outcome for run, outcome in RESULTS.items() if run.startswith(f"{key}/")]
        same = outcomes.count("same")
        terminalreporter.write_line(
            f"conformance ({key}): {same} of {len(suite.compared)} diagrams run identically in awardflow and bare "
            f"SpiffWorkflow, {len(outcomes) - same} differ; {len(suite.refused)} refused by awardflow with a "
            f"reason; {len(suite.invalid)} invalid ones refused by both"
        )
