"""REST API of the equity app, under /api/."""

urlpatterns: list = []
