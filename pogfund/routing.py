"""WebSocket routes; each app that serves a socket adds its patterns here."""

from django.urls import path

from apps.live.consumers import LiveConsumer

websocket_urlpatterns: list = [
    path("ws", LiveConsumer.as_asgi()),
]
