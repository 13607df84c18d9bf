from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from custos.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("account/", include("custos.accounts.urls")),
    path("policy/", include("custos.policy.urls")),
    path("audit/", include("custos.audit.urls")),
    path("sites/", include("custos.sites.urls")),
    path("spaces/", include("custos.community.urls")),
    path("moderation/", include("custos.moderation.urls")),
    path("cases/", include("custos.cases.urls")),
    path("staff/", include("custos.staff.urls")),
    path("monitoring/", include("custos.monitoring.urls")),
    path("api/", include("custos.api.urls")),
    path("sso/", include("custos.sso.urls")),
    path("dashboards/", include("custos.dashboards.urls")),
    path("privacy/", include("custos.privacy.urls")),
    path("notify/", include("custos.notify.urls")),
]
if settings.DEBUG:
    # A developer's tool in the demo only: in production the Django admin is not mounted (issue 15, item 8).
    urlpatterns.append(path("django-admin/", admin.site.urls))

handler400 = "custos.core.views.bad_request"
handler403 = "custos.core.views.permission_denied"
handler404 = "custos.core.views.not_found"
handler500 = "custos.core.views.server_error"
