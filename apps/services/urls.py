"""Pages of the services app."""

urlpatterns: list = []
