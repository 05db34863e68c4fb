"""Pages of the strategies app."""

urlpatterns: list = []
