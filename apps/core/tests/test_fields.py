"""EncryptedTextField keeps ciphertext in the column and plaintext in Python."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps

from apps.core.fields import EncryptedTextField, EncryptionKeyError

SECRET = "hl-api-secret-0123456789abcdef"


@pytest.fixture
def vault(transactional_db):
    """A throwaway model with an encrypted column, created and dropped around one test."""
    with isolate_apps("apps.core"):

        class Vault(models.Model):
            secret = EncryptedTextField(blank=True)

            class Meta:
                app_label = "core"
                db_table = "core_test_vault"

            def __str__(self) -> str:
                return f"vault {self.pk}"

        # Outside a transaction: SQLite cannot change its schema inside one.
        with connection.schema_editor() as editor:
            editor.create_model(Vault)
        yield Vault
        with connection.schema_editor() as editor:
            editor.delete_model(Vault)


def raw_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_test_vault WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_column_holds_ciphertext_and_python_sees_plaintext(vault, settings):
    # when a secret is saved
    row = vault.objects.create(secret=SECRET)
    # then the column holds a Fernet token of it, not the secret, and loading decrypts it
    stored = raw_column(row.pk)
    assert SECRET not in stored
    assert stored.startswith("gAAAAA")
    assert Fernet(settings.FIELD_ENCRYPTION_KEY.split(",")[0]).decrypt(stored.encode()).decode() == SECRET
    assert vault.objects.get(pk=row.pk).secret == SECRET


def test_same_secret_encrypts_differently_each_time(vault):
    a, b = vault.objects.create(secret=SECRET), vault.objects.create(secret=SECRET)
    assert raw_column(a.pk) != raw_column(b.pk)


def test_empty_stays_empty(vault):
    row = vault.objects.create(secret="")
    assert raw_column(row.pk) == ""
    assert vault.objects.get(pk=row.pk).secret == ""


def test_wrong_key_is_a_clear_error(vault):
    row = vault.objects.create(secret=SECRET)
    with override_settings(FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        with pytest.raises(EncryptionKeyError, match="FIELD_ENCRYPTION_KEY is wrong"):
            vault.objects.get(pk=row.pk)


def test_rotation_reads_old_ciphertext_and_writes_with_the_new_key(vault, settings):
    # given a row encrypted with the current key
    old_key = settings.FIELD_ENCRYPTION_KEY.split(",")[0]
    row = vault.objects.create(secret=SECRET)
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=f"{new_key},{old_key}"):
        # when the new key is listed first and the row is read and saved again
        loaded = vault.objects.get(pk=row.pk)
        loaded.save()
    # then it was readable, and is now encrypted with the new key only
    assert loaded.secret == SECRET
    assert Fernet(new_key).decrypt(raw_column(row.pk).encode()).decode() == SECRET


def test_malformed_key_is_a_configuration_error(vault):
    with override_settings(FIELD_ENCRYPTION_KEY="not-a-fernet-key"):
        with pytest.raises(ImproperlyConfigured, match="must be Fernet keys"):
            vault.objects.create(secret=SECRET)


def test_lookups_on_ciphertext_are_refused_except_isnull(vault):
    vault.objects.create(secret=SECRET)
    with pytest.raises(FieldError):
        list(vault.objects.filter(secret=SECRET))
    assert vault.objects.filter(secret__isnull=False).count() == 1
