"""The shared rules for risk values, reasons and versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.strategies.validation import reason_clean, risk_values_clean, version_clean


def test_values_are_typed_exactly():
    clean = risk_values_clean({"risk_per_trade": "100", "stop_loss_dollars": Decimal("0.00000001"),
                               "max_drawdown_dollars": 800, "enabled": "off"})  # fmt: skip

    assert clean == {"risk_per_trade": Decimal("100"), "stop_loss_dollars": Decimal("0.00000001"),
                     "max_drawdown_dollars": Decimal("800"), "enabled": False}  # fmt: skip


def test_blank_means_unchanged_unless_required():
    assert risk_values_clean({"risk_per_trade": "", "stop_loss_dollars": None}) == {}
    with pytest.raises(ValidationError) as refused:
        risk_values_clean({"risk_per_trade": ""}, required=["risk_per_trade"])
    assert refused.value.message_dict == {"risk_per_trade": ["This field is required."]}


@pytest.mark.parametrize("raw", [1.5, True, "1e3", "Infinity", "1,5", [], "0x10"])
def test_floats_booleans_and_odd_text_are_not_numbers(raw):
    with pytest.raises(ValidationError) as refused:
        risk_values_clean({"stop_loss_dollars": raw})
    assert refused.value.message_dict == {"stop_loss_dollars": ["Enter a number, e.g. 1.5."]}


@pytest.mark.parametrize("field, raw", [("risk_per_trade", "0"), ("risk_per_trade", "100.0001"),
                                        ("stop_loss_dollars", "0"), ("max_drawdown_dollars", "-0.01")])  # fmt: skip
def test_ranges_follow_the_trader_contract(field, raw):
    with pytest.raises(ValidationError) as refused:
        risk_values_clean({field: raw})
    assert list(refused.value.message_dict) == [field]


def test_enabled_must_be_a_boolean():
    with pytest.raises(ValidationError) as refused:
        risk_values_clean({"enabled": "maybe"})
    assert refused.value.message_dict == {"enabled": ["Must be true or false."]}


def test_reason_and_version():
    assert reason_clean("  reviewed  ") == "reviewed"
    with pytest.raises(ValidationError):
        reason_clean("x" * 501)
    assert version_clean("3") == 3 and version_clean(None) is None
    for bad in ("two", "0", Decimal("1.5"), True):
        with pytest.raises(ValidationError):
            version_clean(bad)
    with pytest.raises(ValidationError):
        version_clean("", required=True)
