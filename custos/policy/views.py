from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from custos.accounts import access
from custos.policy.models import Clause, PolicyVersion


def policy(request: HttpRequest, label: str | None = None) -> HttpResponse:
    access.require(request.user, "policy.read")
    versions = PolicyVersion.objects.all()
    version = get_object_or_404(versions, label=label) if label else versions.filter(is_current=True).first()
    if version is None:
        raise Http404("No policy has been imported yet.")
    clauses = list(version.clauses.all())
    sections: list[tuple[str, str, list[Clause]]] = []
    for clause in clauses:
        if not sections or sections[-1][0] != clause.section:
            sections.append((clause.section, clause.section_title, []))
        sections[-1][2].append(clause)
    return render(request, "policy/policy.html", {"version": version, "sections": sections, "versions": versions})


def clause(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, "policy.read")
    found = get_object_or_404(Clause, version__is_current=True, number=number)
    return render(request, "policy/clause.html", {"clause": found})
