"""REST API of the live app, under /api/."""

urlpatterns: list = []
