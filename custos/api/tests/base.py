"""API test base: the Oakfield personas, official sites built through the sites actions, tokens through ours."""

from __future__ import annotations

from typing import Any

from django.test import Client

from custos.api import actions
from custos.api.models import Scope
from custos.sites.tests.base import SitesTestCase

ALL_SCOPES = list(Scope.values)


class ApiTestCase(SitesTestCase):
    def token(self, *, scopes: list[str] | None = None, school: Any = None, name: str = "Integration") -> str:
        created = actions.create_token(
            school=school or self.school, name=name, scopes=scopes or ALL_SCOPES, by=self.ict_manager
        )
        return created.secret

    def api(self, secret: str | None) -> Client:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return Client(headers=headers)

    def third_party_site(self, **fields: Any) -> Any:
        return self.approved(hosting="third_party", host_platform=self.facebook, **fields)
