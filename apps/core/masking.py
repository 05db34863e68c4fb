"""Masking of secrets for pages, APIs and logs."""

MASK = "••••"
MIN_LENGTH_TO_HINT = 8
HINT_LENGTH = 4


def mask_secret(value: str | None) -> str:
    """'••••abcd' for a secret ending in abcd; only the mask for short secrets; '' when there is none."""
    if not value:
        return ""
    # A short secret would be half given away by its last four characters.
    if len(value) < MIN_LENGTH_TO_HINT:
        return MASK
    return MASK + value[-HINT_LENGTH:]
