"""Forms of Django admin's risk pages; the rules themselves live in validation.py."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from apps.strategies.models import RISK_FIELDS, VALUE_FIELDS, RiskSetting
from apps.strategies.services import StaleVersionError
from apps.strategies.trader_client import decimal_text
from apps.strategies.validation import reason_clean, risk_values_clean


class PlainDecimalInput(forms.TextInput):
    """A decimal box showing "1.5", not the column's "1.5000000000"."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "size": 8, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return decimal_text(value)
        return super().format_value(value)


class VersionWidget(forms.HiddenInput):
    """Carries the version the form was loaded at (for the stale check), and shows it."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            "{}<span class='version-tag'>v{}</span>", super().render(name, value, attrs, renderer), value
        )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


class RiskSettingAdminForm(forms.ModelForm):
    """Our four values plus the version they were loaded at; checked with the shared rules."""

    class Meta:
        model = RiskSetting
        fields = ["version", *VALUE_FIELDS]
        widgets = {"version": VersionWidget, **{name: PlainDecimalInput for name in RISK_FIELDS}}

    def clean(self):
        cleaned = super().clean()
        present = {
            name: cleaned[name] for name in VALUE_FIELDS if name in self.fields and cleaned.get(name) is not None
        }
        try:
            risk_values_clean(present, required=[name for name in RISK_FIELDS if name in present])
        except ValidationError as error:
            _add_errors(self, error)
        based_on = cleaned.get("version")
        if self.instance.pk and based_on is not None:
            current = RiskSetting.objects.values_list("version", flat=True).get(pk=self.instance.pk)
            if based_on != current:
                self.add_error(None, str(StaleVersionError(based_on=based_on, current=current)))
        return cleaned


class SetValuesForm(forms.Form):
    """The values an admin action applies to every selected strategy; blank keeps a value."""

    risk_per_trade = forms.CharField(required=False, label="Risk per trade (% of margin)", widget=PlainDecimalInput)
    stop_loss_dollars = forms.CharField(required=False, label="Stop loss ($)", widget=PlainDecimalInput)
    max_drawdown_dollars = forms.CharField(required=False, label="Max drawdown ($, kill switch)",
                                           widget=PlainDecimalInput)  # fmt: skip
    enabled = forms.ChoiceField(required=False, choices=[("", "keep"), ("on", "enable"), ("off", "disable")])

    def clean(self):
        cleaned = super().clean()
        raw = {name: value for name, value in cleaned.items() if value not in (None, "")}
        try:
            self._values = risk_values_clean(raw)
        except ValidationError as error:
            _add_errors(self, error)
            return cleaned
        if not self._values:
            raise ValidationError("Enter at least one value, or choose enable/disable.")
        return cleaned

    def values(self) -> dict:
        return self._values


class ResetReasonForm(forms.Form):
    """Why the kill switches are reset; recorded in the audit log."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)

    def clean_reason(self):
        try:
            return reason_clean(self.cleaned_data.get("reason"))
        except ValidationError as error:
            raise ValidationError(error.message_dict["reason"])
