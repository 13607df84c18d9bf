from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from custos.api import pages, views

app_name = "api"

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", pages.docs, name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.revoke, name="revoke"),
    path("v1/screen", login_not_required(views.screen_text), name="screen"),
    path("v1/sites", login_not_required(views.list_sites), name="sites"),
    path("v1/queue-counts", login_not_required(views.queue_counts), name="queue_counts"),
    path("v1/third-party-comments", login_not_required(views.submit_third_party_comments), name="comments"),
]
