"""Register, change and remove sources (audited); secrets stay encrypted and are logged masked."""

from __future__ import annotations

import json
import re

import ccxt
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.services import audit_event_record
from apps.core.masking import mask_secret
from apps.sources.choices import SourceKind
from apps.sources.models import Source

EDITABLE_FIELDS = ["name", "display_name", "kind", "base_url", "exchange_id", "account_address", "credentials",
                   "exchange_source", "is_enabled", "is_counted_in_totals", "poll_interval_s"]  # fmt: skip
HYPERLIQUID_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def credentials_masked(raw: str) -> dict[str, str]:
    """The credentials JSON with every value masked, for pages, APIs and the audit log."""
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        return {"credentials": mask_secret(raw)}
    return {key: mask_secret(str(value)) for key, value in values.items()} if isinstance(values, dict) else {}


def source_validate(source: Source) -> None:
    """Raise ValidationError naming each field a source of its kind is missing or has wrong."""
    errors: dict[str, str] = {}
    needs_url = source.kind in (SourceKind.TRADER_SERVICE, SourceKind.UCB)  # exchanges default to mainnet
    if needs_url and not source.base_url:
        errors["base_url"] = f"A {source.get_kind_display()} needs its base URL."
    if source.kind == SourceKind.HYPERLIQUID and not HYPERLIQUID_ADDRESS.match(source.account_address or ""):
        errors["account_address"] = "A Hyperliquid account needs its master or sub-account address (0x + 40 hex)."
    if source.kind == SourceKind.LIGHTER and not (source.account_address or "").isdigit():
        errors["account_address"] = "A Lighter account needs its numeric account index."
    if source.kind == SourceKind.CCXT and source.exchange_id not in ccxt.exchanges:
        errors["exchange_id"] = f"Unknown ccxt exchange id {source.exchange_id!r}."
    if source.credentials:
        try:
            if not isinstance(json.loads(source.credentials), dict):
                raise ValueError
        except ValueError:
            errors["credentials"] = 'Credentials must be a JSON object, e.g. {"apiKey": "...", "secret": "..."}.'
    if source.exchange_source_id and source.exchange_source_id == source.pk:
        errors["exchange_source"] = "A source cannot reconcile against itself."
    if errors:
        raise ValidationError(errors)


def _audit_state(source: Source) -> dict:
    state = {name: getattr(source, name) for name in EDITABLE_FIELDS if name not in ("credentials", "exchange_source")}
    state["exchange_source"] = source.exchange_source.name if source.exchange_source_id else None
    state["credentials"] = credentials_masked(source.credentials)
    return state


@transaction.atomic
def source_save(*, source: Source, actor, ip: str | None = None) -> Source:
    """Create or update a source after validating it; audited with secrets masked."""
    before = _audit_state(Source.objects.get(pk=source.pk)) if source.pk else None
    source.full_clean()
    source_validate(source)
    source.save()
    audit_event_record(actor=actor, action="source.update" if before else "source.create",
                       target=f"source:{source.name}", before=before, after=_audit_state(source), ip=ip)  # fmt: skip
    return source


@transaction.atomic
def source_delete(*, source: Source, actor, ip: str | None = None) -> None:
    """Remove a source and its book (trades included); audited."""
    audit_event_record(actor=actor, action="source.delete", target=f"source:{source.name}",
                       before=_audit_state(source), ip=ip)  # fmt: skip
    source.delete()
