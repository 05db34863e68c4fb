"""Forms of the Settings tab: they only parse what was typed into the shape the settings use-cases take."""

from __future__ import annotations

import json

from django import forms

from apps.services.choices import ChannelKind, ServiceKind
from apps.services.models import TELEGRAM_API, AlertChannel, ManagedService
from apps.sources.models import Source

ARGV_HELP = "One argument per line. No shell: quotes, ;, | and $ reach the program as they are."
CODE = {"spellcheck": "false", "autocomplete": "off"}
ENV_HELP = "NAME=value, one per line."
SECRET_HELP = "Replaces every secret variable: NAME=value, one per line. Leave empty to keep them."


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _env_lines(text: str) -> dict[str, str]:
    values = {}
    for line in _lines(text):
        name, equals, value = line.partition("=")
        if not equals:
            raise forms.ValidationError(f"{line!r} has no '=': write NAME=value.")
        values[name.strip()] = value
    return values


def env_text(values: dict) -> str:
    return "\n".join(f"{name}={value}" for name, value in values.items())


class _SettingsForm(forms.Form):
    """A form whose fields mirror settings; errors from the use-case land on the field they name."""

    def apply_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            for message in messages if isinstance(messages, list) else [str(messages)]:
                self.add_error(name if name in self.fields else None, message)


class ServiceSettingsForm(_SettingsForm):
    display_name = forms.CharField(required=False, max_length=120)
    kind = forms.ChoiceField(choices=ServiceKind.choices)
    source = forms.ChoiceField(required=False, help_text="The source that turns stale while this service is down.")
    host = forms.CharField(max_length=255)
    port = forms.IntegerField(required=False)
    health_url = forms.CharField(required=False, label="Health URL", help_text="Empty: http://host:port/api/status.")
    start_command = forms.CharField(widget=forms.Textarea(attrs={"rows": 7, **CODE}), help_text=ARGV_HELP)
    stop_command = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, **CODE}),
                                   help_text="Empty: SIGTERM to the process group, then SIGKILL.")  # fmt: skip
    is_detached = forms.BooleanField(required=False, label="Detached (systemd, Docker)",
                                     help_text="The start command returns; another manager runs it.")  # fmt: skip
    working_directory = forms.CharField(required=False, help_text="Empty: the fund's directory.")
    pid_file = forms.CharField(required=False, label="PID file", help_text="Empty: var/services/<name>.pid.")
    environment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=ENV_HELP)
    secret_environment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, **CODE}),
                                         help_text=SECRET_HELP)  # fmt: skip
    clear_secret_environment = forms.BooleanField(required=False, label="Remove every secret variable")
    is_watchdog_enabled = forms.BooleanField(required=False, label="Watchdog on")
    health_interval_s = forms.IntegerField(label="Health interval (s)")
    failures_before_restart = forms.IntegerField(label="Failures before restart")
    max_restarts_per_hour = forms.IntegerField(label="Max restarts per hour")
    start_timeout_s = forms.IntegerField(label="Start timeout (s)")
    stop_timeout_s = forms.IntegerField(label="Stop timeout (s)")
    start_with_fund = forms.BooleanField(required=False, label="Start and stop with the fund")

    SETTINGS = ["display_name", "kind", "source", "host", "port", "health_url", "start_command", "stop_command",
                "is_detached", "working_directory", "pid_file", "environment", "is_watchdog_enabled",
                "health_interval_s", "failures_before_restart", "max_restarts_per_hour", "start_timeout_s",
                "stop_timeout_s", "start_with_fund"]  # fmt: skip

    def __init__(self, *args, service: ManagedService, **kwargs):
        kwargs.setdefault("initial", self.initial_for(service))
        kwargs.setdefault("prefix", f"service-{service.pk}")
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["source"].choices = [("", "—"), *((s.name, str(s)) for s in Source.objects.all())]

    @classmethod
    def initial_for(cls, service: ManagedService) -> dict:
        initial = {name: getattr(service, name) for name in cls.SETTINGS if name != "source"}
        initial["source"] = service.source.name if service.source_id else ""
        initial["start_command"] = "\n".join(service.start_command)
        initial["stop_command"] = "\n".join(service.stop_command)
        initial["environment"] = env_text(service.environment or {})
        return initial

    def clean_start_command(self):
        return _lines(self.cleaned_data["start_command"])

    def clean_stop_command(self):
        return _lines(self.cleaned_data["stop_command"])

    def clean_environment(self):
        return _env_lines(self.cleaned_data["environment"])

    def clean_secret_environment(self):
        return _env_lines(self.cleaned_data["secret_environment"])

    def changes(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.SETTINGS}
        values["source"] = values["source"] or None
        return {"services": {self.service.name: values}}

    def keys(self) -> dict:
        if self.cleaned_data["clear_secret_environment"]:
            return {"services": {self.service.name: None}}
        secret = self.cleaned_data["secret_environment"]
        return {"services": {self.service.name: secret}} if secret else {}


