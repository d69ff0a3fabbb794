"""Paired measurements: a baseline and a subject, alternated, compared by per-pair ratios.

The machines Caseload runs on are shared and noisy, so no goal is an absolute time (except the
key-press latencies the issue states in milliseconds). Each goal runs its baseline (A) and its
subject (B) in the same run, alternating ABBA so neither always goes first, after warm-up runs of
both; the result is the median of the per-pair ratios B/A, with the medians of A and B alongside
for orientation.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Paired:
    """The samples of one A/B comparison."""

    baseline: list[float] = field(default_factory=list)
    subject: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [s / b for b, s in zip(self.baseline, self.subject, strict=True) if b > 0]

    @property
    def ratio(self) -> float:
        """Median of the per-pair ratios subject / baseline."""
        return statistics.median(self.ratios)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def subject_median(self) -> float:
        return statistics.median(self.subject)

    @property
    def spread(self) -> tuple[float, float]:
        """The interquartile range of the ratios (how noisy the pairs were)."""
        ratios = sorted(self.ratios)
        if len(ratios) < 4:
            return ratios[0], ratios[-1]
        q = statistics.quantiles(ratios, n=4)
        return q[0], q[2]


def paired(baseline: Callable[[], float], subject: Callable[[], float], *, repeats: int,
           warmup: int = 2) -> Paired:
    """Run `baseline` and `subject` (each returns one sample) in ABBA order."""
    for _ in range(warmup):
        baseline()
        subject()
    result = Paired()
    for i in range(repeats):
        if i % 2 == 0:
            a = baseline()
            b = subject()
        else:
            b = subject()
            a = baseline()
        result.baseline.append(a)
        result.subject.append(b)
    return result


def percentile(values: list[float], p: float) -> float:
    """The `p`-th percentile (0–100) by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)
