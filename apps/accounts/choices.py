from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Fund admin"
    CLIENT = "client", "Client"
    SIGNAL_SENDER = "signal_sender", "Signal sender"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AuditAction:
    """Action names recorded by the accounts app; other apps add their own `<entity>.<verb>` names."""

    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    USER_CREATE = "user.create"
    USER_ROLE_CHANGE = "user.role_change"
    API_TOKEN_CREATE = "api_token.create"
    API_TOKEN_ROTATE = "api_token.rotate"
    API_TOKEN_REVOKE = "api_token.revoke"
    OTP_DEVICE_CREATE = "otp_device.create"
    OTP_DEVICE_DELETE = "otp_device.delete"
    OTP_DISABLE = "otp.disable"
    OTP_BACKUP_CODES_GENERATE = "otp.backup_codes_generate"
