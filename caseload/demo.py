"""A fictional demo caseload, generated deterministically, for trying Caseload and for benchmarks.

Everything here is made up: names are common first and last names combined at random ("Jordan
Rivers"), record numbers are "CL-1xxxx", places are "Room 2" or "Telehealth". The same arguments
(seed, today, clients, weeks, counselors, settings) always give byte-identical table contents:
the only source of randomness is one ``random.Random(seed)``, no clock is read (timestamps are
derived from ``today``), and nothing depends on set or hash order.

`generate` writes into the database already bound to ``caseload.store.models.database`` (opened
and migrated by the caller). It builds plain tuples in Python and writes each table with the
DB-API cursor's ``executemany`` in one transaction, assigning primary keys itself (after the
current maximum of each table) so rows reference each other without round trips. Timestamps are
converted with the model fields' own ``db_value``, so reading them back through Peewee gives the
same aware UTC datetimes as rows written by the services.

What is generated per client: an intake 4 to ``weeks`` weeks ago; a weekly (sometimes every two
weeks) series on a weekday at 9:00 to 16:00 local time, materialised from intake to 12 weeks
ahead; outcomes for every occurrence before ``today`` (sessions on ``today`` and later stay
``scheduled``, so the Today screen has work to do); reschedules with their new appointment;
commitments both ways with every status; SRS at most kept sessions, WAI-SR about monthly and ORS
for some clients. A few clients are on hold or discharged (their series ended).

Every review flag of DOMAIN.md §5 is guaranteed for counselor 1 at ``today`` (any time after
17:00, when today's sessions are over; when that counselor has at least 12 clients and
``weeks`` >= 4), by dedicating that counselor's first client slots to scenarios (slot n = the
counselor's n-th client in id order; names are random, so the slots do not show in the
alphabetical list). Each scenario slot is weekly, active, has its intake at least 8 weeks back
(at most ``weeks``), and its last three occurrences before today are forced (no random outcome,
no reschedule, no random check-in or commitment) so the scenario cannot be undone by chance:

====  ===================================================================================
slot  scenario (flag codes of caseload.domain.flags)
====  ===================================================================================
0     needs_outcome: the latest occurrence before today (a weekday in the last few days)
      is still ``scheduled``
1     counselor_cancelled: an occurrence this week (the latest weekday of the week before
      today, else the first one ahead) cancelled by the counselor
2     counselor_late: a session this week kept with the counselor 8–15 minutes late (on a
      Monday that starts the week: today's 9:00 session; with no weekday before today in
      the week, a single session today at 10:00)
3     counselor_commitment_overdue: "Send the housing resources list", due this week when
      possible (else yesterday), still open
4     counselor_commitment_due: a counselor commitment due in 1–5 days
5     no_show_streak (the last two occurrences) and client_commitment_overdue (made at the
      kept session before them)
6     no_contact: the sessions of the last 14 days were cancelled by the client; also holds a
      client commitment renegotiated *after* its due date had passed (now due in 3 days)
7     not_scheduled: active, but the series ended at today (``ended``), nothing ahead
8     alliance_below_cutoff: the latest two SRS just below the cutoff, both discussed
9     alliance_drop: the latest SRS ``srs_drop`` + 0.5 below the previous one (with the
      default settings 38.0 then 36.5, above the cutoff), discussed
10    not_discussed: the latest SRS well below the cutoff and not discussed
11    checkin_lapsed: the last three kept sessions without any check-in
12    on hold (series ended), when the counselor has more than 12 clients
13    discharged (series ended), when the counselor has more than 13 clients
====  ===================================================================================

Counselor 1 is also given a clean recent run (3 to 8 complete weeks with no counselor-side miss
generated at random), so the header shows a streak as it would for a mostly reliable counselor;
the current week has the scenario misses, which do not break a streak while the week is in
progress. Other counselors (the clinic benchmark) get random profiles and no scenario slots.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec.structs
from peewee import Field, SqliteDatabase
from peewee import PeeweeException as PeeweeError

from caseload.domain.records import (
    ClientStatus,
    CommitmentStatus,
    Instrument,
    Party,
    Settings,
)
from caseload.store.db import bulk_write_cache
from caseload.store.models import (
    Appointment,
    AppointmentSeries,
    AuditEvent,
    BaseModel,
    CheckIn,
    CheckInItem,
    Client,
    Commitment,
    Counselor,
    database,
)

__all__ = [
    "DEMO_CLIENTS",
    "DEMO_SEED",
    "DEMO_WEEKS",
    "DemoSummary",
    "demo_database_path",
    "ensure_demo_database",
    "generate",
]

# Bump when the generator changes what it writes: `ensure_demo_database` then rebuilds the file.
GENERATOR_VERSION = 2
DEMO_CLIENTS, DEMO_WEEKS, DEMO_SEED = 40, 26, 1
DEMO_DISPLAY_NAME = "Dana Whitfield (demo)"
HORIZON_WEEKS = 12
SESSION_MIN = 50
SCENARIO_SLOTS = 12  # slots 0–11 carry one review flag scenario each (see the module doc)
ON_HOLD_SLOT, DISCHARGED_SLOT = 12, 13

# Fictional by construction: common given names and surnames, paired at random.
FIRST_NAMES = (
    "Alex", "Andre", "Avery", "Bianca", "Blake", "Cameron", "Carmen", "Casey", "Darnell",
    "Devon", "Drew", "Elena", "Emery", "Esther", "Felix", "Frankie", "Gabriel", "Grace",
    "Harper", "Hayden", "Hector", "Imani", "Jamie", "Jesse", "Joel", "Jordan", "Kai", "Keisha",
    "Kendall", "Lee", "Logan", "Luis", "Marisol", "Maya", "Morgan", "Nico", "Noel", "Omar",
    "Parker", "Quinn", "Reese", "Riley", "Robin", "Rosa", "Rowan", "Sage", "Sam", "Skyler",
    "Tariq", "Taylor", "Terry", "Toni", "Val", "Vera", "Wes", "Wren", "Yusuf", "Zoe",
)
LAST_NAMES = (
    "Alvarez", "Bennett", "Brooks", "Carter", "Castillo", "Chen", "Coleman", "Diaz", "Ellis",
    "Fischer", "Foster", "Garcia", "Grant", "Hayes", "Hughes", "Jensen", "Kim", "Lopez",
    "Marsh", "Meyer", "Mitchell", "Morales", "Nguyen", "Novak", "Okafor", "Ortiz", "Patel",
    "Perry", "Price", "Ramirez", "Reed", "Reyes", "Rivers", "Russo", "Santos", "Shaw", "Silva",
    "Stone", "Sullivan", "Torres", "Tran", "Vance", "Wade", "Walsh", "Ward", "Webb", "West",
    "Wong", "Young",
)
ROOMS = ("Room 1", "Room 2", "Room 3", "Room 4")
TELEHEALTH = "Telehealth"

COUNSELOR_TEXTS = (
    "Call your probation officer about the hearing date",
    "Send the housing resources list",
    "Check the IOP waitlist and call back",
    "Write the attendance letter for your employer",
    "Find an evening NA meeting near your work",
    "Ask the prescriber about the refill",
    "Print the bus route to the clinic",
    "Call the benefits office about your coverage",
    "Look into transportation vouchers",
    "Send the sober-living contact list",
    "Book the room for the family session",
    "Fax the release form to the treatment court",
)
CLIENT_TEXTS = (
    "Attend two meetings this week",
    "Call your sponsor twice",
    "Go to the job fair on Thursday",
    "Fill in the craving log each day",
    "Book the dental appointment",
    "Try the breathing exercise when cravings hit",
    "Bring the court paperwork",
    "Walk 20 minutes three times",
    "Ask your sister about the family session",
    "Sign up for the GED class",
    "Pick up the medication on time",
    "Write down three triggers and a plan for each",
)
RENEGOTIATE_REASONS = (
    "Client asked to wait until after the court date",
    "Office closed Friday; moved to Monday",
    "Waiting for the signed release",
    "Agreed a smaller first step",
    "Client's work schedule changed",
    "The form was not ready yet",
)
LATE_REASONS = (
    "Missed the date; agreed a new one at the next session",
    "Forgot; new date agreed by phone",
)
DROP_REASONS = (
    "No longer needed: the client found housing",
    "Client decided against it",
    "The program closed its waitlist",
    "Replaced by a better plan",
    "Court date moved; not needed now",
)
DONE_NOTES = ("", "", "", "Done in session", "Sent by email", "Client confirmed")
SRS_LOW_COMMENTS = (
    "Felt rushed; will start on time and leave 10 min for goals",
    "Wanted more time on housing; will start with it next week",
    "Homework felt like too much; will keep it to one small step",
    "Did not like the room change; back to the usual room",
    "Felt I talked too much; will ask more and listen more",
    "Court date stress; will make space for it next session",
    "Wants to focus on work, not family, for now; agreed",
    "Upset about the cancelled session; apologised and fixed the time",
)
WAI_LOW_COMMENTS = (
    "Goals feel vague; will write them down together next week",
    "Not sure the plan fits; will review it together",
    "Wants more say in what we work on; agreed to set the agenda together",
)

WAI_SCORES = (1.0, 2.0, 3.0, 4.0, 5.0)
# Plain strings for the hot loops (enum attribute access costs a call each time).
_OPEN, _DONE = CommitmentStatus.OPEN.value, CommitmentStatus.DONE.value
_RENEGOTIATED, _DROPPED = CommitmentStatus.RENEGOTIATED.value, CommitmentStatus.DROPPED.value
_COUNSELOR, _CLIENT = Party.COUNSELOR.value, Party.CLIENT.value
_SRS, _WAI_SR, _ORS = Instrument.SRS.value, Instrument.WAI_SR.value, Instrument.ORS.value


class _Random(random.Random):
    """`random.Random` with a cheaper `randint` and `pick` (one `random()` call each).

    Still fully determined by the seed; only the mapping from the stream to integers differs
    from the standard methods, which spend most of a benchmark build in `randrange`.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.random() * len(seq))]

_Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """How many rows of each kind `generate` wrote."""

    counselors: int
    clients: int
    series: int
    appointments: int
    commitments: int
    checkins: int
    checkin_items: int

    def as_dict(self) -> dict[str, int]:
        """The counts by table, in a fixed order."""
        return asdict(self)

    def __str__(self) -> str:
        def n(count: int, word: str, plural: str | None = None) -> str:
            return f"{count:,} {word if count == 1 else plural or word + 's'}"

        return ", ".join([
            n(self.counselors, "counselor"), n(self.clients, "client"),
            n(self.series, "series", "series"), n(self.appointments, "appointment"),
            n(self.commitments, "commitment"), n(self.checkins, "check-in"),
            n(self.checkin_items, "check-in item")])


@dataclass(frozen=True, slots=True)
class _Profile:
    """How one counselor works: their rates of counselor-side misses and check-ins."""

    cancel_rate: float  # counselor_cancelled, share of past occurrences
    reschedule_rate: float  # rescheduled (either side)
    late_rate: float  # kept with the counselor more than 5 minutes late
    checkin_rate: float  # SRS at a kept session
    commit_on_time: float  # counselor commitments done on time when they fall due
    clean_from: date  # no counselor-side miss is generated from this date on
    scenarios: bool  # the first client slots carry the review flag scenarios


@dataclass(slots=True)
class _Plan:
    """One client's fixed parameters."""

    client_id: int
    slot: int | None  # scenario slot (counselor 1 only) or None
    status: ClientStatus
    weekday: int
    hour: int
    interval: int  # 1 weekly, 2 every two weeks
    intake: date
    end: date  # occurrences fall on local dates before this (exclusive)
    location: str


@dataclass(slots=True)
class _Kept:
    """A kept session, for attaching check-ins and commitments."""

    appointment_id: int
    day: date
    end_db: Any  # the session's end, as stored: the check-in's created_at
    forced: bool  # in a scenario's forced tail


def _week_start(day: date, week_start: int) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


