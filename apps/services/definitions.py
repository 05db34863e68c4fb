"""Service definitions: validate, save and delete them (audited, secrets masked)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.services import audit_event_record
from apps.core.alerts import alert_clear
from apps.core.masking import mask_secret
from apps.services import runtime
from apps.services.models import ManagedService
from apps.services.services import ALERT_KIND, service_stop

DEFINITION_FIELDS = [
    "name", "display_name", "kind", "source", "host", "port", "health_url", "start_command", "stop_command",
    "is_detached", "working_directory", "environment", "secret_environment", "pid_file", "is_watchdog_enabled",
    "health_interval_s", "failures_before_restart", "max_restarts_per_hour", "start_timeout_s", "stop_timeout_s",
    "start_with_fund",
]  # fmt: skip
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HOST = re.compile(r"^[A-Za-z0-9._:\[\]-]+$")
MAX_ARGS = 100
MAX_ARG_LENGTH = 4096


def argv_problem(value, *, cwd: str, required: bool) -> str:
    """Why a value is not a runnable argument list here, or '' when it is."""
    if not isinstance(value, list) or not all(isinstance(arg, str) for arg in value):
        return 'Must be a list of strings, e.g. ["python", "manage.py", "simulate"] (never a shell string).'
    if not value:
        return "Give the program and its arguments." if required else ""
    if len(value) > MAX_ARGS or any(len(arg) > MAX_ARG_LENGTH or "\x00" in arg for arg in value):
        return f"At most {MAX_ARGS} arguments of {MAX_ARG_LENGTH} characters, without NUL characters."
    program = value[0]
    if not program.strip():
        return "The first argument must name the program."
    if "/" in program:
        path = Path(program) if Path(program).is_absolute() else Path(cwd) / program
        if not (path.is_file() and os.access(path, os.X_OK)):
            return f"{program!r} is not an executable file on this host."
    elif shutil.which(program) is None:
        return f"{program!r} is not a program on this host's PATH."
    return ""


def environment_problem(value) -> str:
    """Why a value is not an environment object, or '' when it is."""
    if not isinstance(value, dict):
        return 'Must be an object of NAME: "value" pairs.'
    for name, item in value.items():
        if not ENV_NAME.match(str(name)):
            return f"{name!r} is not a variable name (letters, digits and _, not starting with a digit)."
        if not isinstance(item, str) or "\x00" in item:
            return f"The value of {name} must be a string (quote numbers)."
    return ""


def service_definition_validate(service: ManagedService) -> None:
    """Raise ValidationError naming each field that is wrong, beyond the model's own checks."""
    errors: dict[str, str] = {}
    if not HOST.match(service.host or ""):
        errors["host"] = "A host name or IP address, without spaces or a scheme."
    cwd = runtime.working_directory(service)
    if not Path(cwd).is_dir():
        errors["working_directory"] = f"{cwd} is not a directory on this host."
    else:
        if problem := argv_problem(service.start_command, cwd=cwd, required=True):
            errors["start_command"] = problem
        if problem := argv_problem(service.stop_command, cwd=cwd, required=False):
            errors["stop_command"] = problem
    if problem := environment_problem(service.environment):
        errors["environment"] = problem
    if service.secret_environment:
        try:
            problem = environment_problem(json.loads(service.secret_environment))
        except ValueError:
            problem = 'Must be a JSON object of NAME: "value" pairs.'
        if problem:
            errors["secret_environment"] = problem
    if not service.port and not service.health_url:
        errors["port"] = "Give a port or a health URL: the watchdog needs something to ask."
    if service.is_detached and not service.stop_command and not service.pid_file:
        errors["stop_command"] = "A detached service needs a stop command (or a PID file its process writes)."
    if "\x00" in (service.pid_file or ""):
        errors["pid_file"] = "Not a path."
    if errors:
        raise ValidationError(errors)


def definition_state(service: ManagedService) -> dict:
    """A definition as the audit log keeps it: secrets masked."""
    state = {name: getattr(service, name) for name in DEFINITION_FIELDS if name not in ("source", "secret_environment")}
    state["source"] = service.source.name if service.source_id else None
    state["secret_environment"] = secret_environment_masked(service)
    return state


def secret_environment_masked(service: ManagedService) -> dict[str, str]:
    return {name: mask_secret(value) for name, value in runtime.secret_environment(service).items()}


@transaction.atomic
def service_definition_save(*, service: ManagedService, actor, ip: str | None = None) -> ManagedService:
    """Create or change a service definition after validating it; only definition fields are written; audited."""
    existing = ManagedService.objects.select_for_update().filter(pk=service.pk).first() if service.pk else None
    before = definition_state(existing) if existing else None
    errors: dict[str, list[str]] = {}
    for check in (lambda: service.full_clean(exclude=_state_fields()), lambda: service_definition_validate(service)):
        try:
            check()
        except ValidationError as error:  # report every wrong field at once, not the first check's only
            for name, messages in error.message_dict.items():
                errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)
    if existing:
        service.save(update_fields=[*DEFINITION_FIELDS, "updated_at"])
    else:
        service.save()
    after = definition_state(service)
    if before != after:
        audit_event_record(actor=actor, action="service.update" if existing else "service.create",
                           target=f"service:{service.name}", before=before, after=after, ip=ip)  # fmt: skip
    return service


def service_definition_delete(*, service: ManagedService, actor, ip: str | None = None) -> None:
    """Stop a service if it runs, then remove it and its history; audited."""
    if runtime.tracked_pid(service)[0]:
        service_stop(service=service, actor=actor, ip=ip)
    with transaction.atomic():
        audit_event_record(actor=actor, action="service.delete", target=f"service:{service.name}",
                           before=definition_state(service), ip=ip)  # fmt: skip
        alert_clear(kind=ALERT_KIND, key=service.name)  # nothing is left to give up on
        service.delete()


def _state_fields() -> list[str]:
    definition = set(DEFINITION_FIELDS)
    return [f.name for f in ManagedService._meta.concrete_fields if f.name not in definition]
