"""`bench equity`: curves and analytics over 5 years of hourly snapshots, against serializing every row.

Runs in a throwaway database: 3 sources and the fund, 43,800 hours each (175,200 rows). Server time is the
time Django takes to answer through the test client (middleware, DRF, JSON), measured in this process.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tsdownsample import LTTBDownsampler

from apps.equity.cache import VERSION_KEY
from apps.equity.db import snapshots_insert
from apps.equity.downsample import lttb_pure_python
from apps.equity.models import EquitySnapshot
from apps.equity.selectors import money_text
from apps.sources.choices import SourceKind
from apps.sources.models import Source

HOURS = 5 * 365 * 24
SOURCES = 3
CURVES_URL = "/api/equity/curves?range=All&max_points=1000"
ANALYTICS_URL = "/api/equity/analytics?range=All"


def _seed() -> int:
    """Three random-walk sources and the fund as their sum, every hour for five years."""
    rng = random.Random(1)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    buckets = [start + timedelta(hours=h) for h in range(HOURS)]
    fund = [Decimal(0)] * HOURS
    for i in range(SOURCES):
        source = Source.objects.create(name=f"bench-{i}", kind=SourceKind.TRADER_SERVICE, base_url="http://127.0.0.1:9")
        value, rows = 10_000.0 * (i + 1), []
        for h, bucket in enumerate(buckets):
            value *= 1 + rng.gauss(0.00003, 0.003)
            equity = Decimal(f"{value:.2f}")
            fund[h] += equity
            rows.append(_row(source.pk, bucket, equity))
        snapshots_insert(rows)
    snapshots_insert([_row(None, bucket, equity) for bucket, equity in zip(buckets, fund, strict=True)])
    return EquitySnapshot.objects.count()


def _row(source_id, bucket, equity) -> dict:
    return {"source_id": source_id, "bucket": bucket, "equity": equity, "realized_pnl": equity - 10_000,
            "unrealized_pnl": Decimal("12.5"), "position_count": 3, "is_stale": False, "stale_reason": "",
            "origin": "file", "as_of": bucket, "updated_at": bucket}  # fmt: skip


def _admin_client() -> Client:
    from apps.accounts.models import User

    admin = User.objects.create(username="bench-admin", role="admin", is_staff=True)
    device = TOTPDevice.objects.create(user=admin, name="default", confirmed=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _timed(call, *, repeats: int, cold: bool = False) -> list[float]:
    samples = []
    for _ in range(repeats):
        if cold:
            cache.delete(VERSION_KEY)  # as after any write: every cached answer is stale
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _get(client: Client, url: str):
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    return call


def _baseline() -> bytes:
    """What the curves endpoint would cost without downsampling: every row of every series, chart-ready JSON."""
    series = []
    for source_id in [None, *Source.objects.values_list("pk", flat=True)]:
        rows = (
            EquitySnapshot.objects.filter(source_id=source_id)
            if source_id
            else EquitySnapshot.objects.filter(source__isnull=True)
        )
        values = rows.order_by("bucket").values_list("bucket", "equity", "realized_pnl", "unrealized_pnl", "is_stale")
        series.append({"points": [[int(b.timestamp()) * 1000, money_text(e), money_text(e - u), money_text(r),
                                   money_text(u), s] for b, e, r, u, s in values]})  # fmt: skip
    return json.dumps({"series": series}).encode()


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def _figures(samples: list[float]) -> dict:
    return {"p50_ms": _ms(samples, 0.5), "p95_ms": _ms(samples, 0.95), "runs": len(samples)}


def _lttb(repeats: int) -> dict:
    """tsdownsample's LTTB on 86,400 points (a day of seconds) to 1,000, against the textbook in pure Python."""
    rng = np.random.default_rng(0)
    x = np.arange(86_400, dtype=np.int64)
    y = np.cumsum(rng.normal(size=86_400))
    fast = _timed(lambda: LTTBDownsampler().downsample(x, y, n_out=1000), repeats=repeats * 10)
    xs, ys = x.tolist(), y.tolist()
    slow = _timed(lambda: lttb_pure_python(xs, ys, 1000), repeats=3)
    return {"points": 86_400, "n_out": 1000, "tsdownsample_median_ms": round(statistics.median(fast) * 1000, 3),
            "pure_python_median_ms": round(statistics.median(slow) * 1000, 1),
            "speedup": round(statistics.median(slow) / statistics.median(fast), 1)}  # fmt: skip


def run(*, repeats: int, latency_ms: float) -> dict:
    """Measure in a throwaway database; return the figures (latency_ms does not apply: no remote service)."""
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        rows = _seed()
        seed_s = time.perf_counter() - started
        client = _admin_client()
        curves_cold = _timed(_get(client, CURVES_URL), repeats=max(3, repeats // 3), cold=True)
        curves_warm = _timed(_get(client, CURVES_URL), repeats=repeats)
        analytics_cold = _timed(_get(client, ANALYTICS_URL), repeats=max(3, repeats // 3), cold=True)
        analytics_warm = _timed(_get(client, ANALYTICS_URL), repeats=repeats)
        baseline = _timed(_baseline, repeats=3)
        answer_bytes = len(_get(client, CURVES_URL)().content)
        baseline_bytes = len(_baseline())
        lttb = _lttb(repeats)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "database": connection.vendor, "rows": rows, "seed_s": round(seed_s, 1),
        "curves_warm": _figures(curves_warm), "curves_cold": _figures(curves_cold),
        "analytics_warm": _figures(analytics_warm), "analytics_cold": _figures(analytics_cold),
        "baseline_every_row": {**_figures(baseline), "bytes": baseline_bytes},
        "curves_bytes": answer_bytes,
        "speedup_warm_p95_vs_baseline_p50": round(_ms(baseline, 0.5) / _ms(curves_warm, 0.95), 1),
        "speedup_cold_p50_vs_baseline_p50": round(_ms(baseline, 0.5) / _ms(curves_cold, 0.5), 1),
        "lttb": lttb,
        "targets": {"curves_p95_ms": 50, "speedup": 20, "analytics_ms": 200},
        "note": "warm = answer cached for the current data version; cold = first request after a write",
    }  # fmt: skip
