"""The benchmark harness behind ``awardflow bench``: one JSON document of figures, never a pass/fail.

Each figure lives in its own module (:mod:`bench.library`, :mod:`bench.completions`, ...) and is measured
on a fresh database; :func:`bench.run.run` runs them in order and adds the machine they ran on.
"""

from __future__ import annotations

from bench.run import FIGURES, run
from bench.sizes import FULL, QUICK, TINY, Sizes

__all__ = ["FIGURES", "FULL", "QUICK", "TINY", "Sizes", "run"]
