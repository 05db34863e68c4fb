"""Pages of the live app."""

urlpatterns: list = []
