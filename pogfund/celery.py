"""The fund's Celery app: polling sources, snapshots, ROI, payouts, allocation."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pogfund.settings")

app = Celery("pogfund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
