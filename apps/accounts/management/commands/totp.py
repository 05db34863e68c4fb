"""`manage.py totp <username> [--create]`: the user's current TOTP code and otpauth:// URI."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.accounts.services import DEFAULT_DEVICE_NAME, totp_current_code, totp_device_ensure


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's default device and its otpauth:// URI."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="Create a confirmed TOTP device if there is none.")

    def handle(self, *args, username: str, create: bool, **options) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.")
        if create:
            device = totp_device_ensure(user=user)
        else:
            device = TOTPDevice.objects.filter(user=user, name=DEFAULT_DEVICE_NAME, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no confirmed TOTP device; pass --create to make one.")
        self.stdout.write(f"code: {totp_current_code(device=device)}")
        self.stdout.write(f"uri:  {device.config_url}")
