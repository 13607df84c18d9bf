"""Uploaded files on their own origin, as attachments, by short-lived signed links (issue 9; A.5.2, A.5.6, A.4.7).

The app's pages check who may see a file, as they always have, and then link or redirect to
``{CUSTOS_MEDIA_ORIGIN}/files/<token>/<filename>``. The token is signed with a salt per kind of file and names the
kind and the object's id; it is not tied to a person, because the media origin has no session (a separate origin
never sees the app's cookies) and the page that issued it has already checked the person. The media origin
answers nothing but these links, and the app origin answers none of them, so a hostile upload can never run as
the app: every file goes out as ``Content-Disposition: attachment`` with ``nosniff`` and a sandboxing CSP.

School logos (A.4.7) are public brand images on every page, so their links are signed but do not expire: the
token holds a digest of the stored file name, so a replaced logo gets a new link and the old one stops working,
and browsers may cache the stable link. The app origin's ``/media/logos/…`` (what ``School.logo.url`` gives)
redirects to it, so nothing relies on a web server serving MEDIA_ROOT.

Quarantined case evidence (A.5.6) never gets a link: it stays DSL-only, reason-recorded, on the app origin.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.http.request import split_domain_port

if TYPE_CHECKING:
    from custos.accounts.models import School
    from custos.cases.models import Evidence
    from custos.community.models import ContributionImage

COMMUNITY_IMAGE = "community-image"
CASE_EVIDENCE = "case-evidence"
SCHOOL_LOGO = "school-logo"
POST_IMAGE = "post-image"
FILES_PREFIX = "/files/"
# The content types the community app's re-encoder writes (custos/community/images.py); anything else is bytes.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
OCTET_STREAM = "application/octet-stream"
LOGO_CACHE_SECONDS = 86400
_FILE_PATH = re.compile(r"^/files/(?P<token>[A-Za-z0-9_:.-]+)/(?P<filename>[A-Za-z0-9_.-]+)$")


class NoLink(ValueError):
    """This file may never be given a media link (quarantined evidence, A.5.6)."""


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str
    filename: str
    cache_control: str


def media_origin() -> str:
    return str(getattr(settings, "CUSTOS_MEDIA_ORIGIN", "") or "").rstrip("/")


def media_host() -> str:
    """The media origin's host name, or "" when files are served from the app's own origin (the demo)."""
    return urlsplit(media_origin()).hostname or ""


def lifetime() -> int:
    return int(getattr(settings, "CUSTOS_MEDIA_URL_SECONDS", 300))


def _salt(kind: str) -> str:
    return f"custos.uploads.{kind}"


def _url(token: str, filename: str) -> str:
    return f"{media_origin()}{FILES_PREFIX}{token}/{filename}"


def _expiring_url(kind: str, pk: int, filename: str) -> str:
    return _url(signing.TimestampSigner(salt=_salt(kind)).sign(f"{kind}:{pk}"), filename)


def _name_digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


# --- filenames: chosen by us, never the uploader's ------------------------------------------------------------


def _image_filename(pk: int, content_type: str) -> str:
    return f"image-{pk}.{IMAGE_TYPES.get(content_type, 'bin')}"


def _post_image_filename(pk: int, content_type: str) -> str:
    return f"post-image-{pk}.{IMAGE_TYPES.get(content_type, 'bin')}"


def evidence_filename(evidence: Evidence) -> str:
    return f"{evidence.case.reference}-evidence-{evidence.pk}.bin"


def _logo_filename(school_pk: int) -> str:
    return f"school-{school_pk}-logo.bin"


# --- links: only after the page has checked the person ---------------------------------------------------------


def image_url(image: ContributionImage) -> str:
    """A community image the caller has already checked the viewer may see (A.5.2, A.5.3)."""
    return _expiring_url(COMMUNITY_IMAGE, image.pk, _image_filename(image.pk, image.content_type))


def evidence_url(evidence: Evidence) -> str:
    """Case evidence the caller has checked and recorded the download of; never quarantined evidence (A.5.6)."""
    if evidence.quarantined:
        raise NoLink("Quarantined evidence is opened only by the DSL, with a recorded reason (A.5.6).")
    return _expiring_url(CASE_EVIDENCE, evidence.pk, evidence_filename(evidence))


def post_image_url(image: Any) -> str:
    """An image of an official post (A.3.4) the caller has checked the viewer may see."""
    return _expiring_url(POST_IMAGE, image.pk, _post_image_filename(image.pk, image.content_type))


def logo_url(school: School) -> str:
    """The school's logo (A.4.7): public, so a stable signed link; "" when the school has none."""
    if not school.logo:
        return ""
    value = f"{SCHOOL_LOGO}:{school.pk}:{_name_digest(school.logo.name)}"
    return _url(signing.Signer(salt=_salt(SCHOOL_LOGO)).sign(value), _logo_filename(school.pk))


# --- serving, on the media origin ------------------------------------------------------------------------------


