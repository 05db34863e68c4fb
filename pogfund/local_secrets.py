"""Secrets for the embedded default: generated once and kept under var/.

Production passes SECRET_KEY and FIELD_ENCRYPTION_KEY in the environment; a
fresh clone gets stable per-machine values so `make run` needs no setup.
"""

import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def persisted_secret(var_dir: Path, name: str, *, fernet: bool = False) -> str:
    path = var_dir / "secrets" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = Fernet.generate_key().decode() if fernet else secrets.token_urlsafe(50)
    path.write_text(value)
    path.chmod(0o600)
    return value
