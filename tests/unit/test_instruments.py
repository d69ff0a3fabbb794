"""Instrument scores: specs, strict item parsing, totals, subscales and assessment."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload.domain.instruments import (
    SPECS,
    WAI_SUBSCALES,
    Assessment,
    assess,
    format_score,
    parse_item,
    parse_items,
    parse_items_text,
    spec,
    subscales,
    total,
    validate_items,
)
from caseload.domain.records import Instrument, Settings, ValidationError

SRS, WAI, ORS = Instrument.SRS, Instrument.WAI_SR, Instrument.ORS


def error_of(call, *args) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args)
    return caught.value


# --- specs -----------------------------------------------------------------------------------


def test_every_instrument_has_a_spec():
    assert set(SPECS) == set(Instrument)
    for instrument, sp in SPECS.items():
        assert sp.instrument is instrument
        assert sp.total_low == sp.low * sp.count
        assert sp.total_high == sp.high * sp.count
        assert sp.hint


def test_srs_spec():
    sp = spec(SRS)
    assert sp.name == "SRS-style session rating"
    assert sp.item_labels == ("Relationship", "Goals & topics", "Approach", "Overall")
    assert (sp.low, sp.high, sp.decimals, sp.total_low, sp.total_high) == (0, 10, 1, 0, 40)
    assert sp.hint == "0–10, one decimal"


def test_ors_spec():
    sp = spec(ORS)
    assert sp.item_labels == ("Individually", "Interpersonally", "Socially", "Overall")
    assert (sp.low, sp.high, sp.decimals, sp.total_low, sp.total_high) == (0, 10, 1, 0, 40)


def test_wai_spec_labels_items_by_subscale():
    sp = spec(WAI)
    assert sp.count == 12
    assert (sp.low, sp.high, sp.decimals, sp.total_low, sp.total_high) == (1, 5, 0, 12, 60)
    assert sp.item_labels[0] == "Task" and sp.item_labels[2] == "Bond"
    assert sp.item_labels[3] == "Goal" and sp.item_labels[11] == "Task"
    for name, numbers in WAI_SUBSCALES.items():
        assert [sp.item_labels[n - 1] for n in numbers] == [name] * 4
    # The three subscales cover the 12 items exactly once.
    assert sorted(n for numbers in WAI_SUBSCALES.values() for n in numbers) == list(range(1, 13))


def test_spec_accepts_the_enum_value_and_rejects_unknowns():
    assert spec("wai_sr") is SPECS[WAI]
    err = error_of(spec, "phq9")
    assert err.message == "Unknown instrument 'phq9'."
    assert err.field == "instrument"


# --- parse_item ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", 7.0), ("7.5", 7.5), ("7,5", 7.5), (" 10 ", 10.0), ("0", 0.0), ("0.0", 0.0),
     ("10.0", 10.0), (".5", 0.5), ("7.", 7.0), ("7.50", 7.5), ("+3", 3.0), ("\t9.9\n", 9.9)],
)
def test_parse_item_accepts(text, expected):
    assert parse_item(SRS, 0, text) == expected


def test_parse_item_out_of_range_message_names_item_number_and_label():
    err = error_of(parse_item, SRS, 1, "11")
    assert err.message == "Item 2 (Goals & topics) must be between 0.0 and 10.0; got 11."
    assert err.field == "item2"
    err = error_of(parse_item, SRS, 0, "-1")
    assert err.message == "Item 1 (Relationship) must be between 0.0 and 10.0; got -1."
    assert err.field == "item1"
    err = error_of(parse_item, ORS, 3, "10,1")
    assert err.message == "Item 4 (Overall) must be between 0.0 and 10.0; got 10,1."


def test_parse_item_too_many_decimals():
    err = error_of(parse_item, SRS, 2, "7.25")
    assert err.message == "Item 3 (Approach) allows one decimal at most; got 7.25."
    assert err.field == "item3"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_item_missing(text):
    err = error_of(parse_item, SRS, 3, text)
    assert err.message == "Item 4 (Overall) is missing; enter 0–10, one decimal."
    assert err.field == "item4"


@pytest.mark.parametrize(
    "text", ["abc", "nan", "NaN", "inf", "-inf", "1e1", "7.5.1", "7,5,1", "½", "٧", "0x5", "7 5",
             "--1", "+", ".", ","],
)
def test_parse_item_rejects_non_numbers(text):
    err = error_of(parse_item, SRS, 0, text)
    assert err.message.startswith("Item 1 (Relationship) must be a number (0–10, one decimal); got")
    assert err.field == "item1"


def test_parse_item_escapes_control_characters_in_the_message():
    err = error_of(parse_item, SRS, 0, "\x1b[31m7")
    assert "\x1b" not in err.message
    assert err.message.endswith(r"got '\x1b[31m7'.")


def test_parse_item_cuts_long_input_in_the_message():
    err = error_of(parse_item, SRS, 0, "9" * 500)
    assert len(err.message) < 120
    assert "…" in err.message


def test_wai_items_are_whole_numbers_from_1_to_5():
    assert parse_item(WAI, 0, "1") == 1.0
    assert parse_item(WAI, 11, "5") == 5.0
    assert parse_item(WAI, 4, "3.0") == 3.0  # the value is whole
    err = error_of(parse_item, WAI, 2, "2.5")
    assert err.message == "Item 3 (Bond) must be a whole number from 1 to 5; got 2.5."
    err = error_of(parse_item, WAI, 3, "0")
    assert err.message == "Item 4 (Goal) must be between 1 and 5; got 0."
    assert err.field == "item4"
    err = error_of(parse_item, WAI, 0, "")
    assert err.message == (
        "Item 1 (Task) is missing; enter 1–5, whole numbers (1 Seldom … 5 Always)."
    )


def test_parse_item_rejects_a_bad_index():
    with pytest.raises(IndexError):
        parse_item(SRS, 4, "5")
    with pytest.raises(IndexError):
        parse_item(SRS, -1, "5")


# --- parse_items / parse_items_text / validate_items -----------------------------------------


def test_parse_items():
    assert parse_items(SRS, ["9", "8.5", "9,5", "10"]) == (9.0, 8.5, 9.5, 10.0)
    assert parse_items(WAI, ["4"] * 12) == (4.0,) * 12


def test_parse_items_wrong_count():
    err = error_of(parse_items, SRS, ["9", "8", "7"])
    assert err.message == "SRS-style session rating needs 4 item scores; got 3."
    assert err.field == "items"
    err = error_of(parse_items, WAI, ["4"] * 13)
    assert err.message == "WAI-SR needs 12 item scores; got 13."
    err = error_of(parse_items, ORS, [])
    assert err.message == "ORS-style outcome rating needs 4 item scores; got 0."


def test_parse_items_names_the_first_missing_item():
    err = error_of(parse_items, SRS, ["9", "", "8", ""])
    assert err.message == "Item 2 (Goals & topics) is missing; enter 0–10, one decimal."
    assert err.field == "item2"


def test_parse_items_reports_the_first_bad_item_in_order():
    err = error_of(parse_items, ORS, ["9", "8", "x", "11"])
    assert err.field == "item3"


def test_parse_items_text():
    assert parse_items_text(SRS, "  8 7.5\t9 8,5 ") == (8.0, 7.5, 9.0, 8.5)
    assert parse_items(SRS, "8 7.5 9 8,5") == (8.0, 7.5, 9.0, 8.5)  # a str is one line
    err = error_of(parse_items_text, SRS, "8 7.5 9")
    assert err.message == "SRS-style session rating needs 4 item scores; got 3."
    err = error_of(parse_items_text, SRS, "")
    assert err.message == "SRS-style session rating needs 4 item scores; got 0."
    # A comma is a decimal mark, never a separator.
    err = error_of(parse_items_text, SRS, "8,7,9,8")
    assert err.message == "SRS-style session rating needs 4 item scores; got 1."


def test_validate_items_uses_the_same_messages_as_typing():
    assert validate_items(SRS, [1, 7.3, 0.1, 10]) == (1.0, 7.3, 0.1, 10.0)
    err = error_of(validate_items, SRS, [1, 11.0, 3, 4])
    assert err.message == "Item 2 (Goals & topics) must be between 0.0 and 10.0; got 11."
    assert err.field == "item2"
    err = error_of(validate_items, SRS, [1, 7.25, 3, 4])
    assert err.message == "Item 2 (Goals & topics) allows one decimal at most; got 7.25."
    err = error_of(validate_items, WAI, [4] * 11 + [4.5])
    assert err.message == "Item 12 (Task) must be a whole number from 1 to 5; got 4.5."
    err = error_of(validate_items, SRS, [1, 2])
    assert err.message == "SRS-style session rating needs 4 item scores; got 2."


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_validate_items_rejects_non_finite(bad):
    err = error_of(validate_items, ORS, [1, 2, 3, bad])
    assert err.field == "item4"
    assert "must be a number" in err.message


def test_validate_items_rejects_non_numbers_and_missing():
    err = error_of(validate_items, SRS, [1, None, 3, 4])
    assert err.message == "Item 2 (Goals & topics) is missing; enter 0–10, one decimal."
    err = error_of(validate_items, SRS, [1, 2, "3", 4])
    assert err.message == "Item 3 (Approach) must be a number (0–10, one decimal); got '3'."
    err = error_of(validate_items, SRS, [True, 2, 3, 4])
    assert err.field == "item1"


# --- total / subscales -----------------------------------------------------------------------


def test_total_has_no_float_noise():
    assert total(SRS, [9.1, 9.2, 9.3, 9.4]) == 37.0
    assert total(SRS, [0.1, 0.2, 0.0, 0.0]) == 0.3
    assert total(ORS, [7.7, 8.8, 6.6, 5.5]) == 28.6
    assert total(WAI, [5] * 12) == 60.0


def test_total_validates_items():
    err = error_of(total, SRS, [9, 9, 9, 12])
    assert err.field == "item4"


def test_wai_subscales():
    items = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]
    # Task = items 1, 2, 10, 12; Bond = 3, 5, 7, 9; Goal = 4, 6, 8, 11.
    assert subscales(WAI, items) == {"Task": 2.5, "Bond": 3.5, "Goal": 2.25}
    assert subscales(WAI, [1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1])["Bond"] == 1.25
    assert subscales(WAI, [5, 4, 1, 1, 1, 1, 1, 1, 1, 4, 1, 4])["Task"] == 4.25


def test_wai_subscales_round_to_two_decimals():
    # Bond = (1 + 1 + 1 + 2) / 4 = 1.25 exactly; no subscale mean of four integers needs more.
    values = subscales(WAI, [3, 3, 1, 2, 1, 2, 1, 3, 2, 3, 2, 3])
    assert values == {"Task": 3.0, "Bond": 1.25, "Goal": 2.25}


def test_subscales_are_empty_for_srs_and_ors():
    assert subscales(SRS, [9, 9, 9, 9]) == {}
    assert subscales(ORS, [5, 5, 5, 5]) == {}


# --- format_score ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(34.0, "34"), (34.5, "34.5"), (0.0, "0"), (-0.0, "0"), (40, "40"), (34.04, "34"),
     (34.06, "34.1"), (0.30000000000000004, "0.3"), (-3.0, "-3"), (-1.5, "-1.5")],
)
def test_format_score(value, text):
    assert format_score(value) == text


def test_format_score_non_finite_does_not_raise():
    assert format_score(math.nan) == "nan"


# --- assess ----------------------------------------------------------------------------------


def test_srs_first_check_in_above_cutoff():
    result = assess(SRS, 38.0, None, Settings())
    assert result == Assessment(SRS, 38.0, None, None, 36.0, False, False, False)
    assert not result.needs_discussion
    assert result.describe() == "38.0, above the cutoff of 36; first check-in"


def test_srs_below_cutoff_and_dropped():
    result = assess(SRS, 34.0, 37.0, Settings())
    assert result.below_cutoff and result.dropped and result.needs_discussion
    assert result.change == -3.0
    assert result.describe() == "34.0, below the cutoff of 36; down 3.0 since last time"


def test_srs_drop_of_exactly_the_threshold_is_a_drop():
    # 38.3 - 37.3 is 0.9999999999999964 in floats; the change is still a drop of 1.0.
    result = assess(SRS, 37.3, 38.3)
    assert result.change == -1.0
    assert result.dropped and not result.below_cutoff and result.needs_discussion
    assert result.describe() == "37.3, above the cutoff of 36; down 1.0 since last time"


def test_srs_small_drop_is_not_a_drop():
    result = assess(SRS, 37.4, 38.3)
    assert result.change == -0.9
    assert not result.dropped and not result.needs_discussion


def test_srs_at_the_cutoff_is_not_below():
    result = assess(SRS, 36.0, 36.0)
    assert not result.below_cutoff
    assert result.describe() == "36.0, at the cutoff of 36; no change since last time"


def test_srs_settings_are_used():
    settings = Settings(srs_cutoff=30.0, srs_drop=2.5)
    assert not assess(SRS, 34.0, 36.0, settings).needs_discussion
    assert assess(SRS, 33.5, 36.0, settings).dropped
    assert assess(SRS, 29.9, None, settings).below_cutoff


def test_srs_rise_is_described():
    assert assess(SRS, 39.5, 38.0).describe() == (
        "39.5, above the cutoff of 36; up 1.5 since last time"
    )


def test_wai_never_flags_but_reports_change():
    result = assess(WAI, 40.0, 52.0)
    assert result.change == -12.0
    assert not result.below_cutoff and not result.dropped and not result.needs_discussion
    assert result.cutoff is None and not result.reliable_change
    assert result.describe() == "40 of 60; down 12 since last time"
    assert assess(WAI, 48, None).describe() == "48 of 60; first check-in"


def test_ors_reliable_improvement():
    result = assess(ORS, 22.0, 16.0)
    assert result.reliable_change and not result.dropped
    assert result.below_cutoff  # still in the clinical range
    assert result.describe() == (
        "22.0, below the clinical cutoff of 25; up 6.0 since last time (reliable improvement)"
    )


def test_ors_reliable_deterioration_counts_as_a_drop():
    result = assess(ORS, 26.0, 31.0)
    assert result.change == -5.0
    assert result.reliable_change and result.dropped and not result.below_cutoff
    assert result.needs_discussion
    assert result.describe() == (
        "26.0, above the clinical cutoff of 25; down 5.0 since last time (reliable deterioration)"
    )


def test_ors_change_below_threshold_is_not_reliable():
    result = assess(ORS, 30.0, 25.1)
    assert result.change == 4.9
    assert not result.reliable_change and not result.dropped


def test_assess_accepts_the_enum_value_and_defaults_settings():
    assert assess("srs", 30.0, None).below_cutoff


# --- properties ------------------------------------------------------------------------------


@given(st.sampled_from(list(Instrument)), st.integers(0, 11), st.text(max_size=30))
def test_parse_item_returns_a_float_or_raises_validation_error(instrument, index, text):
    index %= SPECS[instrument].count
    try:
        value = parse_item(instrument, index, text)
    except ValidationError as error:
        assert error.field == f"item{index + 1}"
        assert error.message.startswith(f"Item {index + 1} (")
        assert all(c.isprintable() for c in error.message)
    else:
        sp = SPECS[instrument]
        assert sp.low <= value <= sp.high


@given(st.sampled_from(list(Instrument)), st.text(alphabet="0123456789.,+- \t\x00x", max_size=40))
def test_parse_items_text_returns_or_raises_validation_error(instrument, text):
    try:
        values = parse_items_text(instrument, text)
    except ValidationError:
        pass
    else:
        assert len(values) == SPECS[instrument].count


@given(
    st.sampled_from(list(Instrument)),
    st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.integers(), max_size=13),
)
def test_validate_items_returns_or_raises_validation_error(instrument, items):
    try:
        values = validate_items(instrument, items)
    except ValidationError:
        pass
    else:
        assert values == tuple(float(v) for v in items)


tenths = st.integers(0, 100)


@given(st.sampled_from([SRS, ORS]), st.lists(tenths, min_size=4, max_size=4), st.booleans())
def test_valid_one_decimal_items_parse_and_total_is_the_sum(instrument, tens, comma):
    texts = [str(Decimal(t) / 10) for t in tens]
    if comma:
        texts = [t.replace(".", ",") for t in texts]
    values = parse_items(instrument, texts)
    assert values == tuple(t / 10 for t in tens)
    assert total(instrument, values) == sum(tens) / 10
    assert 0 <= total(instrument, values) <= 40
    assert parse_items_text(instrument, " ".join(texts)) == values


@given(st.lists(st.integers(1, 5), min_size=12, max_size=12))
def test_valid_wai_items_parse_total_and_subscales(items):
    values = parse_items(WAI, [str(i) for i in items])
    assert total(WAI, values) == sum(items)
    assert 12 <= total(WAI, values) <= 60
    means = subscales(WAI, values)
    assert set(means) == {"Task", "Bond", "Goal"}
    assert all(1 <= m <= 5 for m in means.values())
    # The subscales partition the items, so four times their means add up to the total.
    assert 4 * sum(means.values()) == pytest.approx(sum(items))


@given(
    st.sampled_from(list(Instrument)),
    st.integers(0, 600).map(lambda t: t / 10),
    st.none() | st.integers(0, 600).map(lambda t: t / 10),
)
def test_assessment_is_consistent(instrument, new, previous):
    result = assess(instrument, new, previous)
    assert result.needs_discussion == (result.below_cutoff or result.dropped)
    if previous is None:
        assert result.change is None and not result.dropped and not result.reliable_change
    else:
        assert result.change == round(new - previous, 1)
    if instrument is WAI:
        assert not (result.below_cutoff or result.dropped or result.reliable_change)
    assert result.describe()