def _community_image(pk: int, _: str) -> StoredFile | None:
    from custos.community.models import ContributionImage

    row = ContributionImage.objects.filter(pk=pk).values_list("data", "content_type").first()
    if row is None:
        return None
    data, content_type = row
    return StoredFile(
        bytes(data),
        content_type if content_type in IMAGE_TYPES else OCTET_STREAM,
        _image_filename(pk, content_type),
        f"private, max-age={lifetime()}",
    )


def _case_evidence(pk: int, _: str) -> StoredFile | None:
    from custos.cases.models import Evidence

    # Quarantined since the link was issued: the link dies with it (A.5.6).
    evidence = Evidence.objects.select_related("case").filter(pk=pk, quarantined=False).first()
    if evidence is None:
        return None
    # Safeguarding evidence is never kept in a browser's cache, on shared school computers least of all.
    return StoredFile(evidence.stored_bytes(), OCTET_STREAM, evidence_filename(evidence), "no-store")


def _school_logo(pk: int, digest: str) -> StoredFile | None:
    from custos.accounts.models import School

    name = School.objects.filter(pk=pk).values_list("logo", flat=True).first()
    if not name or _name_digest(name) != digest:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return StoredFile(data, OCTET_STREAM, _logo_filename(pk), f"public, max-age={LOGO_CACHE_SECONDS}")


def _post_image(pk: int, _: str) -> StoredFile | None:
    from custos.staff.models import PostImage

    row = PostImage.objects.filter(pk=pk).values_list("image", "content_type").first()
    if row is None or not row[0]:
        return None
    name, content_type = row
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # Re-encoded on upload (A.5.2), so a school can download it as the picture it is, ready for the host site.
    return StoredFile(
        data,
        content_type if content_type in IMAGE_TYPES else OCTET_STREAM,
        _post_image_filename(pk, content_type),
        f"private, max-age={lifetime()}",
    )


_LOADERS: dict[str, Callable[[int, str], StoredFile | None]] = {
    POST_IMAGE: _post_image,
    COMMUNITY_IMAGE: _community_image,
    CASE_EVIDENCE: _case_evidence,
    SCHOOL_LOGO: _school_logo,
}


def read_token(token: str) -> tuple[str, int, str]:
    """(kind, id, extra) from a token this app signed; ``signing.BadSignature`` for anything else or expired."""
    kind = token.split(":", 1)[0]
    if kind not in _LOADERS:
        raise signing.BadSignature("Unknown kind of file")
    if kind == SCHOOL_LOGO:
        value = signing.Signer(salt=_salt(kind)).unsign(token)
    else:
        value = signing.TimestampSigner(salt=_salt(kind)).unsign(token, max_age=lifetime())
    signed_kind, pk, *extra = value.split(":")
    if signed_kind != kind or not pk.isdigit():
        raise signing.BadSignature("Malformed token")
    return kind, int(pk), extra[0] if extra else ""


def attachment(data: bytes, *, content_type: str, filename: str, cache_control: str) -> HttpResponse:
    """Bytes a browser saves rather than runs; an ``<img>`` still displays an attachment image."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The app's pages embed these images from another origin, possibly another site (the stronger separation);
    # the signed link itself is what grants access, so "same-site" would protect nothing and break such set-ups.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = cache_control
    return response


@login_not_required
def serve(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        raise Http404("Files are only read")
    try:
        kind, pk, extra = read_token(token)
    except signing.BadSignature:
        raise Http404("No such file, or the link has expired") from None
    stored = _LOADERS[kind](pk, extra)
    if stored is None or stored.filename != filename:
        raise Http404("No such file")
    return attachment(
        stored.data, content_type=stored.content_type, filename=stored.filename, cache_control=stored.cache_control
    )


@login_not_required
def logo_redirect(request: HttpRequest, name: str) -> HttpResponse:
    """``School.logo.url`` on the app origin: a redirect to the logo's link, not the file (A.4.7)."""
    from custos.accounts.models import School

    school = School.objects.filter(logo=name).only("pk", "logo").first()
    if school is None:
        raise Http404("No such logo")
    response = HttpResponseRedirect(logo_url(school))
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _not_found() -> HttpResponse:
    return HttpResponseNotFound("Not found", content_type="text/plain; charset=utf-8")


class MediaOriginMiddleware:
    """Keeps the two origins apart: the media host answers only file links, the app host none of them.

    File links are answered here, before sessions and sign-in (as WhiteNoise answers static files): the token is
    the permission, and the media origin must never set or read the app's cookies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        host = media_host()
        is_file = request.path.startswith(FILES_PREFIX)
        if host and (split_domain_port(request.get_host())[0] == host) != is_file:
            return _not_found()
        if is_file:
            match = _FILE_PATH.match(request.path)
            if match is None:
                return _not_found()
            try:
                return serve(request, match["token"], match["filename"])
            except Http404:
                return _not_found()
        media_prefix = f"/{settings.MEDIA_URL.strip('/')}/"
        if request.path.startswith(f"{media_prefix}logos/"):
            try:
                return logo_redirect(request, request.path.removeprefix(media_prefix))
            except Http404:
                return _not_found()
        return self.get_response(request)
