"""Writes that do not go through the equity services still invalidate the cached curves and analytics."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.equity.cache import data_changed
from apps.equity.models import EquitySnapshot
from apps.sources.models import Source


# A source's name and counted flag are in the answers; deleting one deletes its snapshots (bulk, no signal each).
@receiver([post_save, post_delete], sender=Source, dispatch_uid="equity-source-changed")
@receiver([post_save, post_delete], sender=EquitySnapshot, dispatch_uid="equity-snapshot-changed")
def equity_data_changed(**kwargs) -> None:
    """Bump the equity data version after the commit."""
    data_changed()
