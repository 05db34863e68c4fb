from apps.equity.templatetags.equity_format import pct


def test_percent_is_signed_with_separators_and_a_zero_shows_no_sign():
    assert pct("0.1234") == "+12.34 %"
    assert pct("12.345") == "+1,234.50 %"
    assert pct("-0.00001") == "0.00 %"
    assert pct(None) == "—"