class _Builder:
    """Builds every row as plain tuples, ids included; `_write` then inserts them."""

    def __init__(self, *, seed: int, today: date, weeks: int, settings: Settings,
                 ids: dict[str, int]) -> None:
        self.rng = _Random(seed)
        self.today = today
        self.weeks = weeks
        self.settings = settings
        self.tz = ZoneInfo(settings.timezone)
        self.week_start = _week_start(today, settings.week_start)
        self.horizon_day = today + timedelta(weeks=HORIZON_WEEKS)
        self._to_db = Appointment.starts_at.db_value  # the models' own UTC conversion
        self._ids = {name: itertools.count(start) for name, start in ids.items()}
        # The hot tables count their ids in plain attributes (cheaper than a call per row).
        self.appointment_id = next(self._ids["appointment"])
        self.checkin_id = next(self._ids["checkin"])
        self.item_id = next(self._ids["item"])
        self._wai: dict[float, list[float]] = {}
        self._slots: dict[tuple[date, int], tuple[datetime, Any, datetime, Any]] = {}
        self._length = timedelta(minutes=SESSION_MIN)
        self.counselors: list[_Row] = []
        self.clients: list[_Row] = []
        self.series: list[_Row] = []
        self.appointments: list[_Row] = []
        self.rescheduled: list[_Row] = []  # written after their targets (foreign key order)
        self.commitments: list[_Row] = []
        self.checkins: list[_Row] = []
        self.items: list[_Row] = []
        self._names: set[str] = set()

    # -- small helpers -------------------------------------------------------------------

    def _next(self, table: str) -> int:
        return next(self._ids[table])

    def _local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A wall time in the clinic's zone as an aware UTC datetime (10:00 stays 10:00)."""
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).astimezone(UTC)

    def _session(self, day: date, hour: int) -> tuple[datetime, Any, datetime, Any]:
        """(start, start for the database, end, end for the database) of a session at `hour`.

        Many clients share a slot, so the conversions are cached: they are the costly part.
        """
        key = (day, hour)
        found = self._slots.get(key)
        if found is None:
            start = self._local(day, hour)
            end = start + self._length
            found = self._slots[key] = (start, self._to_db(start), end, self._to_db(end))
        return found

    def _db(self, moment: datetime | None) -> Any:
        return None if moment is None else self._to_db(moment)

    def _name(self) -> str:
        """A fictional name; unique while there are plenty of combinations left."""
        rng = self.rng
        for _ in range(20):
            name = f"{rng.pick(FIRST_NAMES)} {rng.pick(LAST_NAMES)}"
            if name not in self._names:
                break
        self._names.add(name)
        return name

    # -- counselors and clients ----------------------------------------------------------

    def counselor(self, index: int, login: str, existing: int | None) -> tuple[int, _Profile]:
        """Counselor `index` (0 is the person running the demo); its id and work profile."""
        rng = self.rng
        if index == 0:
            name = DEMO_DISPLAY_NAME
        else:
            name = f"{self._name()} (demo)"
        if existing is None:
            counselor_id = self._next("counselor")
            created = self._local(self.today - timedelta(weeks=self.weeks, days=7), 8)
            self.counselors.append((counselor_id, login, name, self._db(created)))
        else:
            counselor_id = existing
        if index == 0:
            clean_weeks = rng.randint(3, 8)
            profile = _Profile(0.03, 0.03, 0.015, 0.9, 0.82,
                               self.week_start - timedelta(weeks=clean_weeks), True)
        else:
            clean_weeks = rng.randint(0, 6)
            profile = _Profile(rng.uniform(0.015, 0.05), rng.uniform(0.02, 0.04),
                               rng.uniform(0.005, 0.03), rng.uniform(0.6, 0.95),
                               rng.uniform(0.7, 0.86),
                               self.week_start - timedelta(weeks=clean_weeks), False)
        return counselor_id, profile

    def _this_week_before_today(self) -> date | None:
        """The latest weekday (Mon–Fri) of the review week before today, if there is one."""
        days = (self.week_start + timedelta(days=i) for i in range(7))
        before = [d for d in days if d < self.today and d.weekday() < 5]
        return before[-1] if before else None

    def _this_week_day(self) -> date:
        """A weekday of the review week: the latest before today, else the first from today."""
        found = self._this_week_before_today()
        if found is None:
            days = (self.week_start + timedelta(days=i) for i in range(7))
            found = next(d for d in days if d >= self.today and d.weekday() < 5)
        return found

    def plan(self, counselor_id: int, slot: int | None, profile: _Profile) -> _Plan:
        """A new client of `counselor_id`, the counselor's `slot`-th: their row and plan."""
        rng = self.rng
        client_id = self._next("client")
        scenario = slot if profile.scenarios and slot is not None and slot < SCENARIO_SLOTS \
            else None
        low = min(8 if scenario is not None else 4, self.weeks) * 7
        intake = self.today - timedelta(days=rng.randint(low, self.weeks * 7))
        weekday = rng.randrange(5)
        hour = rng.randint(9, 16)
        interval = 1 if scenario is not None or rng.random() < 0.8 else 2
        location = TELEHEALTH if rng.random() < 0.2 else rng.pick(ROOMS)
        if scenario == 0:  # the most recent weekday before today
            day = self.today - timedelta(days=1)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            weekday = day.weekday()
        elif scenario == 1:
            weekday = self._this_week_day().weekday()
        elif scenario == 2:
            before = self._this_week_before_today()
            if before is not None:
                weekday = before.weekday()
            elif self.today.weekday() < 5:  # the week starts today: today's early session
                weekday, hour = self.today.weekday(), 9
        status = ClientStatus.ACTIVE
        if profile.scenarios and slot == ON_HOLD_SLOT:
            status = ClientStatus.ON_HOLD
        elif profile.scenarios and slot == DISCHARGED_SLOT:
            status = ClientStatus.DISCHARGED
        elif scenario is None:
            r = rng.random()
            status = (ClientStatus.ON_HOLD if r < 0.04 else ClientStatus.DISCHARGED
                      if r < 0.10 else ClientStatus.ACTIVE)
        end = self.horizon_day
        if status is not ClientStatus.ACTIVE:
            since_intake = (self.today - intake).days
            end = self.today - timedelta(days=rng.randint(5, max(5, min(56, since_intake - 21))))
        elif scenario == 7:
            end = self.today
        name = self._name()
        created = self._local(intake, 8, 30)
        self.clients.append((client_id, name, f"CL-{10000 + client_id}", intake, status.value,
                             counselor_id, 7 * interval, "", 1, self._db(created)))
        return _Plan(client_id, scenario, status, weekday, hour, interval, intake, end,
                     location)

    # -- appointments --------------------------------------------------------------------

    def _series_row(self, plan: _Plan, first: date) -> int:
        series_id = self._next("series")
        day_code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[plan.weekday]
        rule = (f"FREQ=WEEKLY;BYDAY={day_code}" if plan.interval == 1
                else f"FREQ=WEEKLY;INTERVAL={plan.interval};BYDAY={day_code}")
        ended = plan.end != self.horizon_day
        until = datetime(plan.end.year, plan.end.month, plan.end.day, tzinfo=self.tz)
        self.series.append((
            series_id, plan.client_id, rule, self._db(self._local(first, plan.hour)),
            self.settings.timezone, SESSION_MIN, "individual", plan.location,
            self._db(until.astimezone(UTC)), ended,
            self._db(self._local(plan.intake, 8, 30))))
        return series_id

    def _tail(self, scenario: int | None) -> list[str]:
        """The forced outcomes of a scenario's last three occurrences before today."""
        if scenario is None:
            return []
        tails = {0: ["kept", "kept", "scheduled"],
                 5: ["kept", "no_show", "no_show"],
                 6: ["kept", "client_cancelled", "client_cancelled"]}
        tail = tails.get(scenario, ["kept", "kept", "kept"])
        if scenario in (1, 2) and self._this_week_before_today() is not None:
            # The scenario's session this week is the latest one before today.
            tail = ["kept", "kept", "counselor_cancelled" if scenario == 1 else "kept_late"]
        return tail

    def appointments_for(self, plan: _Plan, profile: _Profile) -> list[_Kept]:
        """The client's series and occurrences with outcomes; returns the kept sessions."""
        rng, today = self.rng, self.today
        first = plan.intake + timedelta(days=(plan.weekday - plan.intake.weekday()) % 7)
        series_id = self._series_row(plan, first)
        step = timedelta(days=7 * plan.interval)
        days = []
        day = first
        while day < plan.end:
            days.append(day)
            day += step
        n_past = sum(1 for d in days if d < today)
        tail = self._tail(plan.slot)
        forced_from = n_past - len(tail)
        special: dict[int, str] = {}
        # No weekday of this week before today: the scenario's session is today or ahead.
        if plan.slot == 1 and tail[-1] != "counselor_cancelled":
            special[days.index(self._this_week_day())] = "counselor_cancelled"
        if plan.slot == 2 and tail[-1] != "kept_late" and today in days:
            special[days.index(today)] = "kept_late"
        kept: list[_Kept] = []
        append = self.appointments.append
        to_db = self._to_db
        late_cancel_min = max(self.settings.late_cancel_hours * 60, 61)
        clean_from = profile.clean_from
        session = self._session
        hour = plan.hour
        for i, day in enumerate(days):
            start, start_db, _, end_db = session(day, hour)
            appt_id = self.appointment_id
            self.appointment_id += 1
            forced = i >= forced_from and i < n_past
            if forced:
                code = tail[i - forced_from]
            elif i in special:
                code = special[i]
            elif i >= n_past:
                append((appt_id, plan.client_id, series_id, start_db, start_db, end_db,
                        "individual", plan.location, "scheduled", 0, 0, None, None, None,
                        False, 1))
                continue
            else:
                code = self._random_outcome(profile, day >= clean_from)
            client_late = counselor_late = 0
            cancelled: datetime | None = None
            requested_by: str | None = None
            outcome = code
            if code == "kept" or code == "kept_late":
                outcome = "kept"
                if code == "kept_late":
                    counselor_late = rng.randint(8, 15)
                elif not forced:
                    r = rng.random()
                    if r < 0.15:
                        client_late = rng.randint(3, 20)
                    if day < clean_from and rng.random() < profile.late_rate:
                        counselor_late = rng.randint(6, 15)
                    elif rng.random() < 0.08:
                        counselor_late = rng.randint(1, 5)
                kept.append(_Kept(appt_id, day, end_db, forced))
            elif code == "no_show" or code == "scheduled":
                pass
            elif code == "late_cancel":
                cancelled = start - timedelta(minutes=rng.randint(60, late_cancel_min - 1))
            elif code == "client_cancelled":
                cancelled = start - timedelta(minutes=late_cancel_min + rng.randint(60, 4000))
            elif code == "counselor_cancelled":
                cancelled = start - timedelta(days=2)
                cutoff = self._local(today - timedelta(days=1), 16)
                cancelled = min(cancelled, cutoff)
            else:  # a reschedule: the new appointment a day or two later, same hour
                requested_by = code.split(":")[1]
                outcome = "rescheduled"
                cancelled = start - timedelta(hours=rng.randint(24, 72))
                new_day = day + timedelta(days=rng.randint(1, 2))
                if new_day.weekday() >= 5:
                    new_day += timedelta(days=7 - new_day.weekday())
                _, new_start_db, _, new_end_db = session(new_day, hour)
                new_id = self.appointment_id
                self.appointment_id += 1
                new_outcome = "kept" if new_day < today else "scheduled"
                append((new_id, plan.client_id, None, None, new_start_db, new_end_db,
                        "individual", plan.location, new_outcome, 0, 0, None, None, None,
                        False, 1))
                self.rescheduled.append((
                    appt_id, plan.client_id, series_id, start_db, start_db, end_db,
                    "individual", plan.location, outcome, 0, 0, to_db(cancelled), new_id,
                    requested_by, False, 1))
                if new_outcome == "kept":
                    kept.append(_Kept(new_id, new_day, new_end_db, False))
                continue
            append((appt_id, plan.client_id, series_id, start_db, start_db, end_db,
                    "individual", plan.location, outcome, client_late, counselor_late,
                    None if cancelled is None else to_db(cancelled), None, requested_by,
                    False, 1))
        if plan.slot == 2 and tail[-1] != "kept_late" and today not in days:
            # No weekday of this week falls before today and today is a weekend day: a single
            # make-up session this morning, kept late.
            _, start_db, _, end_db = session(today, 10)
            appt_id = self.appointment_id
            self.appointment_id += 1
            append((appt_id, plan.client_id, None, None, start_db, end_db, "individual",
                    plan.location, "kept", 0, rng.randint(8, 15), None, None, None, False, 1))
            kept.append(_Kept(appt_id, today, end_db, True))
        return kept

    def _random_outcome(self, profile: _Profile, clean: bool) -> str:
        """A past occurrence's outcome; counselor-side misses only outside the clean run."""
        rng = self.rng
        r = rng.random()
        if r < profile.cancel_rate:
            if not clean:
                return "counselor_cancelled"
        elif r < profile.cancel_rate + profile.reschedule_rate:
            side = "counselor" if rng.random() < 0.35 and not clean else "client"
            return f"reschedule:{side}"
        r = rng.random()
        if r < 0.785:
            return "kept"
        r = rng.random()
        return "no_show" if r < 0.42 else "late_cancel" if r < 0.65 else "client_cancelled"

    # -- check-ins -----------------------------------------------------------------------

    def _checkin(self, client_id: int, instrument: str, kept: _Kept,
                 items: Sequence[float], discussed: bool, comment: str) -> float:
        checkin_id = self.checkin_id
        self.checkin_id += 1
        total = round(math.fsum(items), 1)
        self.checkins.append((checkin_id, client_id, instrument, kept.day, total,
                              kept.appointment_id, discussed, comment, kept.end_db, 1))
        first = self.item_id
        self.items.extend([(first + i, checkin_id, i + 1, score)
                           for i, score in enumerate(items)])
        self.item_id = first + len(items)
        return total

    @staticmethod
    def _spread(total: float) -> list[float]:
        """Four one-decimal items in 0–10 summing exactly to `total` (0–40), a little uneven."""
        base, extra = divmod(round(total * 10), 4)
        tenths = [base + (1 if i < extra else 0) for i in range(4)]
        for up, down, step in ((0, 1, 1), (2, 3, 2)):
            if tenths[up] + step <= 100 and tenths[down] - step >= 0:
                tenths[up] += step
                tenths[down] -= step
        return [t / 10 for t in tenths]

    def _items(self, level: float, spread: float) -> list[float]:
        """Four one-decimal items around `level` / 4 (uniform noise: cheap, and enough)."""
        rand, low, width = self.rng.random, (level / 4 - spread / 2) * 10 + 0.5, spread * 10
        # int(x + 0.5) / 10 rounds a non-negative x to one decimal, as round(x, 1) would.
        return [min(10.0, max(0.0, int(low + width * rand()) / 10)) for _ in range(4)]

    def checkins_for(self, plan: _Plan, kept: list[_Kept], profile: _Profile) -> None:
        """SRS at most kept sessions, WAI-SR about monthly, ORS for some clients."""
        rng, s = self.rng, self.settings
        building = rng.random() < 0.15
        base = rng.uniform(36.8, 39.4)
        start_level = rng.uniform(32.5, 35.5) if building else base
        ramp_days = rng.randint(42, 84)
        uses_ors = rng.random() < 0.4
        ors_start, ors_gain = rng.uniform(14.0, 24.0), rng.uniform(4.0, 12.0)
        wai_level = rng.uniform(3.4, 4.5)
        next_wai = plan.intake + timedelta(days=21)
        next_ors = plan.intake
        prev_srs: float | None = None
        prev_wai: float | None = None
        forced_srs = self._forced_srs(plan.slot)
        n = len(kept)
        for index, session in enumerate(kept):
            from_end = n - index  # 1 for the latest kept session
            if plan.slot == 11 and from_end <= 3:
                continue  # the lapsed feedback loop
            days_in = (session.day - plan.intake).days
            if uses_ors and session.day >= next_ors:
                level = min(40.0, ors_start + ors_gain * min(1.0, days_in / 140))
                items = self._items(level, 2.8)
                self._checkin(plan.client_id, _ORS, session, items,
                              rng.random() < 0.85, "")
                next_ors = session.day + timedelta(days=rng.randint(35, 49))
            if forced_srs and from_end <= len(forced_srs):
                total, discussed, comment = forced_srs[-from_end]
                items = self._spread(total)
                prev_srs = self._checkin(plan.client_id, _SRS, session, items,
                                         discussed, comment)
            elif rng.random() < profile.checkin_rate:
                share = min(1.0, days_in / ramp_days)
                level = start_level + (base - start_level) * share + rng.gauss(0, 0.35)
                items = self._items(min(40.0, level), 0.5)
                total = round(math.fsum(items), 1)
                low = total < s.srs_cutoff or (
                    prev_srs is not None and round(prev_srs - total, 6) >= s.srs_drop)
                discussed, comment = self._discussion(low, SRS_LOW_COMMENTS)
                prev_srs = self._checkin(plan.client_id, _SRS, session, items,
                                         discussed, comment)
            if session.day >= next_wai:
                level = min(5.0, wai_level + 0.4 * min(1.0, days_in / 120))
                items = rng.choices(WAI_SCORES, self._wai_weights(level), k=12)
                total = math.fsum(items)
                low = prev_wai is not None and total < prev_wai
                discussed, comment = self._discussion(low, WAI_LOW_COMMENTS)
                prev_wai = self._checkin(plan.client_id, _WAI_SR, session, items,
                                         discussed, comment)
                next_wai = session.day + timedelta(days=rng.randint(25, 33))

    def _wai_weights(self, level: float) -> list[float]:
        """Weights of the scores 1–5 for a client whose items average about `level`."""
        key = round(level, 1)
        found = self._wai.get(key)
        if found is None:
            found = self._wai[key] = [math.exp(-((score - key) ** 2) / 0.72)
                                      for score in WAI_SCORES]
        return found

    def _discussion(self, low: bool, comments: Sequence[str]) -> tuple[bool, str]:
        """Low scores are nearly always discussed, with a one-line comment."""
        rng = self.rng
        if low:
            if rng.random() < 0.04:
                return False, ""
            return True, rng.pick(comments)
        return rng.random() < 0.85, ""

    def _forced_srs(self, scenario: int | None) -> list[tuple[float, bool, str]]:
        """(total, discussed, comment) of a scenario's last SRS check-ins, oldest first."""
        cutoff, drop = self.settings.srs_cutoff, self.settings.srs_drop
        if scenario == 8:
            return [(round(cutoff - 0.6, 1), True, SRS_LOW_COMMENTS[5]),
                    (round(cutoff - 1.2, 1), True, SRS_LOW_COMMENTS[0])]
        if scenario == 9:
            high = min(39.6, max(cutoff + drop + 1.0, 38.0))
            return [(round(high, 1), True, ""),
                    (round(high - drop - 0.5, 1), True, SRS_LOW_COMMENTS[6])]
        if scenario == 10:
            return [(round(min(39.0, cutoff + 1.5), 1), True, ""),
                    (round(cutoff - 2.3, 1), False, "")]
        return []

    # -- commitments ---------------------------------------------------------------------

    def _commitment(self, client_id: int, owner: str, text: str, made: date, due: date,
                    status: str, done_on: date | None, note: str, appointment_id: int | None,
                    history: list[dict[str, str]]) -> None:
        self.commitments.append((
            self._next("commitment"), client_id, owner, text, made, due, status, done_on, note,
            None, appointment_id, json.dumps(history) if history else "[]", 1))

    def _change(self, old: date, new: date, on: date, reason: str) -> dict[str, str]:
        """One renegotiation, as `services.commitments.renegotiate` records it."""
        return {"old_due": old.isoformat(), "new_due": new.isoformat(),
                "changed_on": on.isoformat(), "reason": reason}

    def _between(self, low: date, high: date) -> date:
        return low + timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def _resolve(self, owner: str, made: date, due: date, profile: _Profile
                 ) -> tuple[str, date, date | None, str, list[dict[str, str]]]:
        """What became of a commitment by today: (status, due, done_on, note, history)."""
        rng, today = self.rng, self.today
        if due >= today:  # not due yet
            r = rng.random()
            if r < 0.18:
                return _DONE, due, self._between(made, today), rng.pick(DONE_NOTES), []
            if r < 0.30:
                on = self._between(made, today)
                new = due + timedelta(days=rng.randint(3, 10))
                history = [self._change(due, new, on, rng.pick(RENEGOTIATE_REASONS))]
                return _RENEGOTIATED, new, None, "", history
            return _OPEN, due, None, "", []
        r = rng.random()
        if owner == _COUNSELOR:  # never left overdue at random; see slot 3
            on_time, late, before, after, overdue = profile.commit_on_time, 0.08, 0.05, 0.01, 0.0
            if due >= profile.clean_from:  # the clean run: no late or silently passed dates
                on_time, late, after = on_time + late + after, 0.0, 0.0
        else:  # left open past due only recently; older ones were done late instead
            on_time, late, before, after, overdue = 0.55, 0.15, 0.06, 0.04, 0.10
            if due < today - timedelta(days=21):
                late, overdue = late + overdue, 0.0
        if r < on_time:
            return _DONE, due, self._between(made, due), rng.pick(DONE_NOTES), []
        r -= on_time
        if r < late:
            return _DONE, due, min(today, due + timedelta(days=rng.randint(1, 7))), "", []
        r -= late
        if r < before + after:
            if r < before:  # renegotiated in time: transparency, not a miss
                on = self._between(made, due)
                reason = rng.pick(RENEGOTIATE_REASONS)
            else:  # the date passed silently first
                on = min(today, due + timedelta(days=rng.randint(1, 5)))
                reason = rng.pick(LATE_REASONS)
            new = max(on + timedelta(days=rng.randint(3, 10)), due + timedelta(days=1))
            history = [self._change(due, new, on, reason)]
            if new >= today:
                return _RENEGOTIATED, new, None, "", history
            return _DONE, new, self._between(on, new), "", history
        r -= before + after
        if r < overdue:
            return _OPEN, due, None, "", []
        return _DROPPED, due, None, rng.pick(DROP_REASONS), []

    def commitments_for(self, plan: _Plan, kept: list[_Kept], profile: _Profile) -> None:
        """Roughly one commitment per side every two to three weeks, made at kept sessions."""
        rng, today = self.rng, self.today
        if not kept:
            return
        first = kept[0].day
        next_counselor = first + timedelta(days=rng.randint(0, 14))
        next_client = first + timedelta(days=rng.randint(0, 10))
        inactive_note = ("" if plan.status is ClientStatus.ACTIVE
                         else "Client discharged" if plan.status is ClientStatus.DISCHARGED
                         else "Paused while the client is on hold")
        for session in kept:
            day = session.day
            if session.forced or day >= today:
                continue
            for owner in (_COUNSELOR, _CLIENT):
                if owner == _COUNSELOR:
                    if day < next_counselor:
                        continue
                    next_counselor = day + timedelta(days=rng.randint(12, 19))
                    text, due = rng.pick(COUNSELOR_TEXTS), rng.randint(2, 10)
                else:
                    if day < next_client:
                        continue
                    next_client = day + timedelta(days=rng.randint(12, 19))
                    text, due = rng.pick(CLIENT_TEXTS), rng.randint(3, 14)
                status, final_due, done_on, note, history = self._resolve(
                    owner, day, day + timedelta(days=due), profile)
                if inactive_note and (status == _OPEN or status == _RENEGOTIATED):
                    status, note = _DROPPED, inactive_note
                self._commitment(plan.client_id, owner, text, day, final_due, status,
                                 done_on, note, session.appointment_id, history)
        self._scenario_commitments(plan, kept)

    def _scenario_commitments(self, plan: _Plan, kept: list[_Kept]) -> None:
        """The commitments of scenario slots 3 to 6 (see the module doc)."""
        today, rng = self.today, self.rng
        past = [k for k in kept if k.day < today]

        def made_before(day: date) -> _Kept | None:
            return next((k for k in reversed(past) if k.day < day), None)

        if plan.slot == 3:
            due = (max(self.week_start, today - timedelta(days=2)) if self.week_start < today
                   else today - timedelta(days=1))
            session = made_before(due)
            made = session.day if session else due - timedelta(days=5)
            self._commitment(plan.client_id, _COUNSELOR, "Send the housing resources list",
                             made, due, _OPEN, None, "",
                             session.appointment_id if session else None, [])
        elif plan.slot == 4:
            session = made_before(today)
            made = session.day if session else today - timedelta(days=3)
            self._commitment(plan.client_id, _COUNSELOR,
                             "Call your probation officer about the hearing date", made,
                             today + timedelta(days=rng.randint(1, 5)), _OPEN, None, "",
                             session.appointment_id if session else None, [])
        elif plan.slot == 5 and past:
            session = past[-1]  # the kept session before the two no-shows
            self._commitment(plan.client_id, _CLIENT, "Attend two meetings this week",
                             session.day, session.day + timedelta(days=5), _OPEN, None, "",
                             session.appointment_id, [])
        elif plan.slot == 6 and past:
            session = past[-1]  # the last kept session, over 14 days ago
            due = session.day + timedelta(days=3)
            on = min(today, due + timedelta(days=2))
            new = today + timedelta(days=3)
            self._commitment(plan.client_id, _CLIENT, "Call the IOP intake line", session.day,
                             new, _RENEGOTIATED, None, "", session.appointment_id,
                             [self._change(due, new, on, LATE_REASONS[1])])


