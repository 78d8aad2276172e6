"""How big each figure's run is: the issue's sizes (FULL), the CI run (QUICK) and the smoke test (TINY)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Every size knob of one run."""

    name: str
    #: (1) dossiers run through bare SpiffWorkflow (13 completions each), after one warm-up dossier
    library_dossiers: int
    #: (2) dossiers each worker completes, and the worker counts tried
    dossiers_per_worker: int
    worker_counts: tuple[int, ...]
    #: (3) dossiers each of the 4 HTTP clients walks through
    lifecycle_dossiers_per_client: int
    #: (4, 5) open and finished rows in human_task, and how often each query is timed
    open_tasks: int
    finished_tasks: int
    inbox_repeats: int
    report_repeats: int
    #: seconds one inbox or report query may be repeated for before its sampling stops (at 3–5 samples)
    query_budget_s: float
    #: (6) timers due within one window, and the worker poll interval (None: the engine's setting)
    timers: int
    timer_window_s: float
    timer_poll_s: float | None
    #: (7) live instances, and where RSS is read on the way
    footprint_instances: int
    #: (8) finished-task counts to measure at, instances, and completions sampled per point
    history_points: tuple[int, ...]
    history_instances: int
    history_window: int
    #: (9) dossiers of the what-if simulation over a year (the target's own 3,000 at full size)
    simulation_dossiers: int
    #: (10) server process counts tried, and dossiers each of the 4 clients walks per count
    scaleout_processes: tuple[int, ...]
    scaleout_dossiers_per_client: int
    #: (10) timer worker counts tried on a backlog: timers due all within a short window
    scaleout_timer_workers: tuple[int, ...]
    scaleout_timers: int
    scaleout_timer_window_s: float


FULL = Sizes(
    name="full",
    library_dossiers=150,
    dossiers_per_worker=25,
    worker_counts=(1, 2, 4),
    lifecycle_dossiers_per_client=25,
    open_tasks=100_000,
    finished_tasks=1_000_000,
    inbox_repeats=200,
    report_repeats=10,
    query_budget_s=20.0,
    timers=10_000,
    timer_window_s=60.0,
    timer_poll_s=None,
    footprint_instances=10_000,
    history_points=(10, 100, 200),
    history_instances=5,
    history_window=10,
    simulation_dossiers=3000,
    scaleout_processes=(1, 2, 4),
    scaleout_dossiers_per_client=25,
    scaleout_timer_workers=(1, 2, 3),
    scaleout_timers=3000,
    scaleout_timer_window_s=3.0,
)

QUICK = Sizes(
    name="quick",
    library_dossiers=15,
    dossiers_per_worker=3,
    worker_counts=(1, 2, 4),
    lifecycle_dossiers_per_client=2,
    open_tasks=10_000,
    finished_tasks=100_000,
    inbox_repeats=15,
    report_repeats=3,
    query_budget_s=2.0,
    timers=200,
    timer_window_s=4.0,
    timer_poll_s=None,
    footprint_instances=150,
    history_points=(10, 100, 200),
    history_instances=1,
    history_window=3,
    simulation_dossiers=20,
    scaleout_processes=(1, 2, 4),
    scaleout_dossiers_per_client=3,
    scaleout_timer_workers=(1, 2, 3),
    scaleout_timers=300,
    scaleout_timer_window_s=1.0,
)

TINY = Sizes(
    name="tiny",
    library_dossiers=2,
    dossiers_per_worker=1,
    worker_counts=(1, 2),
    lifecycle_dossiers_per_client=1,
    open_tasks=300,
    finished_tasks=1_000,
    inbox_repeats=3,
    report_repeats=2,
    query_budget_s=0.5,
    timers=12,
    timer_window_s=0.5,
    timer_poll_s=0.1,
    footprint_instances=20,
    history_points=(2, 5),
    history_instances=1,
    history_window=2,
    simulation_dossiers=3,
    scaleout_processes=(2,),
    scaleout_dossiers_per_client=1,
    scaleout_timer_workers=(2,),
    scaleout_timers=12,
    scaleout_timer_window_s=0.2,
)
