"""Strict wire readers: exact decimals, zoned ISO times, explicit Unix units, required fields."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from apps.sources.connectors import BadAnswer, PositionData
from apps.sources.connectors.parsing import (
    decimal_at,
    from_unix_micros,
    from_unix_millis,
    from_unix_seconds,
    loads,
    parse_iso8601,
    required,
    to_decimal,
    to_int,
    to_unix_millis,
)


def test_json_numbers_become_decimals_never_floats():
    data = loads(b'{"a": 0.1, "b": 0.2, "c": 0.123456789012345678, "d": 7, "e": 1e-30}', where="x")

    assert data["a"] + data["b"] == Decimal("0.3")
    assert data["c"] == Decimal("0.123456789012345678") and str(data["c"]) == "0.123456789012345678"
    assert type(data["d"]) is int and data["e"] == Decimal("1E-30")


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}'])
def test_non_finite_json_literals_are_refused(body):
    with pytest.raises(BadAnswer, match="is not a number"):
        loads(body, where="x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("64000.5", Decimal("64000.5")), ("-0.25", Decimal("-0.25")), ("1e3", Decimal("1E+3")), (7, Decimal(7)),
     (Decimal("0.1"), Decimal("0.1")), (".5", Decimal("0.5")), ("5.", Decimal("5"))],
)  # fmt: skip
def test_decimal_strings_and_exact_numbers_are_read_exactly(value, expected):
    assert to_decimal(value, field="f") == expected


@pytest.mark.parametrize(
    "value", ["", " 1", "NaN", "nan", "Infinity", "-inf", "1_000", "0x10", "1,5", True, False, None, 0.1,
              Decimal("NaN"), Decimal("Infinity"), [], {}],
)  # fmt: skip
def test_everything_else_is_refused_naming_the_field(value):
    with pytest.raises(BadAnswer) as raised:
        to_decimal(value, field="size")

    assert raised.value.message.startswith("size: ")


def test_integers_refuse_fractions_and_booleans():
    assert to_int(5, field="n") == 5 and to_int("12", field="n") == 12
    for value in (True, "1.5", Decimal("1.5"), "x"):
        with pytest.raises(BadAnswer):
            to_int(value, field="n")


def test_iso_times_need_a_zone_and_come_back_in_utc():
    assert parse_iso8601("2026-11-21T20:00:00Z", field="t") == datetime(2026, 11, 21, 20, tzinfo=UTC)
    moment = parse_iso8601("2026-11-21T21:30:00+01:30", field="t")
    assert moment == datetime(2026, 11, 21, 20, tzinfo=UTC) and moment.tzinfo is UTC
    for value in ("2026-11-21T20:00:00", "yesterday", "", 1700000000):
        with pytest.raises(BadAnswer):
            parse_iso8601(value, field="t")


def test_each_unix_unit_is_read_as_what_it_says():
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    assert from_unix_seconds(1_795_000_000, field="t") == epoch + timedelta(seconds=1_795_000_000)
    assert from_unix_millis(1_795_000_000_123, field="t") == epoch + timedelta(milliseconds=1_795_000_000_123)
    assert from_unix_micros(1_795_000_000_123_456, field="t") == datetime(2026, 11, 18, 11, 6, 40, 123456, tzinfo=UTC)
    assert to_unix_millis(datetime(2026, 11, 18, 12, 6, 40, 123999, tzinfo=timezone(timedelta(hours=1)))) == (
        1_795_000_000_123
    )
    for bad in (-1, 1.5, True, "soon"):
        with pytest.raises(BadAnswer):
            from_unix_millis(bad, field="t")
    with pytest.raises(BadAnswer, match="out of range"):
        from_unix_seconds(10**15, field="t")


def test_required_fields_must_be_present_and_not_null():
    with pytest.raises(BadAnswer, match="x: missing field 'size'"):
        required({}, "size", where="x")
    with pytest.raises(BadAnswer, match="x: field 'size' is null"):
        decimal_at({"size": None}, "size", where="x")


def test_records_refuse_what_the_interface_forbids():
    fields = {"strategy": "s", "symbol": "BTC", "side": "long", "size": Decimal("1"), "entry_price": Decimal("1"),
              "mark_price": Decimal("1"), "unrealized_pnl": Decimal("0")}  # fmt: skip
    PositionData(**fields)
    for change in ({"size": Decimal("-1")}, {"side": "flat"}, {"mark_price": 1.0}, {"entry_price": Decimal("NaN")},
                   {"opened_at": datetime(2026, 1, 1)}):  # fmt: skip
        with pytest.raises(BadAnswer):
            PositionData(**{**fields, **change})
