"""Every device codec is total: any text either parses or raises ValueError, nothing else.

A listener skips a line on ValueError and keeps the connection; any other exception would
close it and lose the good lines around the bad one. Lines are built from the fields each
format expects, with hostile values in every field, so whole classes of input are covered.
"""

from __future__ import annotations

import contextlib
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.timing import chip_csv, chronotrack, mylaps, raceresult

DAY = date(2019, 10, 12)
ZONES = st.sampled_from(["UTC", "Europe/Vienna", "Pacific/Kiritimati", "America/Adak"])

NUMBERS = st.one_of(
    st.sampled_from(
        ["inf", "-inf", "nan", "1e300", "-1e300", "1e308", "1e19", "-1e19", "0", "-0", "1_0"]
    ),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
CLOCKS = st.one_of(
    st.sampled_from(["08:29:10.00", "24:00:00.0", "23:59:59.999999", "99:99:99.99"]),
    st.from_regex(r"\A[0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}\.[0-9]{1,8}\Z"),
)
DATES = st.one_of(
    st.sampled_from(
        ["0001-01-01", "9999-12-31", "0000-00-00", "0000-00-99", "2019-02-30", "191012", "991231"]
    ),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.from_regex(r"\A[0-9]{6}\Z"),
)
ISO = st.one_of(
    st.builds(lambda d, c: f"{d}T{c}", DATES, CLOCKS),
    st.sampled_from(["9999-12-31T23:59:59.99", "0001-01-01T00:00:00.00", "T", "2019-10-12T"]),
)
FIELD = st.one_of(NUMBERS, CLOCKS, DATES, ISO, st.text(max_size=20))


def fields(count: int, overrides: dict[int, st.SearchStrategy]) -> st.SearchStrategy[list[str]]:
    """`count` fields, each hostile; some positions drawn from a format's own values."""
    return st.tuples(*(overrides.get(i, FIELD) for i in range(count))).map(list)


def is_value_error_or_parses(parse, *args, **kwargs) -> None:
    with contextlib.suppress(ValueError):
        parse(*args, **kwargs)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        fields(
            8, {0: st.sampled_from(["CT01_33", "CT01_13"]), 4: st.one_of(NUMBERS, ISO, CLOCKS)}
        ).map("~".join),
        st.text(),
    ),
    ZONES,
)
def test_a_chronotrack_line_parses_or_is_a_value_error(line, zone):
    is_value_error_or_parses(chronotrack.parse_data_line, line, event_date=DAY, zone=zone)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(fields(9, {0: st.just("TO"), 5: NUMBERS}).map("~".join), st.text()),
)
def test_a_chronotrack_controller_line_parses_or_is_a_value_error(line):
    is_value_error_or_parses(chronotrack.parse_controller_csv_line, line, controller="C1")


V2_VALUES = st.fixed_dictionaries(
    {"c": FIELD},
    optional={"utc": NUMBERS, "t": CLOCKS, "d": DATES, "dv": FIELD, "re": FIELD},
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(V2_VALUES.map(lambda v: "|".join(f"{k}={x}" for k, x in v.items())), st.text()), ZONES
)
def test_a_mylaps_passing_parses_or_is_a_value_error(record, zone):
    is_value_error_or_parses(mylaps.passing_read, "KM5", record, event_date=DAY, zone=zone)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.builds(
            lambda chip, clock, day: f"{chip:<7.7}{clock:<12.12}0201100000000{day:<6.6}  ",
            st.text(max_size=7),
            CLOCKS,
            DATES,
        ),
        st.text(),
    ),
    ZONES,
)
def test_a_mylaps_store_record_parses_or_is_a_value_error(record, zone):
    is_value_error_or_parses(mylaps.store_read, "KM5", record, event_date=DAY, zone=zone)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_mylaps_framing_never_fails(text):
    messages, rest = mylaps.split_messages(text)
    assert "$" not in rest


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        fields(20, {0: NUMBERS, 2: DATES, 3: CLOCKS, 17: NUMBERS}).map(";".join),
        st.text(),
    ),
    ZONES,
)
def test_a_raceresult_passing_parses_or_is_a_value_error(line, zone):
    is_value_error_or_parses(raceresult.parse_passing, line, event_date=DAY, zone=zone)


@settings(max_examples=200, deadline=None)
@given(st.one_of(fields(3, {0: st.just("GETTIME"), 1: DATES, 2: CLOCKS}).map(";".join)), ZONES)
def test_a_raceresult_time_reply_parses_or_is_a_value_error(line, zone):
    is_value_error_or_parses(raceresult.parse_time_reply, line, event_date=DAY, zone=zone)


@settings(max_examples=100, deadline=None)
@given(st.one_of(fields(3, {0: st.just("PASSINGS"), 1: NUMBERS, 2: NUMBERS}).map(";".join)))
def test_a_raceresult_count_reply_parses_or_is_a_value_error(line):
    is_value_error_or_parses(raceresult.parse_passings_count, line)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(FIELD, NUMBERS, FIELD, st.one_of(ISO, FIELD)), max_size=3),
    ZONES,
)
def test_a_chip_csv_file_parses_or_is_a_value_error(rows, zone):
    text = "source,seq,chip,time\n" + "".join(
        ",".join(value.replace(",", " ").replace("\n", " ") for value in row) + "\n" for row in rows
    )
    is_value_error_or_parses(chip_csv.parse_chip_csv, text, location="5K", zone=zone)


@settings(max_examples=200, deadline=None)
@given(st.text().map(lambda body: "source,seq,chip,time\n" + body), ZONES)
def test_any_chip_csv_text_parses_or_is_a_value_error(text, zone):
    is_value_error_or_parses(chip_csv.parse_chip_csv, text, location="5K", zone=zone)
