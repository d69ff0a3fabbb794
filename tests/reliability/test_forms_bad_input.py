"""Bad values typed into every form and prompt: the message says what is wrong, nothing is saved.

Each case opens a form or a prompt the way a counselor does (keys from Today, on the small
hand-built caseload of tests/tui), puts the bad text in a field (as typed or pasted: control
characters included), presses Save (Ctrl+S) or Enter, and checks that the dialog is still open,
that the message names the problem, and that no table of the database changed (the audit trail
included).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from textual.widgets import Input

from caseload.store.models import MODELS
from caseload.tui.app import CaseloadApp
from caseload.tui.widgets.parsed_field import ParsedField
from tests.reliability import figures
from tests.tui.conftest import SmallCaseload, screen_text, settle

SIZE = (120, 40)


@dataclass(frozen=True)
class Case:
    """Keys that open the dialog, what to put in which field, the key that submits, and what
    the counselor must read afterwards."""

    name: str
    keys: tuple[str, ...]
    screen: str
    values: tuple[tuple[str, str], ...]  # (field id, or "" for a prompt's input; text)
    expected: tuple[str, ...]
    submit: str = "ctrl+s"


NOT_SAVED = "Not saved: fix the field marked ✗ first."
CLIENT, COMMIT, RENEG = "ClientFormScreen", "CommitmentFormScreen", "RenegotiateFormScreen"
PROMPT, CHECKIN, SCHEDULE = "TextPromptScreen", "CheckInScreen", "ScheduleFormScreen"
GOOD_CLIENT = (("name", "Robin Example"), ("record", "R-2001"), ("intake", "today"),
               ("cadence", "7"))

CASES = (
    # The new-client form (+).
    Case("client-empty-name", ("plus",), CLIENT, (*GOOD_CLIENT, ("name", "")),
         (NOT_SAVED, "Name cannot be empty.")),
    Case("client-name-escape-codes", ("plus",), CLIENT,
         (*GOOD_CLIENT, ("name", "Evil \x1b]0;title\x07\x1b[31mName")),
         (NOT_SAVED, "Name contains control characters or line breaks")),
    Case("client-name-line-break", ("plus",), CLIENT, (*GOOD_CLIENT, ("name", "Two\nLines")),
         (NOT_SAVED, "Name contains control characters or line breaks")),
    Case("client-name-too-long", ("plus",), CLIENT, (*GOOD_CLIENT, ("name", "x" * 121)),
         (NOT_SAVED, "Name is too long (121 characters; at most 120).")),
    Case("client-record-in-use", ("plus",), CLIENT, (*GOOD_CLIENT, ("record", "R-1001")),
         ("Not saved: Record number R-1001 is already in use.",)),
    Case("client-intake-ambiguous", ("plus",), CLIENT, (*GOOD_CLIENT, ("intake", "12/01/2026")),
         (NOT_SAVED, "is ambiguous (month or day first?)")),
    Case("client-intake-no-such-day", ("plus",), CLIENT,
         (*GOOD_CLIENT, ("intake", "2026-02-30")), (NOT_SAVED, "Feb 2026 has 28 days")),
    Case("client-intake-far-future", ("plus",), CLIENT, (*GOOD_CLIENT, ("intake", "+999y")),
         (NOT_SAVED, "dates must be between 1900 and 2200")),
    Case("client-cadence-zero", ("plus",), CLIENT, (*GOOD_CLIENT, ("cadence", "0")),
         (NOT_SAVED, "Cadence must be a whole number from 1 to 365.")),
    Case("client-cadence-words", ("plus",), CLIENT, (*GOOD_CLIENT, ("cadence", "seven")),
         (NOT_SAVED, "Cadence must be a whole number from 1 to 365.")),
    Case("client-cadence-digits-elsewhere", ("plus",), CLIENT, (*GOOD_CLIENT, ("cadence", "٧")),
         (NOT_SAVED, "Cadence must be a whole number from 1 to 365.")),
    # A commitment for the highlighted session's client (o on Today).
    Case("commitment-empty", ("o",), COMMIT, (("text", ""), ("due", "fri")),
         (NOT_SAVED, "Commitment cannot be empty.")),
    Case("commitment-due-past", ("o",), COMMIT, (("text", "Call J."), ("due", "yesterday")),
         (NOT_SAVED, "The due date is in the past")),
    Case("commitment-due-nonsense", ("o",), COMMIT, (("text", "Call J."), ("due", "someday")),
         (NOT_SAVED, "Could not read 'someday' as a date")),
    Case("commitment-too-long", ("o",), COMMIT, (("text", "y" * 201), ("due", "fri")),
         (NOT_SAVED, "Commitment is too long (201 characters; at most 200).")),
    # Renegotiating and dropping from the Commitments screen.
    Case("renegotiate-past", ("3", "r"), RENEG, (("due", "yesterday"),),
         (NOT_SAVED, "The new due date is in the past.")),
    Case("renegotiate-month-13", ("3", "r"), RENEG, (("due", "2026-13-01"),),
         (NOT_SAVED, "the month must be 01–12")),
    Case("renegotiate-reason-control", ("3", "r"), RENEG,
         (("due", "+1w"), ("reason", "ok\x07\x07")),
         (NOT_SAVED, "Reason contains control characters")),
    Case("drop-no-reason", ("3", "D"), PROMPT, (("", ""),), ("e.g. no longer needed",),
         submit="enter"),
    Case("drop-reason-too-long", ("3", "D"), PROMPT, (("", "z" * 201),),
         ("Reason for dropping is too long (201 characters; at most 200).",), submit="enter"),
    # Today's prompts: late minutes, a new time for a session.
    Case("late-minutes-words", ("m",), PROMPT, (("", "five"),), ("✗",), submit="enter"),
    Case("late-minutes-too-many", ("m",), PROMPT, (("", "client 601"),), ("✗",),
         submit="enter"),
    Case("move-to-a-missing-hour", ("r",), PROMPT, (("", "2027-03-14 02:30"),),
         ("2:30 does not exist on 2027-03-14 in America/New_York",),
         submit="enter"),
    Case("move-to-12am", ("r",), PROMPT, (("", "tomorrow 12am"),),
         ("is ambiguous (the start or the end of the day?)",), submit="enter"),
    Case("move-to-nowhere", ("r",), PROMPT, (("", "soon-ish"),),
         ("Could not read 'soon-ish' as a date and time",), submit="enter"),
    # The check-in form (i on Today): item scores and the date.
    Case("checkin-out-of-range", ("i",), CHECKIN,
         (("srs-item-1", "11"), ("srs-item-2", "8"), ("srs-item-3", "8"), ("srs-item-4", "8")),
         ("Item 1 (Relationship) must be between 0.0 and 10.0; got 11.",)),
    Case("checkin-two-decimals", ("i",), CHECKIN,
         (("srs-item-1", "7.55"), ("srs-item-2", "8"), ("srs-item-3", "8"), ("srs-item-4", "8")),
         ("Item 1 (Relationship) allows one decimal at most; got 7.55.",)),
    Case("checkin-not-a-number", ("i",), CHECKIN,
         (("srs-item-1", "8"), ("srs-item-2", "eight"), ("srs-item-3", "8"),
          ("srs-item-4", "8")),
         ("Item 2 (Goals & topics) must be a number",)),
    Case("checkin-missing-item", ("i",), CHECKIN,
         (("srs-item-1", "8"), ("srs-item-2", "8"), ("srs-item-3", "8"), ("srs-item-4", "")),
         ("Item 4 (Overall) is missing",)),
    Case("checkin-escape-code", ("i",), CHECKIN,
         (("srs-item-1", "8\x1b[2J"), ("srs-item-2", "8"), ("srs-item-3", "8"),
          ("srs-item-4", "8")),
         ("Item 1 (Relationship) must be a number", "\\x1b")),
    # The Client screen: a goal prompt, a new series.
    Case("goal-empty", ("2", "enter", "g"), PROMPT, (("", "   "),), ("e.g. get my license",),
         submit="enter"),
    Case("goal-too-long", ("2", "enter", "g"), PROMPT, (("", "g" * 301),),
         ("Goal is too long (301 characters; at most 300).",), submit="enter"),
    Case("series-missing-hour", ("2", "enter", "s"), SCHEDULE,
         (("start", "2027-03-14 02:30"), ("duration", "50")),
         (NOT_SAVED, "does not exist on 2027-03-14")),
    Case("series-too-long", ("2", "enter", "s"), SCHEDULE,
         (("start", "tue 10:00"), ("duration", "481")),
         (NOT_SAVED, "Duration must be a whole number from 5 to 480.")),
    # The weekly review's focus line.
    Case("review-focus-too-long", ("w", "space", "f"), PROMPT, (("", "f" * 121),),
         ("Focus is too long (121 characters; at most 120).",), submit="enter"),
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.select().count() for model in MODELS}


async def _fill(app: CaseloadApp, values: tuple[tuple[str, str], ...]) -> None:
    """Put each text in its field, as typing or pasting would (the field parses it)."""
    for field_id, text in values:
        if field_id:
            app.screen.query_one(f"#{field_id}", ParsedField).set_text(text)
        else:
            app.screen.query_one(Input).value = text


# One dialog per group of cases: each bad value is typed over the last one in the same dialog,
# which stays open after a refusal (as it does for the counselor).
GROUPS: dict[tuple[str, ...], list[Case]] = {}
for _case in CASES:
    GROUPS.setdefault(_case.keys, []).append(_case)


@pytest.mark.parametrize("cases", list(GROUPS.values()), ids=[
    "+".join(c.name for c in g)[:60] for g in GROUPS.values()])
async def test_a_bad_value_is_named_and_nothing_is_saved(small: SmallCaseload,
                                                         cases: list[Case]) -> None:
    app = CaseloadApp(small.session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in cases[0].keys:
            await pilot.press(key)
            await settle(pilot)
        assert type(app.screen).__name__ == cases[0].screen
        before = _counts()  # (opening the weekly review saves where it stands)
        for case in cases:
            app._notifications.clear()
            await _fill(app, case.values)
            await pilot.pause()
            await pilot.press(case.submit)
            await settle(pilot)
            await pilot.pause()
            assert type(app.screen).__name__ == case.screen, f"{case.name}: the dialog closed"
            shown = " ".join((screen_text(app) + "\n".join(
                n.message for n in app._notifications)).split())  # wrapped lines joined again
            for text in case.expected:
                assert text in shown, f"{case.name}: {text!r} not on screen:\n{shown[-2500:]}"
            assert app.crash_type is None
            assert _counts() == before, f"{case.name}: something was saved"
            figures.add("bad_form_values", len(case.values))
