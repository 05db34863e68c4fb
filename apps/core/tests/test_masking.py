"""mask_secret never shows more than the last four characters."""

import pytest

from apps.core.masking import mask_secret


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (None, ""),
        ("", ""),
        ("short", "••••"),
        ("1234567", "••••"),
        ("12345678", "••••5678"),
        ("sk_live_abcdefghijklmnopqrstuvwxyz", "••••wxyz"),
    ],
)
def test_mask_secret(value, masked):
    assert mask_secret(value) == masked