# -- writing ---------------------------------------------------------------------------------

_COUNSELOR_FIELDS = (Counselor.id, Counselor.login, Counselor.display_name, Counselor.created_at)
_CLIENT_FIELDS = (Client.id, Client.display_name, Client.record_number, Client.intake_date,
                  Client.status, Client.counselor, Client.cadence_days, Client.focus,
                  Client.version, Client.created_at)
_SERIES_FIELDS = (AppointmentSeries.id, AppointmentSeries.client, AppointmentSeries.rrule,
                  AppointmentSeries.dtstart, AppointmentSeries.tzname,
                  AppointmentSeries.duration_min, AppointmentSeries.kind,
                  AppointmentSeries.location, AppointmentSeries.materialized_until,
                  AppointmentSeries.ended, AppointmentSeries.created_at)
_APPOINTMENT_FIELDS = (Appointment.id, Appointment.client, Appointment.series,
                       Appointment.recurrence_id, Appointment.starts_at, Appointment.ends_at,
                       Appointment.kind, Appointment.location, Appointment.outcome,
                       Appointment.client_late_min, Appointment.counselor_late_min,
                       Appointment.cancelled_at, Appointment.rescheduled_to,
                       Appointment.requested_by, Appointment.detached, Appointment.version)
_COMMITMENT_FIELDS = (Commitment.id, Commitment.client, Commitment.owner, Commitment.text,
                      Commitment.made_on, Commitment.due, Commitment.status,
                      Commitment.done_on, Commitment.note, Commitment.goal,
                      Commitment.appointment, Commitment.due_history, Commitment.version)
