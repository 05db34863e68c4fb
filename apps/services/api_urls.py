"""REST API of the services app, under /api/."""

urlpatterns: list = []
