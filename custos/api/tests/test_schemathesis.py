"""Schemathesis against the running app (issue 10): every operation, many generated inputs, including invalid
ones. No server errors, no response outside the OpenAPI description. ``.ci/run`` runs it with 200 examples per
operation (CUSTOS_API_FUZZ_EXAMPLES=200); the ordinary suite runs a quicker pass."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from custos.accounts.models import Role, School, Trust
from custos.api import actions
from custos.api.models import Scope
from custos.sites.models import Hosting, HostPlatform, Site, SiteState
from custos.test import give_role, make_user

pytestmark = [pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


def test_every_operation_survives_generated_input_within_its_schema(live_server, settings) -> None:
    if SCHEMATHESIS is None:
        pytest.skip("schemathesis is not installed (requirements/test.txt)")
    settings.CUSTOS_API_REQUESTS_PER_MINUTE = 1_000_000
    trust = Trust.objects.create(name="Fuzz Trust")
    school = School.objects.create(trust=trust, name="Fuzz Academy", urn="900001", website="https://fuzz.example/")
    ict = make_user("fuzz_ict", school=school)
    give_role(ict, Role.ICT_MANAGER, school)
    # A site for comments to land on (ids the fuzzer picks are mostly unknown: 404s, which the schema allows).
    Site.objects.create(
        school=school,
        author=ict,
        title="Fuzz page",
        state=SiteState.LIVE,
        hosting=Hosting.THIRD_PARTY,
        host_platform=HostPlatform.objects.first(),
        go_live_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2030, 1, 1),
    )
    secret = actions.create_token(school=school, name="Fuzz", scopes=list(Scope.values), by=ict).secret
    examples = os.environ.get("CUSTOS_API_FUZZ_EXAMPLES", "25")
    result = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            f"{live_server.url}/api/schema/?format=json",
            "--header",
            f"Authorization: Bearer {secret}",
            "--checks",
            CHECKS,
            "--max-examples",
            examples,
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--seed",
            os.environ.get("CUSTOS_API_FUZZ_SEED", "20251"),
            "--suppress-health-check",
            "all",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
    # Warnings (e.g. "mostly 404": the fuzzer rarely guesses a real site id) are advice, not failures.
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts is not None and counts.group(1) == counts.group(2), result.stdout[-3000:]
