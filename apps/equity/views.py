"""Pages of the equity app: the Equity tab, snapshot now, history imports with their progress."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.http import client_ip
from apps.accounts.mixins import AdminRequiredMixin
from apps.equity import selectors
from apps.equity.analytics import equity_analytics
from apps.equity.choices import ImportKind
from apps.equity.forms import ImportFileForm, PullForm
from apps.equity.history import PULLABLE_KINDS
from apps.equity.series import DEFAULT_RANGE, RANGES
from apps.equity.services import equity_import_create, equity_import_start, equity_snapshot_take
from apps.sources.models import Source

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
RECENT_IMPORTS = 15


def heatmap_rows(analytics: dict) -> list[dict]:
    """Years newest first, each with its twelve monthly returns (None where there is no month) and its total."""
    years: dict[int, dict] = {}
    for item in analytics.get("monthly_returns", []):
        row = years.setdefault(item["year"], {"year": item["year"], "months": [None] * 12, "total": None})
        row["months"][item["month"] - 1] = item["return"]
    for item in analytics.get("yearly_returns", []):
        if item["year"] in years:
            years[item["year"]]["total"] = item["return"]
    return [years[year] for year in sorted(years, reverse=True)]


class EquityView(AdminRequiredMixin, TemplateView):
    """The Equity tab: fund and source curves, drawdowns, monthly returns and metric cards."""

    template_name = "equity/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        overview = selectors.equity_overview(user=user)
        initial = None
        if overview["has_history"]:
            analytics = equity_analytics(user=user, range_name=DEFAULT_RANGE)
            curves = selectors.equity_curves(user=user, range_name=DEFAULT_RANGE)
            initial = {"range": DEFAULT_RANGE, "curves": curves, "analytics": analytics}
        config = {"curvesUrl": reverse("api-equity-curves"), "analyticsUrl": reverse("api-equity-analytics"),
                  "maxPoints": 1000}  # fmt: skip
        return super().get_context_data(
            overview=overview, initial=initial, config=config, ranges=RANGES, default_range=DEFAULT_RANGE,
            analytics=initial["analytics"] if initial else None, months=MONTHS,
            heatmap=heatmap_rows(initial["analytics"]) if initial else [], **kwargs,
        )  # fmt: skip


def _analytics_for(request, *, range_name: str) -> dict:
    """Analytics of the curve named by ?source= (the fund by default); 404 for an unknown source."""
    source = request.GET.get("source") or None
    try:
        return equity_analytics(user=request.user, source=source, range_name=range_name)
    except Source.DoesNotExist:
        raise Http404("No such source.")


class MetricsPartView(AdminRequiredMixin, View):
    """The metric cards of one curve over one range (htmx swaps them when the range or curve changes)."""

    def get(self, request):
        range_name = request.GET.get("range") if request.GET.get("range") in RANGES else DEFAULT_RANGE
        return render(request, "equity/_metrics.html", {"analytics": _analytics_for(request, range_name=range_name)})


class HeatmapPartView(AdminRequiredMixin, View):
    """The monthly returns heatmap of one curve over all its history."""

    def get(self, request):
        analytics = _analytics_for(request, range_name="All")
        return render(request, "equity/_heatmap.html", {
            "heatmap": heatmap_rows(analytics), "months": MONTHS, "label": analytics["label"]})  # fmt: skip


class SnapshotNowView(AdminRequiredMixin, View):
    """Take this hour's snapshot now (the hourly task would otherwise wait for the next full hour)."""

    def post(self, request):
        result = equity_snapshot_take(actor=request.user, ip=client_ip(request))
        if not result.rows:
            messages.warning(request, "No snapshot taken: no source has reported an account state yet.")
        else:
            note = f" Stale: {', '.join(result.stale_sources)}." if result.stale_sources else ""
            messages.success(request, f"Snapshot of {result.bucket:%Y-%m-%d %H}:00 UTC recorded "
                                      f"({len(result.rows)} rows).{note}")  # fmt: skip
        return redirect("equity:index")


def _pullable():
    return Source.objects.filter(kind__in=PULLABLE_KINDS).order_by("name")


class ImportView(AdminRequiredMixin, View):
    """Upload a history file or pull a source's history; lists the recent imports."""

    template_name = "equity/import.html"

    def get(self, request, form=None):
        imports = selectors.equity_imports_list(user=request.user)[:RECENT_IMPORTS]
        return render(request, self.template_name, {
            "form": form or ImportFileForm(), "pull_form": PullForm(sources=_pullable()), "imports": imports,
            "pullable": _pullable(),
        })  # fmt: skip

    def post(self, request):
        form = ImportFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form)
        filename, text = form.cleaned_data["file"]
        job = equity_import_create(
            kind=ImportKind.CSV,
            payload=text,
            filename=filename,
            actor=request.user,
            ip=client_ip(request),
            commit_good_rows=form.cleaned_data["commit_good_rows"],
        )
        equity_import_start(job=job)
        return redirect("equity:import-detail", pk=job.pk)


class ImportPullView(AdminRequiredMixin, View):
    """Pull one trader's or Hyperliquid account's own history (run by a worker)."""

    def post(self, request):
        form = PullForm(request.POST, sources=_pullable())
        if not form.is_valid():
            messages.error(request, "Choose a trader or Hyperliquid source to pull history from.")
            return redirect("equity:import")
        job = equity_import_create(source=form.cleaned_data["source"], actor=request.user, ip=client_ip(request))
        equity_import_start(job=job)
        return redirect("equity:import-detail", pk=job.pk)


class ImportDetailView(AdminRequiredMixin, View):
    """One import: a progress bar while it runs, then what it did (rows, bad lines, gaps)."""

    def get(self, request, pk: int):
        job = get_object_or_404(selectors.equity_imports_list(user=request.user), pk=pk)
        return render(request, "equity/import_detail.html", {"job": job})


class ImportProgressView(AdminRequiredMixin, View):
    """The progress partial htmx polls every second until the import is finished."""

    def get(self, request, pk: int):
        job = get_object_or_404(selectors.equity_imports_list(user=request.user), pk=pk)
        return render(request, "equity/_import_progress.html", {"job": job})
