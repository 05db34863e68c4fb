"""Equity snapshots and imports in Django admin: to look at, never to edit (the services keep them consistent)."""

from django.contrib import admin

from apps.accounts.admin_site import admin_site
from apps.equity.models import EquityImport, EquitySnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the equity services only: a hand edit would bypass the fund's sums and the audit log."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EquitySnapshot, site=admin_site)
class EquitySnapshotAdmin(ReadOnlyAdmin):
    list_display = ["bucket", "source", "equity", "realized_pnl", "unrealized_pnl", "position_count", "is_stale",
                    "origin"]  # fmt: skip
    list_filter = ["origin", "is_stale", "source"]
    date_hierarchy = "bucket"
    list_select_related = ["source"]
    show_full_result_count = False  # counting 175,000 rows on every page view buys nothing
    ordering = ["-bucket", "source_id"]


@admin.register(EquityImport, site=admin_site)
class EquityImportAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "filename", "source", "status", "total_rows", "created_by"]
    list_filter = ["kind", "status"]
    exclude = ["payload"]  # up to 50 MB of CSV
    list_select_related = ["source", "created_by"]
