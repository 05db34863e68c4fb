"""Django admin of the accounts app and of the third-party models the fund admins manage."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django_celery_beat.admin import (
    ClockedScheduleAdmin,
    CrontabScheduleAdmin,
    IntervalScheduleAdmin,
    PeriodicTaskAdmin,
    SolarScheduleAdmin,
)
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from apps.accounts.admin_site import admin_site
from apps.accounts.choices import AuditAction
from apps.accounts.http import client_ip
from apps.accounts.models import AuditEvent, User
from apps.accounts.services import api_token_revoke, audit_event_record, user_role_change, user_role_change_check
from apps.core.masking import mask_secret


class FundUserChangeForm(UserChangeForm):
    """The user form, refusing role changes the service would refuse (e.g. demoting the last admin)."""

    class Meta(UserChangeForm.Meta):
        model = User

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if self.instance.pk and role != self.initial.get("role"):
            try:
                user_role_change_check(user=User.objects.get(pk=self.instance.pk), role=role)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict.get("role", exc.messages))
        return role


@admin.register(User, site=admin_site)
class FundUserAdmin(UserAdmin):
    """Users with their role; a role change goes through `user_role_change` (audited)."""

    form = FundUserChangeForm
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    fieldsets = ((None, {"fields": ("username", "password", "role")}),) + UserAdmin.fieldsets[1:]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "usable_password", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        ip = client_ip(request)
        if change and "role" in form.changed_data:
            new_role, obj.role = obj.role, form.initial["role"]
            super().save_model(request, obj, form, change)
            user_role_change(user=obj, role=new_role, actor=request.user, ip=ip)
            return
        super().save_model(request, obj, form, change)
        if not change:
            audit_event_record(
                actor=request.user,
                action=AuditAction.USER_CREATE,
                target=f"user:{obj.pk}",
                after={"username": obj.username, "role": obj.role},
                ip=ip,
            )


class ReadOnlyAdminMixin:
    """Rows that are only looked at (or deleted, where a subclass allows it)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log, read-only: nobody edits or deletes history."""

    list_display = ("at", "actor_label", "action", "target", "outcome", "ip")
    list_filter = ("outcome", "action")
    search_fields = ("actor_label", "action", "target")
    date_hierarchy = "at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TokenProxy, site=admin_site)
class MaskedTokenAdmin(TokenAdmin):
    """API tokens, masked; admins may revoke (audited) but never read or mint one here."""

    list_display = ("masked_key", "user", "created")
    fields = ("user", "masked_key", "created")
    readonly_fields = ("user", "masked_key", "created")

    @admin.display(description="Key")
    def masked_key(self, token) -> str:
        return mask_secret(token.key)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        api_token_revoke(user=obj.user, actor=request.user, ip=client_ip(request))


class OtpDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Second-factor devices without their keys; deleting one (a lost phone) is audited."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def delete_model(self, request, obj) -> None:
        target = f"user:{obj.user_id}"
        before = {"device": obj.persistent_id}
        super().delete_model(request, obj)
        audit_event_record(
            actor=request.user,
            action=AuditAction.OTP_DEVICE_DELETE,
            target=target,
            before=before,
            ip=client_ip(request),
        )

    def delete_queryset(self, request, queryset) -> None:
        for device in queryset:
            self.delete_model(request, device)


admin_site.register(TOTPDevice, OtpDeviceAdmin)
admin_site.register(StaticDevice, OtpDeviceAdmin)
admin_site.register(Group, GroupAdmin)
admin_site.register(PeriodicTask, PeriodicTaskAdmin)
admin_site.register(IntervalSchedule, IntervalScheduleAdmin)
admin_site.register(CrontabSchedule, CrontabScheduleAdmin)
admin_site.register(SolarSchedule, SolarScheduleAdmin)
admin_site.register(ClockedSchedule, ClockedScheduleAdmin)
admin_site.register(AccessAttempt, AccessAttemptAdmin)
admin_site.register(AccessLog, AccessLogAdmin)
admin_site.register(AccessFailureLog, AccessFailureLogAdmin)
