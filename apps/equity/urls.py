"""Pages of the equity app."""

urlpatterns: list = []