_CHECKIN_FIELDS = (CheckIn.id, CheckIn.client, CheckIn.instrument, CheckIn.taken_on,
                   CheckIn.total, CheckIn.appointment, CheckIn.discussed, CheckIn.comment,
                   CheckIn.created_at, CheckIn.version)
_ITEM_FIELDS = (CheckInItem.id, CheckInItem.checkin, CheckInItem.position, CheckInItem.score)
_AUDIT_FIELDS = (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action,
                 AuditEvent.entity, AuditEvent.entity_id, AuditEvent.client_id,
                 AuditEvent.before, AuditEvent.after)

# (id counter name, model, the columns written, in tuple order)
_TABLES: tuple[tuple[str, type[BaseModel], tuple[Field, ...]], ...] = (
    ("counselor", Counselor, _COUNSELOR_FIELDS),
    ("client", Client, _CLIENT_FIELDS),
    ("series", AppointmentSeries, _SERIES_FIELDS),
    ("appointment", Appointment, _APPOINTMENT_FIELDS),
    ("commitment", Commitment, _COMMITMENT_FIELDS),
    ("checkin", CheckIn, _CHECKIN_FIELDS),
    ("item", CheckInItem, _ITEM_FIELDS),
    ("audit", AuditEvent, _AUDIT_FIELDS),
)


