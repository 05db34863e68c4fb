"""Services in Django admin: definitions (audited, secrets write-only), start/stop/restart actions, events."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.accounts.admin_site import admin_site
from apps.accounts.http import client_ip
from apps.services.definitions import (
    DEFINITION_FIELDS,
    secret_environment_masked,
    service_definition_delete,
    service_definition_save,
    service_definition_validate,
)
from apps.services.models import AlertChannel, ManagedService, ServiceEvent
from apps.services.services import service_restart, services_start, services_stop

WRITE_ONLY = "Leave empty to keep the stored value."


class ManagedServiceForm(forms.ModelForm):
    """Secret variables are typed in, never shown: an empty box keeps the stored ones."""

    secret_environment = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text=f'JSON object, e.g. {{"HL_PRIVATE_KEY": "0x..."}}. {WRITE_ONLY}',
    )  # fmt: skip

    class Meta:
        model = ManagedService
        fields = DEFINITION_FIELDS

    def clean_secret_environment(self):
        typed = self.cleaned_data.get("secret_environment")
        if not typed:
            return self.instance.secret_environment if self.instance.pk else ""
        try:
            json.loads(typed)
        except ValueError:
            raise ValidationError("Not JSON.") from None
        return typed

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            setattr(self.instance, name, value)
        try:
            service_definition_validate(self.instance)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


def _report(request, results) -> None:
    for result in results:
        level = messages.SUCCESS if result.ok else messages.ERROR
        messages.add_message(request, level, f"{result.service}: {result.action} — {result.detail}")


@admin.register(ManagedService, site=admin_site)
class ManagedServiceAdmin(admin.ModelAdmin):
    form = ManagedServiceForm
    list_display = ["name", "kind", "status", "should_run", "pid", "restart_count", "error_count",
                    "last_heartbeat_at", "gave_up_at", "is_watchdog_enabled"]  # fmt: skip
    list_filter = ["kind", "status", "is_watchdog_enabled"]
    search_fields = ["name", "display_name"]
    readonly_fields = ["stored_secret_environment", "status", "status_detail", "status_changed_at", "should_run", "pid",
                       "started_at", "last_heartbeat_at", "last_health_check_at", "consecutive_failures",
                       "error_count", "restart_count", "last_restart_at", "gave_up_at"]  # fmt: skip
    actions = ["start_selected", "stop_selected", "restart_selected"]

    @admin.display(description="Stored secret variables")
    def stored_secret_environment(self, service: ManagedService) -> str:
        masked = secret_environment_masked(service)
        return ", ".join(f"{name}: {value}" for name, value in masked.items()) or "none"

    @admin.action(description="Start the selected services (waits for their health answer)")
    def start_selected(self, request, queryset):
        _report(request, services_start(services=list(queryset), actor=request.user, ip=client_ip(request)))

    @admin.action(description="Stop the selected services")
    def stop_selected(self, request, queryset):
        _report(request, services_stop(services=list(queryset), actor=request.user, ip=client_ip(request)))

    @admin.action(description="Restart the selected services")
    def restart_selected(self, request, queryset):
        _report(request, [service_restart(service=s, actor=request.user, ip=client_ip(request)) for s in queryset])

    def save_model(self, request, obj, form, change):
        service_definition_save(service=obj, actor=request.user, ip=client_ip(request))

    def delete_model(self, request, obj):
        service_definition_delete(service=obj, actor=request.user, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        for service in queryset:
            service_definition_delete(service=service, actor=request.user, ip=client_ip(request))


@admin.register(ServiceEvent, site=admin_site)
class ServiceEventAdmin(admin.ModelAdmin):
    """The services' history, read here and written only by the services module."""

    list_display = ["at", "service", "kind", "actor_label"]
    list_filter = ["kind", "service"]
    list_select_related = ["service"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AlertChannel, site=admin_site)
class AlertChannelAdmin(admin.ModelAdmin):
    """Alert channels are edited on the Settings tab (validated, audited, token write-only); listed here."""

    list_display = ["name", "kind", "is_enabled", "chat_id", "last_sent_at", "last_error"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
