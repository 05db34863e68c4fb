"""The Settings tab's write use-cases: change settings, or replace credentials; all or nothing, audited."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.core.masking import mask_secret
from apps.services.definitions import (
    DEFINITION_FIELDS,
    environment_problem,
    secret_environment_masked,
    service_definition_save,
)
from apps.services.models import AlertChannel, ManagedService, PanelSettings
from apps.sources.models import Source
from apps.sources.registry import source_save

SERVICE_SETTINGS = [name for name in DEFINITION_FIELDS if name not in ("name", "secret_environment")]
SOURCE_SETTINGS = ["display_name", "base_url", "poll_interval_s", "is_enabled"]
CHANNEL_SETTINGS = ["kind", "is_enabled", "chat_id", "api_base_url"]
GENERAL_SETTINGS = ["refresh_s"]
SECTIONS = ("services", "sources", "alert_channels", "general")
KEY_SECTIONS = ("services", "sources", "alert_channels")
NOT_HERE = "Not a setting that can be changed here."


class SettingsInvalid(Exception):
    """Some settings were refused; `errors` names each one (section -> name -> field -> messages)."""

    def __init__(self, errors: dict):
        super().__init__("invalid settings")
        self.errors = errors


def settings_update(*, changes, actor, ip: str | None = None) -> None:
    """Apply every change or none: services, sources, alert channels and the panel's settings."""
    _apply_all([(changes, SECTIONS, _setting_handlers())], actor=actor, ip=ip, action="settings.update")


def settings_keys_update(*, changes, actor, ip: str | None = None) -> None:
    """Replace credentials (write-only): a source's keys, a service's secret variables, a channel's token."""
    _apply_all([(changes, KEY_SECTIONS, _key_handlers())], actor=actor, ip=ip, action="settings.keys_update")


def settings_save(*, changes: dict, keys: dict, actor, ip: str | None = None) -> None:
    """Settings and credentials typed into one form: both are applied, or neither."""
    batches = [(changes, SECTIONS, _setting_handlers())] + ([(keys, KEY_SECTIONS, _key_handlers())] if keys else [])
    _apply_all(batches, actor=actor, ip=ip, action="settings.update")


def _setting_handlers() -> dict[str, Callable]:
    return {"services": _service_change, "sources": _source_change, "alert_channels": _channel_change}


def _key_handlers() -> dict[str, Callable]:
    return {"services": _service_keys, "sources": _source_keys, "alert_channels": _channel_keys}


def _apply_all(batches, *, actor, ip, action: str) -> None:
    try:
        with transaction.atomic():
            errors: dict = {}
            for changes, sections, handlers in batches:
                _merge_errors(errors, _apply_sections(changes, sections, handlers, actor=actor, ip=ip))
            if errors:
                raise SettingsInvalid(errors)  # inside the block: every change made so far rolls back
    except SettingsInvalid as refused:
        audit_event_record(actor=actor, action=action, target="settings", outcome=AuditOutcome.FAILURE,
                           after={"errors": refused.errors}, ip=ip)  # fmt: skip
        raise


def _merge_errors(into: dict, more: dict) -> None:
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_errors(into[key], value)
        else:
            into.setdefault(key, value)


def _apply_sections(changes, sections, handlers, *, actor, ip) -> dict:
    if not isinstance(changes, dict):
        return {"non_field_errors": ["Send a JSON object with " + ", ".join(sections) + "."]}
    errors: dict = {key: [f"Unknown section; use {', '.join(sections)}."] for key in changes if key not in sections}
    for section in sections:
        if section not in changes:
            continue
        if section == "general":
            if problems := _general_change(changes[section], actor=actor, ip=ip):
                errors[section] = problems
            continue
        items = changes[section]
        if not isinstance(items, dict):
            errors[section] = ["An object keyed by name."]
            continue
        for name, values in items.items():
            if problems := handlers[section](str(name), values, actor=actor, ip=ip):
                errors.setdefault(section, {})[name] = problems
    return errors


def _assign(instance, values, allowed: list[str], *, resolve: dict | None = None) -> dict:
    """Set allowed fields from `values`; the problems found (unknown fields, unknown names)."""
    if not isinstance(values, dict):
        return {"non_field_errors": ["An object of setting: value."]}
    problems = {key: [NOT_HERE] for key in values if key not in allowed}
    for key, value in values.items():
        if key in problems:
            continue
        if resolve and key in resolve:
            value, problem = resolve[key](value)
            if problem:
                problems[key] = [problem]
                continue
        setattr(instance, key, value)
    return problems


def _source_by_name(value) -> tuple[Source | None, str]:
    if value in (None, ""):
        return None, ""
    source = Source.objects.filter(name=str(value)).first()
    return source, "" if source else f"No source named {value!r}."