def _insert_sql(model: type[BaseModel], fields: Sequence[Field]) -> str:
    """A plain INSERT with every column given (the models' defaults are Python-side only)."""
    # Fail loudly if the schema gains a column this generator does not fill.
    missing = {f.name for f in model._meta.sorted_fields} - {f.name for f in fields}
    if missing:
        raise RuntimeError(f"demo generator does not fill {model.__name__}.{sorted(missing)}")
    db = database.obj
    open_q, close_q = db.quote[0], db.quote[1]

    def q(name: str) -> str:
        return f"{open_q}{name}{close_q}"

    columns = ", ".join(q(f.column_name) for f in fields)
    marks = ", ".join([db.param] * len(fields))
    return f"INSERT INTO {q(model._meta.table_name)} ({columns}) VALUES ({marks})"


def _max_ids() -> dict[str, int]:
    """The first free primary key of each table."""
    found = {}
    for name, model, _ in _TABLES:
        table = model._meta.table_name
        row = database.execute_sql(f'SELECT MAX(id) FROM "{table}"').fetchone()
        found[name] = (row[0] or 0) + 1
    return found


def _bump_sequences() -> None:
    """PostgreSQL: move each id sequence past the keys written here (SQLite needs nothing)."""
    if isinstance(database.obj, SqliteDatabase):
        return
    for _, model, _ in _TABLES:
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))")


