"""The top of the Client screen: who, status, cadence, goals in the client's words, figures,
alliance trend, series and flags, a few lines that wrap to the terminal's width.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from caseload.domain import instruments
from caseload.domain.metrics import Ratio, sparkline
from caseload.domain.records import ClientStatus, Instrument, Settings
from caseload.services.client_view import ClientView
from caseload.tui.widgets.timeline import day_text

STATUS_MARKS = {ClientStatus.ACTIVE: "●", ClientStatus.ON_HOLD: "◐",
                ClientStatus.DISCHARGED: "○"}


def ratio(r: Ratio) -> str:
    """"8/10", or "—" when nothing was due."""
    return f"{r.numerator}/{r.denominator}" if r.denominator else "—"


def header_lines(view: ClientView, settings: Settings) -> list[Text]:
    """The header's lines, most important first."""
    c, today = view.client, view.now.date()
    first = Text()
    first.append(c.name, style="bold")
    first.append(f" · {c.record_number} · {STATUS_MARKS[c.status]} {c.status.label}"
                 f" · sessions {view.cadence}")
    if view.next_appointment is not None:
        first.append(f" · next {day_text(view.next_appointment.date(), today)} "
                     f"{view.next_appointment:%H:%M}")
    else:
        first.append(" · ! nothing booked (s schedules)")
    goals = Text.assemble(("Goals: ", "bold"))
    if view.goals:
        goals.append("  ".join(f"{n}. {g.text}" for n, g in enumerate(view.goals, 1)))
    else:
        goals.append("none yet (g adds one, in the client's words)")
    f = view.figures
    weeks = view.window.days // 7
    figures = Text.assemble((f"Last {weeks} weeks: ", "bold"))
    figures.append(" · ".join((
        f"attended {ratio(f.client_attendance)}",
        f"you held {ratio(f.counselor_reliability)}",
        f"your promises {ratio(f.counselor_follow_through)}",
        f"client's {ratio(f.client_follow_through)}",
        f"check-ins {ratio(f.checkin_regularity)}")))
    lines = [first, goals, figures]
    trend = Text()
    if view.alliance_trend:
        spec = instruments.SPECS[Instrument.SRS]
        trend.append("SRS ", style="bold")
        trend.append(f"{sparkline(view.alliance_trend, spec.total_low, spec.total_high)} "
                     f"{instruments.format_score(view.alliance_trend[-1])} "
                     f"(cutoff {instruments.format_score(settings.srs_cutoff)})")
    for s in view.series:
        trend.append("  ·  " if trend.plain else "")
        trend.append("Series: ", style="bold")
        trend.append(f"{s.description} ({s.future_count} ahead)")
    if trend.plain:
        lines.append(trend)
    if view.flags:
        flags = Text.assemble(("Flags: ", "bold"))
        flags.append(" · ".join(f"{flag.badge} {flag.code.label}" for flag in view.flags))
        lines.append(flags)
    return lines


class ClientHeader(Widget):
    """Renders a `ClientView`'s header; the screen sets `view` after each load."""

    DEFAULT_CSS = """
    ClientHeader {
        height: auto;
        max-height: 9;
        padding: 0 1;
        background: $boost;
    }
    """

    view: reactive[ClientView | None] = reactive(None, layout=True)

    def __init__(self, settings: Settings, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.settings = settings

    def render(self) -> Text:
        """The header lines, or a loading note."""
        if self.view is None:
            return Text("Loading…")
        return Text("\n").join(header_lines(self.view, self.settings))
