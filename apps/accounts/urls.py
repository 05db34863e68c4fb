"""Pages: sign-in and 2FA (namespace two_factor), home, office, portal, sender, account."""

from django.contrib.auth.views import LogoutView
from django.urls import include, path
from two_factor.views import LoginView, ProfileView, SetupCompleteView

from apps.accounts import two_factor_views, views

# two_factor's own URL names and paths, with our subclasses where we changed behaviour.
two_factor_patterns = [
    path("account/login/", LoginView.as_view(), name="login"),
    path("account/two_factor/setup/", two_factor_views.FundSetupView.as_view(), name="setup"),
    path("account/two_factor/qrcode/", two_factor_views.FundQRGeneratorView.as_view(), name="qr"),
    path("account/two_factor/setup/complete/", SetupCompleteView.as_view(), name="setup_complete"),
    path("account/two_factor/backup/tokens/", two_factor_views.FundBackupTokensView.as_view(), name="backup_tokens"),
    path("account/two_factor/", ProfileView.as_view(), name="profile"),
    path("account/two_factor/disable/", two_factor_views.FundDisableView.as_view(), name="disable"),
]

account_patterns = [
    path("account/logout/", LogoutView.as_view(), name="logout"),
    path("account/tokens/", views.ApiTokenView.as_view(), name="tokens"),
]

office_patterns = [
    # The landing is the live dashboard ("office:home"); included by module name, so accounts imports no live code.
    path("", include("apps.live.landing_urls")),
    path("overview/", views.OfficeHomeView.as_view(), name="overview"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
]

portal_patterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
]

sender_patterns = [
    path("", views.SenderHomeView.as_view(), name="home"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("", include((two_factor_patterns, "two_factor"))),
    path("", include((account_patterns, "accounts"))),
    path("office/", include((office_patterns, "office"))),
    path("portal/", include((portal_patterns, "portal"))),
    path("sender/", include((sender_patterns, "sender"))),
]