@dataclass(frozen=True, slots=True)
class _Tables:
    """Every row to write, per table (in `_TABLES` order), each as one or more batches."""

    rows: dict[str, list[list[_Row]]]
    summary: DemoSummary


def _build(*, clients: int, weeks: int, seed: int, counselors: int, today: date, login: str,
           settings: Settings, ids: dict[str, int], existing: dict[str, int],
           progress: Callable[[int, int], None] | None, total_steps: int) -> _Tables:
    """Build every row in memory (no database access)."""
    logins = [login] + [f"demo{n:02d}" for n in range(2, counselors + 1)]
    builder = _Builder(seed=seed, today=today, weeks=weeks, settings=settings, ids=ids)
    team = [builder.counselor(i, name, existing.get(name)) for i, name in enumerate(logins)]
    every = max(1, clients // 50)
    for k in range(clients):
        counselor_id, profile = team[k % counselors]
        plan = builder.plan(counselor_id, k // counselors, profile)
        kept = builder.appointments_for(plan, profile)
        builder.checkins_for(plan, kept, profile)
        builder.commitments_for(plan, kept, profile)
        if progress is not None and (k + 1) % every == 0:
            progress(k + 1, total_steps)
    summary = DemoSummary(
        counselors=len(builder.counselors), clients=len(builder.clients),
        series=len(builder.series),
        appointments=len(builder.appointments) + len(builder.rescheduled),
        commitments=len(builder.commitments), checkins=len(builder.checkins),
        checkin_items=len(builder.items))
    # The id ranges this one event records the creation of (see io.doctor's audit check).
    created = {"client": builder.clients, "appointment_series": builder.series,
               "appointment": builder.appointments + builder.rescheduled,
               "commitment": builder.commitments, "checkin": builder.checkins}
    ranges = {table: [min(r[0] for r in rows), max(r[0] for r in rows)]
              for table, rows in created.items() if rows}
    after = {"counts": summary.as_dict(), "seed": seed, "clients": clients, "weeks": weeks,
             "counselors": counselors, "today": today.isoformat(),
             "settings": msgspec.structs.asdict(settings), "generator": GENERATOR_VERSION,
             "created_ids": ranges}
    # No clock is read: the event is dated at the start of `today` in the clinic's zone.
    audit_row = (builder._next("audit"), builder._db(builder._local(today, 0)), login,
                 "demo_data", "database", None, None, None, json.dumps(after, sort_keys=True))
    rows = {
        "counselor": [builder.counselors], "client": [builder.clients],
        "series": [builder.series],
        # Rescheduled occurrences point at their new appointment: written after it.
        "appointment": [builder.appointments, builder.rescheduled],
        "commitment": [builder.commitments], "checkin": [builder.checkins],
        "item": [builder.items], "audit": [[audit_row]]}
    return _Tables(rows, summary)


def _write(tables: _Tables, progress: Callable[[int, int], None] | None, done: int,
           total_steps: int) -> None:
    """Insert every table with the DB-API cursor's executemany (inside the caller's atomic)."""
    cursor = database.cursor()
    for step, (name, model, fields) in enumerate(_TABLES, start=1):
        sql = _insert_sql(model, fields)
        for batch in tables.rows[name]:
            if batch:
                cursor.executemany(sql, batch)
        if progress is not None:
            progress(done + step, total_steps)
    _bump_sequences()


def generate(*, clients: int = DEMO_CLIENTS, weeks: int = DEMO_WEEKS, seed: int = DEMO_SEED,
             counselors: int = 1, today: date, login: str, settings: Settings | None = None,
             progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Write a fictional caseload into the open, migrated database; return the row counts.

    Counselor 1 has login `login` (so the person running it opens their own demo caseload);
    further counselors are "demo02", "demo03", … Clients are dealt to counselors in turn.
    Counselors whose login already exists are reused (and not counted). Deterministic for the
    arguments (see the module doc, which also lists the scenario slots). `progress(done,
    total)` is called now and then, ending with `progress(total, total)`.
    """
    if clients < 1 or weeks < 1 or counselors < 1:
        raise ValueError("clients, weeks and counselors must each be at least 1")
    settings = settings or Settings()
    logins = [login] + [f"demo{n:02d}" for n in range(2, counselors + 1)]
    total_steps = clients + len(_TABLES)
    with bulk_write_cache(), database.atomic():
        existing = {c.login: c.id for c in Counselor.select(Counselor.id, Counselor.login)
                    .where(Counselor.login.in_(logins))}
        tables = _build(clients=clients, weeks=weeks, seed=seed, counselors=counselors,
                        today=today, login=login, settings=settings, ids=_max_ids(),
                        existing=existing, progress=progress, total_steps=total_steps)
        _write(tables, progress, clients, total_steps)
    return tables.summary


# -- the demo database -----------------------------------------------------------------------


def demo_database_path() -> Path:
    """Where `caseload --demo` keeps its demo database, apart from real data."""
    import platformdirs

    return platformdirs.user_data_path("caseload") / "demo" / "demo.db"


def _is_current(path: Path, today: date, login: str, settings: Settings) -> bool:
    """Whether the demo file at `path` was generated for these arguments by this generator.

    Leaves the models bound to `path` (open) when it was; anything unreadable counts as stale.
    """
    from caseload.store.db import DatabaseError, Location, close_database, open_database
    from caseload.store.migrations import CURRENT_VERSION, schema_version

    wanted = {"today": today.isoformat(), "settings": msgspec.structs.asdict(settings),
              "generator": GENERATOR_VERSION, "seed": DEMO_SEED, "clients": DEMO_CLIENTS,
              "weeks": DEMO_WEEKS, "counselors": 1}
    try:
        db = open_database(Location(path=path), create=False)
        if schema_version(db) == CURRENT_VERSION:
            row = (AuditEvent.select(AuditEvent.actor, AuditEvent.after)
                   .where(AuditEvent.action == "demo_data")
                   .order_by(AuditEvent.id.desc()).first())
            if row is not None and row.actor == login:
                after = json.loads(row.after or "{}")
                if {key: after.get(key) for key in wanted} == wanted:
                    return True
    except (DatabaseError, PeeweeError, sqlite3.Error, ValueError, OSError):
        pass  # unreadable, corrupt or not a Caseload file: rebuild it
    close_database()
    return False


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_demo_database(today: date, login: str, settings: Settings | None = None, *,
                         path: Path | None = None) -> Path:
    """The demo database for `today`, (re)built when missing or made for another day.

    The file (default `demo_database_path()`) is rebuilt when it is missing, unreadable, from
    another schema or generator version, or was generated for another day, login or settings
    (all recorded in its "demo_data" audit event). A rebuild writes a new file next to it and
    swaps it in, so a crash never leaves half a demo; do not run this while another process has
    the demo open. Returns the path, with the models bound to that database (open).
    """
    from caseload.store.db import Location, close_database, open_database
    from caseload.store.migrations import migrate

    settings = settings or Settings()
    path = path or demo_database_path()
    if path.exists() and _is_current(path, today, login, settings):
        return path
    fresh = path.with_name(path.name + ".new")
    _remove(fresh)
    db = open_database(Location(path=fresh))
    try:
        migrate(db)
        generate(clients=DEMO_CLIENTS, weeks=DEMO_WEEKS, seed=DEMO_SEED, counselors=1,
                 today=today, login=login, settings=settings)
    finally:
        close_database()
    for stale in ("-wal", "-shm"):  # the old file's journal must not pair with the new one
        Path(f"{path}{stale}").unlink(missing_ok=True)
    os.replace(fresh, path)
    open_database(Location(path=path))
    return path
