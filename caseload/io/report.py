"""The week's review as text, JSON or Markdown (for `caseload review` and supervision)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caseload.domain.metrics import Figures, Ratio, Window
from caseload.domain.text import initials
from caseload.services.review import ClientReview, WeekReport

if TYPE_CHECKING:
    from caseload.services.review_record import ReviewSummary

FIGURE_NAMES = (
    ("counselor_reliability", "Counselor reliability"),
    ("counselor_follow_through", "Counselor follow-through"),
    ("client_attendance", "Client attendance"),
    ("client_follow_through", "Client follow-through"),
    ("checkin_regularity", "Check-in regularity"),
)


def _ratio(r: Ratio) -> dict[str, Any]:
    return {"numerator": r.numerator, "denominator": r.denominator,
            "rate": None if r.value is None else round(r.value, 4)}


def figures_dict(f: Figures) -> dict[str, Any]:
    return {key: _ratio(getattr(f, key)) for key, _ in FIGURE_NAMES}


def _name(c: ClientReview, use_initials: bool) -> str:
    return initials(c.client.name) if use_initials else c.client.name


def to_json(report: WeekReport, *, use_initials: bool = False) -> str:
    """The review as JSON: week_start, week_end, figures (+ streak_weeks) and clients."""
    figures = figures_dict(report.figures)
    figures["streak_weeks"] = report.streak_weeks
    data = {
        "counselor": report.counselor,
        "week_start": report.week.start.isoformat(),
        "week_end": (report.week.end - timedelta(days=1)).isoformat(),
        "figures": figures,
        "needs_outcome": report.figures.needs_outcome,
        "clients": [
            {"id": c.client.id, "name": _name(c, use_initials),
             "record_number": c.client.record_number, "status": c.client.status.value,
             "figures": figures_dict(c.figures),
             "flags": [{"code": f.code.value, "side": f.side.value, "reason": f.reason,
                        "action": f.action} for f in c.flags]}
            for c in report.clients],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _fmt(r: Ratio) -> str:
    return f"{r.numerator}/{r.denominator} ({r.percent})" if r.denominator else "—"


def to_text(report: WeekReport, *, use_initials: bool = False) -> str:
    """A plain-text summary for the terminal."""
    week_end = report.week.end - timedelta(days=1)
    lines = [f"Week {report.week.start:%a %d %b %Y} – {week_end:%a %d %b %Y}"
             f" · {report.counselor}", ""]
    width = max(len(label) for _, label in FIGURE_NAMES)
    for key, label in FIGURE_NAMES:
        lines.append(f"  {label:<{width}}  {_fmt(getattr(report.figures, key))}")
    lines.append(f"  {'Streak':<{width}}  {report.streak_weeks} weeks")
    if report.figures.needs_outcome:
        lines.append(f"  {'Needs outcome':<{width}}  {report.figures.needs_outcome}")
    flagged = report.flagged
    lines += ["", f"Flagged clients: {len(flagged)}"]
    for c in flagged:
        lines.append(f"  {_name(c, use_initials)} ({c.client.record_number})")
        for f in c.flags:
            lines.append(f"    - [{f.code.value}] {f.reason} → {f.action}")
    return "\n".join(lines) + "\n"


def _sparklines(weeks: Sequence[tuple[Window, Figures]]) -> list[str]:
    from caseload.services.review_record import figure_sparkline  # Markdown only: not at start

    return [f"- {label}: `{figure_sparkline(weeks, key)}`" for key, label in FIGURE_NAMES]


def to_markdown(report: WeekReport, *, use_initials: bool = True,
                review: ReviewSummary | None = None) -> str:
    """A supervision report: figures beside the previous four weeks, the trend over every week of
    `report.history` (12 in all from `caseload review`), flagged clients (initials by default)
    with the focus set for them, and the decisions taken in the week's saved review, if any."""
    week_end = report.week.end - timedelta(days=1)
    previous = report.history[-4:]
    out = [f"# Weekly review: {report.week.start.isoformat()} to {week_end.isoformat()}", "",
           f"Counselor: {report.counselor}", "", "## Consistency", "",
           "| figure | this week | " + " | ".join(
               f"{w.start:%d %b}" for w, _ in previous) + " |",
           "|---|---|" + "---|" * len(previous)]
    for key, label in FIGURE_NAMES:
        cells = [_fmt(getattr(f, key)) for _, f in previous]
        out.append(f"| {label} | {_fmt(getattr(report.figures, key))} | "
                   + " | ".join(cells) + " |")
    out += ["", f"Streak: {report.streak_weeks} weeks."]
    weeks = [*report.history, (report.week, report.figures)]
    out += ["", f"## Trend, last {len(weeks)} weeks", "", *_sparklines(weeks), "",
            "| week of | " + " | ".join(label for _, label in FIGURE_NAMES) + " |",
            "|---|" + "---|" * len(FIGURE_NAMES)]
    out += [f"| {w.start.isoformat()} | " + " | ".join(
        _fmt(getattr(f, key)) for key, _ in FIGURE_NAMES) + " |" for w, f in weeks]
    out += ["", "## Flagged clients", ""]
    focus = {c.client_id: c.focus for c in review.clients} if review is not None else {}
    if not report.flagged:
        out.append("None.")
    for c in report.flagged:
        out.append(f"### {_name(c, use_initials)} ({c.client.record_number})")
        out += [f"- **{f.code.value}**: {f.reason} Suggested: {f.action}" for f in c.flags]
        if focus.get(c.client.id):
            out.append(f"- Focus for next week: {focus[c.client.id]}")
        out.append("")
    out += ["## Decisions taken", ""]
    if review is None:
        out.append("No review of this week has been saved yet.")
    else:
        out.append(f"Reviewed {review.reviewed} of {len(review.clients)} flagged clients; "
                   f"{review.outcomes_recorded} outcomes recorded.")
        out.append("")
        for d in review.decisions:
            who = initials(d.client_name) if use_initials else d.client_name
            out.append(f"- {who} ({d.record_number}): {d.text}" if d.client_name
                       else f"- {d.text}")
        if not review.decisions:
            out.append("- Nothing was changed during the review.")
    return "\n".join(out).rstrip() + "\n"


def report_path(week: Window, folder: Path | None = None) -> Path:
    """Where the app writes a week's supervision report: the user's data folder, "reports"."""
    if folder is None:
        import platformdirs

        folder = platformdirs.user_data_path("caseload") / "reports"
    return folder / f"review-{week.start.isoformat()}.md"


def export_markdown(text: str, week: Window, folder: Path | None = None) -> Path:
    """Write a supervision report owner-only (0600, folder 0700); returns where it went."""
    from caseload.io.files import write_private

    return write_private(report_path(week, folder), text.encode("utf-8"))
