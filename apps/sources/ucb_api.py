"""The UCB training service's data through the fund: cached by polling, served with its staleness."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.sources.ucb import UCB_SECTIONS, ucb_section


class UcbApi(APIView):
    """`/api/ucb/strategies|training|models|gpu`: the last good answer, its age and whether it is stale."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, section: str):
        if section not in UCB_SECTIONS:
            raise NotFound(f"Unknown UCB section {section!r}; use one of {', '.join(UCB_SECTIONS)}.")
        return Response(ucb_section(user=request.user, section=section))