def _service_change(name: str, values, *, actor, ip) -> dict:
    service = ManagedService.objects.select_for_update().filter(name=name).first()
    if service is None:
        return {"name": ["No such service."]}
    problems = _assign(service, values, SERVICE_SETTINGS, resolve={"source": _source_by_name})
    return _merged(problems, lambda: service_definition_save(service=service, actor=actor, ip=ip))


def _source_change(name: str, values, *, actor, ip) -> dict:
    source = Source.objects.select_for_update().filter(name=name).first()
    if source is None:
        return {"name": ["No such source."]}
    problems = _assign(source, values, SOURCE_SETTINGS)
    return _merged(problems, lambda: source_save(source=source, actor=actor, ip=ip))


def _channel_change(name: str, values, *, actor, ip) -> dict:
    channel = AlertChannel.objects.select_for_update().filter(name=name).first()
    if values is None:  # null removes a channel
        if channel:
            audit_event_record(actor=actor, action="alert_channel.delete", target=f"alert_channel:{name}",
                               before=_channel_state(channel), ip=ip)  # fmt: skip
            channel.delete()
        return {}
    before = _channel_state(channel) if channel else None
    channel = channel or AlertChannel(name=name)
    problems = _assign(channel, values, CHANNEL_SETTINGS)

    def save() -> None:
        channel.full_clean()
        channel.save()

    if problems := _merged(problems, save):
        return problems
    audit_event_record(actor=actor, action="alert_channel.update" if before else "alert_channel.create",
                       target=f"alert_channel:{name}", before=before, after=_channel_state(channel), ip=ip)  # fmt: skip
    return {}


def _general_change(values, *, actor, ip) -> dict:
    panel = PanelSettings.load()
    before = {name: getattr(panel, name) for name in GENERAL_SETTINGS}
    if problems := _merged(_assign(panel, values, GENERAL_SETTINGS), panel.full_clean):
        return problems
    panel.save()
    after = {name: getattr(panel, name) for name in GENERAL_SETTINGS}
    if after != before:
        audit_event_record(actor=actor, action="panel_settings.update", target="panel_settings", before=before,
                           after=after, ip=ip)  # fmt: skip
    return {}


def _service_keys(name: str, values, *, actor, ip) -> dict:
    service = ManagedService.objects.select_for_update().filter(name=name).first()
    if service is None:
        return {"name": ["No such service."]}
    if values is not None and (problem := environment_problem(values)):
        return {"secret_environment": [problem]}
    before = secret_environment_masked(service)
    service.secret_environment = json.dumps(values) if values else ""
    service.save(update_fields=["secret_environment", "updated_at"])
    audit_event_record(actor=actor, action="service.keys_update", target=f"service:{name}",
                       before={"secret_environment": before},
                       after={"secret_environment": secret_environment_masked(service)}, ip=ip)  # fmt: skip
    return {}


def _source_keys(name: str, values, *, actor, ip) -> dict:
    source = Source.objects.select_for_update().filter(name=name).first()
    if source is None:
        return {"name": ["No such source."]}
    if values is not None and not isinstance(values, dict):
        return {"credentials": ['Must be an object, e.g. {"apiKey": "...", "secret": "..."}, or null to remove.']}
    source.credentials = json.dumps(values) if values else ""
    return _validation_problems(lambda: source_save(source=source, actor=actor, ip=ip))  # audited there, masked


def _channel_keys(name: str, values, *, actor, ip) -> dict:
    channel = AlertChannel.objects.select_for_update().filter(name=name).first()
    if channel is None:
        return {"name": ["No such alert channel."]}
    token = None if values is None else values.get("token") if isinstance(values, dict) else False
    if token is not None and (not isinstance(token, str) or not token.strip()):
        return {"token": ['Send {"token": "<bot token>"}, or null to remove it.']}
    before = mask_secret(channel.token)
    channel.token = (token or "").strip()
    channel.save(update_fields=["token"])
    audit_event_record(actor=actor, action="alert_channel.keys_update", target=f"alert_channel:{name}",
                       before={"token": before}, after={"token": mask_secret(channel.token)}, ip=ip)  # fmt: skip
    return {}


def _channel_state(channel: AlertChannel) -> dict:
    state = {name: getattr(channel, name) for name in CHANNEL_SETTINGS}
    return state | {"token": mask_secret(channel.token)}


def _merged(problems: dict, save: Callable[[], object]) -> dict:
    """Problems of the assignment plus those of validating and saving the rest (rolled back if any)."""
    if "non_field_errors" in problems:
        return problems
    found = _validation_problems(save)
    return {**found, **problems}


def _validation_problems(save: Callable[[], object]) -> dict:
    try:
        save()
    except ValidationError as error:
        return error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    return {}
