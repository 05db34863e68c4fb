"""REST API of the accounts app, under /api/."""

from django.urls import path

from apps.accounts import api

urlpatterns = [
    path("me", api.MeApi.as_view(), name="api-me"),
    path("tokens/rotate", api.TokenRotateApi.as_view(), name="api-tokens-rotate"),
    path("audit", api.AuditEventListApi.as_view(), name="api-audit"),
]
