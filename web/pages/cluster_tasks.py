"""The emulation procedure's steps on the task page: each is done on the cluster's own page, where the score
sheets, evidence and results it needs are shown by unit and criterion; the generic task form would show them as
raw process data."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from web.services import domain

#: the process whose steps are worked on the cluster pages
PROCESS = "emulation_year"

#: step → the endpoint of the page where it is done (the others are done from the year's page)
PAGES = {
    "reconcile": "cluster_results.reconcile",
    "record_meeting": "cluster_meeting.meeting",
    "send_proposal": "cluster_proposal.proposal",
}


@dataclass(frozen=True)
class ClusterWork:
    """Where a step of a cluster's year is done, and the year's page."""

    step_url: str
    year_url: str


def work_of(process_key: str, instance_id: int, element_id: str) -> ClusterWork | None:
    """The cluster pages for a task of the emulation procedure; None for a task of any other process."""
    if process_key != PROCESS:
        return None
    found = domain().clusters.year_of_instance(instance_id)
    if found is None:
        return None
    code, year = found
    year_url = url_for("cluster_pages.year_page", code=code, year=year)
    endpoint = PAGES.get(element_id)
    return ClusterWork(url_for(endpoint, code=code, year=year) if endpoint else year_url, year_url)
