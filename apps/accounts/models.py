from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from apps.accounts.choices import AuditOutcome, Role

action_validator = RegexValidator(
    r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", "Use lowercase words joined by dots, e.g. user.role_change."
)


class User(AbstractUser):
    """A person who signs in: a fund admin, a client (investor) or a signal sender."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLIENT, db_index=True)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.get_username()

    @property
    def is_fund_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_signal_sender(self) -> bool:
        return self.role == Role.SIGNAL_SENDER


class AuditEvent(models.Model):
    """One append-only line of the audit log: who did what to which thing, before/after, and how it ended."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    # Kept apart from the FK so the line still names the actor after a user is deleted,
    # and names the attempted username of a failed login.
    actor_label = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=64, validators=[action_validator], db_index=True)
    target = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action} {self.target} {self.outcome}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
