"""REST API of the strategies app, under /api/."""

urlpatterns: list = []