class SourceSettingsForm(_SettingsForm):
    display_name = forms.CharField(required=False, max_length=120)
    base_url = forms.CharField(required=False, label="Base URL")
    poll_interval_s = forms.IntegerField(label="Poll interval (s)")
    is_enabled = forms.BooleanField(required=False, label="Polled")
    credentials = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, **CODE}),
                                  help_text='Replaces the keys: a JSON object, e.g. {"apiKey": "…", "secret": "…"}. '
                                  "Leave empty to keep them.")  # fmt: skip
    clear_credentials = forms.BooleanField(required=False, label="Remove the keys")

    SETTINGS = ["display_name", "base_url", "poll_interval_s", "is_enabled"]

    def __init__(self, *args, source: Source, **kwargs):
        kwargs.setdefault("initial", {name: getattr(source, name) for name in self.SETTINGS})
        kwargs.setdefault("prefix", f"source-{source.pk}")
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_credentials(self):
        text = self.cleaned_data["credentials"].strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError('Not JSON: write an object such as {"apiKey": "…"}.') from None
        if not isinstance(value, dict):
            raise forms.ValidationError('Write an object such as {"apiKey": "…", "secret": "…"}.')
        return value

    def changes(self) -> dict:
        return {"sources": {self.source.name: {name: self.cleaned_data[name] for name in self.SETTINGS}}}

    def keys(self) -> dict:
        if self.cleaned_data["clear_credentials"]:
            return {"sources": {self.source.name: None}}
        credentials = self.cleaned_data["credentials"]
        return {"sources": {self.source.name: credentials}} if credentials else {}


class AlertChannelForm(_SettingsForm):
    name = forms.SlugField(max_length=64, help_text="A short slug, e.g. ops-telegram.")
    kind = forms.ChoiceField(choices=ChannelKind.choices)
    is_enabled = forms.BooleanField(required=False, label="Enabled")
    chat_id = forms.CharField(max_length=64, label="Chat id", help_text="A number like -100123…, or @channel.")
    api_base_url = forms.CharField(label="Bot API base URL", initial=TELEGRAM_API)
    token = forms.CharField(required=False, label="Bot token", widget=forms.PasswordInput(attrs=CODE),
                            help_text="Replaces the stored token; leave empty to keep it.")  # fmt: skip

    SETTINGS = ["kind", "is_enabled", "chat_id", "api_base_url"]

    def __init__(self, *args, channel: AlertChannel | None = None, **kwargs):
        if channel is not None:
            kwargs.setdefault("initial", {"name": channel.name, **{f: getattr(channel, f) for f in self.SETTINGS}})
        else:
            kwargs.setdefault("initial", {"is_enabled": True, "api_base_url": TELEGRAM_API})
        kwargs.setdefault("prefix", f"channel-{channel.pk}" if channel else "channel-new")
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel is not None:
            self.fields["name"].disabled = True

    def changes(self) -> dict:
        return {"alert_channels": {self.cleaned_data["name"]: {f: self.cleaned_data[f] for f in self.SETTINGS}}}

    def keys(self) -> dict:
        token = self.cleaned_data["token"].strip()
        return {"alert_channels": {self.cleaned_data["name"]: {"token": token}}} if token else {}


class PanelSettingsForm(_SettingsForm):
    refresh_s = forms.IntegerField(label="Service cards refresh (s)", help_text="1 to 60.")

    def changes(self) -> dict:
        return {"general": {"refresh_s": self.cleaned_data["refresh_s"]}}

    def keys(self) -> dict:
        return {}
