"""Sources in Django admin: register and edit them (audited, secrets write-only), browse the book."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.accounts.admin_site import admin_site
from apps.accounts.http import client_ip
from apps.sources.models import AccountState, Order, Position, Source, Trade
from apps.sources.registry import credentials_masked, source_delete, source_save, source_validate


class SourceForm(forms.ModelForm):
    """Credentials are typed in, never shown: an empty box keeps the stored value."""

    credentials = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text='JSON object, e.g. {"apiKey": "...", "secret": "..."}. Leave empty to keep the stored value.',
    )  # fmt: skip

    class Meta:
        model = Source
        fields = ["name", "display_name", "kind", "base_url", "exchange_id", "account_address", "credentials",
                  "exchange_source", "is_enabled", "is_counted_in_totals", "poll_interval_s"]  # fmt: skip

    def clean_credentials(self):
        typed = self.cleaned_data.get("credentials")
        return typed if typed else (self.instance.credentials if self.instance.pk else "")

    def clean(self):
        cleaned = super().clean()
        candidate = self.instance
        for name, value in cleaned.items():
            setattr(candidate, name, value)
        try:
            source_validate(candidate)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


@admin.register(Source, site=admin_site)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = ["name", "kind", "base_url", "is_enabled", "status", "last_ok_at", "consecutive_failures"]
    list_filter = ["kind", "status", "is_enabled"]
    search_fields = ["name", "display_name", "base_url", "account_address"]
    readonly_fields = ["stored_credentials", "status", "last_polled_at", "last_ok_at", "last_error",
                       "consecutive_failures", "created_at", "updated_at"]  # fmt: skip

    @admin.display(description="Stored credentials")
    def stored_credentials(self, source: Source) -> str:
        masked = credentials_masked(source.credentials)
        return ", ".join(f"{key}: {value}" for key, value in masked.items()) or "none"

    def save_model(self, request, obj, form, change):
        source_save(source=obj, actor=request.user, ip=client_ip(request))
        messages.info(request, "Saved; the source is polled within its interval.")

    def delete_model(self, request, obj):
        source_delete(source=obj, actor=request.user, ip=client_ip(request))


class _ReadOnlyBookAdmin(admin.ModelAdmin):
    """The book mirrors the sources: it is read here and changed only by polling."""

    list_select_related = ["source"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Position, site=admin_site)
class PositionAdmin(_ReadOnlyBookAdmin):
    list_display = ["source", "strategy", "symbol", "side", "size", "entry_price", "mark_price", "unrealized_pnl"]
    list_filter = ["source", "side"]
    search_fields = ["strategy", "symbol"]


@admin.register(Order, site=admin_site)
class OrderAdmin(_ReadOnlyBookAdmin):
    list_display = ["source", "external_id", "strategy", "symbol", "type", "side", "size", "price", "reduce_only"]
    list_filter = ["source", "type", "side"]
    search_fields = ["external_id", "strategy", "symbol"]


@admin.register(Trade, site=admin_site)
class TradeAdmin(_ReadOnlyBookAdmin):
    list_display = ["closed_at", "source", "strategy", "symbol", "side", "size", "exit_price", "realized_pnl",
                    "risk_reward"]  # fmt: skip
    list_filter = ["source", "side"]
    search_fields = ["external_id", "strategy", "symbol"]
    date_hierarchy = "closed_at"


@admin.register(AccountState, site=admin_site)
class AccountStateAdmin(_ReadOnlyBookAdmin):
    list_display = ["minute", "source", "equity", "realized_pnl", "unrealized_pnl", "margin_used"]
    list_filter = ["source"]
