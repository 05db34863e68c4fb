"""REST endpoints of the accounts app."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.http import client_ip
from apps.accounts.permissions import IsAdminRole, IsSignedIn
from apps.accounts.selectors import audit_events_list
from apps.accounts.serializers import AuditEventSerializer, MeSerializer, TokenRotateSerializer
from apps.accounts.services import api_token_rotate


class MeApi(APIView):
    """The signed-in user's name, role and second-factor state."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        by_token = isinstance(request.successful_authenticator, TokenAuthentication)
        is_verified = getattr(request.user, "is_verified", None)
        data = {
            "username": request.user.get_username(),
            "role": request.user.role,
            "otp_verified": bool(not by_token and is_verified and is_verified()),
            "authentication": "token" if by_token else "session",
        }
        return Response(MeSerializer(data).data)


class TokenRotateApi(APIView):
    """Create (or replace) your API token; the response carries the key once."""

    permission_classes = [IsSignedIn]

    @extend_schema(request=None, responses={201: TokenRotateSerializer}, operation_id="tokens_rotate")
    def post(self, request: Request) -> Response:
        key = api_token_rotate(user=request.user, actor=request.user, ip=client_ip(request))
        return Response(TokenRotateSerializer({"key": key}).data, status=201, headers={"Cache-Control": "no-store"})


class AuditEventListApi(generics.ListAPIView):
    """The audit log, newest first (fund admins only)."""

    permission_classes = [IsAdminRole]
    serializer_class = AuditEventSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, description="Only this action, e.g. user.role_change"),
            OpenApiParameter("actor", str, description="Only this actor (username, case-insensitive)"),
        ],
        operation_id="audit_list",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return audit_events_list(user=self.request.user, action=params.get("action"), actor=params.get("actor"))
