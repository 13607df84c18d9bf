"""A.5.2, 5.4, A.4.9: an official post's image is checked by its content and stored only as a fresh re-encoding, so
no EXIF, GPS or XMP from a phone's photo (where a pupil lives, who they are) survives; anything else is refused
with a plain reason and nothing changes. A.3.4: adding an image still sends an approved post back for approval."""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import tempfile
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from custos.audit.models import AuditEvent
from custos.lib import uploads
from custos.staff.actions import (
    StaffActionError,
    add_image,
    approve_post,
    content_hash,
    edit_post,
    start_post,
    submit_post,
)
from custos.staff.forms import GIF_REFUSED, MAX_IMAGE_BYTES
from custos.staff.models import OfficialPost, PostApproval, PostImage, PostState
from custos.staff.queries import approved_posts_for_site
from custos.staff.tests.helpers import approved_site
from custos.staff.tests.pictures import gif, photo_with_gps, transparent_png, upload
from custos.test import CustosTestCase

NOT_AN_IMAGE = "That file is not an image we can read. Upload a JPEG, PNG or WebP image."
TOO_LARGE = "The image is larger than 2.5 MB: make it smaller and try again."


def stored_bytes(image: PostImage) -> bytes:
    with image.image.open("rb") as handle:
        return handle.read()


def files_under(root: str) -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names]


class PostImageTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        self.media = media.name
        overridden = self.settings(MEDIA_ROOT=self.media)
        overridden.enable()
        self.addCleanup(overridden.disable)
        self.site = approved_site(self)
        self.post = start_post(
            self.site,
            author=self.teacher,
            title="Science fair",
            body="Year 6 showed their volcano experiments this afternoon.",
            author_position="Science teacher",
        )

    def _add(self, data: bytes, name: str = "IMG_0042.jpg", content_type: str = "image/jpeg", client: Any = None):
        client = client or self.client_for(self.teacher)
        return client.post(
            f"/staff/posts/{self.post.pk}/",
            {"step": "add_image", "image-image": upload(data, name, content_type), "image-alt_text": "The fair"},
        )

    def _approve_through_pages(self) -> None:
        for person, step in ((self.ict_manager, "ict"), (self.head, "head")):
            self.post.refresh_from_db()
            response = self.client_for(person).post(
                f"/staff/posts/{self.post.pk}/",
                {"step": "approve", "decide-step": step, "decide-seen": self.post.content_sha256},
            )
            self.assertRedirects(response, f"/staff/posts/{self.post.pk}/")
        self.post.refresh_from_db()

    def _assert_refused(self, response: Any, message: str, before: OfficialPost) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertFormError(response.context["image_form"], "image", [message])
        self.assertContains(response, message)
        self.assertFalse(PostImage.objects.exists())
        self.assertEqual(files_under(self.media), [])
        self.post.refresh_from_db()
        self.assertEqual(
            (self.post.state, self.post.content_sha256, self.post.updated_at),
            (before.state, before.content_sha256, before.updated_at),
        )
        self.assertFalse(AuditEvent.objects.filter(action="staff.post_edited").exists())

    def test_a52_official_post_image_loses_gps_exif(self) -> None:
        original = photo_with_gps()
        with Image.open(io.BytesIO(original)) as uploaded:  # the test photo really does say where it was taken
            self.assertTrue(uploaded.getexif().get_ifd(0x8825))
            self.assertIn("xmp", uploaded.info)
        response = self._add(original)
        self.assertRedirects(response, f"/staff/posts/{self.post.pk}/")
        image = PostImage.objects.get()
        data = stored_bytes(image)
        with Image.open(io.BytesIO(data)) as kept:
            self.assertEqual(kept.format, "JPEG")
            self.assertEqual(len(kept.getexif()), 0)
            self.assertNotIn("exif", kept.info)
            self.assertNotIn("xmp", kept.info)
            self.assertEqual(kept.size, (64, 48))
        for trace in (b"Exif", b"PhoneCam", b"Jamie Rivers", b"xmpmeta"):
            self.assertNotIn(trace, data)
        self.assertEqual((image.content_type, image.width, image.height), ("image/jpeg", 64, 48))
        self.assertTrue(image.image.name.endswith(".jpg"))
        self.assertNotIn("IMG_0042", image.image.name)  # the uploader's file name is not kept either
        self.assertEqual(image.sha256, hashlib.sha256(data).hexdigest())

    def test_a52_the_image_served_for_an_official_post_is_the_clean_copy(self) -> None:
        self._add(photo_with_gps())
        image = PostImage.objects.get()
        page = self.client_for(self.teacher).get(f"/staff/posts/{self.post.pk}/")
        self.assertContains(page, 'alt="The fair"')
        response = Client().get(uploads.post_image_url(image))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, stored_bytes(image))
        with Image.open(io.BytesIO(response.content)) as served:
            self.assertEqual(len(served.getexif()), 0)

    def test_a52_a_file_that_is_not_an_image_is_refused_with_the_reason_and_nothing_is_saved(self) -> None:
        before = OfficialPost.objects.get(pk=self.post.pk)
        polyglots = {
            "web page named as a photo": (b"<html><script>alert(document.cookie)</script></html>", "photo.jpg"),
            "PNG signature with a script": (b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "photo.png"),
            "JPEG start with a script": (b"\xff\xd8\xff\xe0<script>alert(1)</script>", "photo.jpg"),
        }
        for label, (data, name) in polyglots.items():
            with self.subTest(label):
                self._assert_refused(self._add(data, name), NOT_AN_IMAGE, before)

    def test_a52_a_script_hidden_after_a_real_photo_is_not_kept(self) -> None:
        payload = b"<script>alert(document.cookie)</script>"
        self._add(photo_with_gps() + payload)
        self.assertNotIn(payload, stored_bytes(PostImage.objects.get()))

    def test_a52_a_png_with_transparency_stays_png(self) -> None:
        self._add(transparent_png(), "logo.png", "image/png")
        image = PostImage.objects.get()
        self.assertEqual(image.content_type, "image/png")
        self.assertTrue(image.image.name.endswith(".png"))
        with Image.open(io.BytesIO(stored_bytes(image))) as kept:
            self.assertEqual(kept.format, "PNG")
            self.assertEqual(kept.mode, "RGBA")
            self.assertEqual(kept.getpixel((0, 0))[3], 255)
            self.assertEqual(kept.getpixel((39, 0))[3], 0)

    def test_a52_a_gif_is_refused_with_a_plain_reason_the_form_gives_beforehand(self) -> None:
        page = self.client_for(self.teacher).get(f"/staff/posts/{self.post.pk}/")
        self.assertContains(page, "JPEG, PNG or WebP, up to 2.5 MB; GIF is not accepted.")
        before = OfficialPost.objects.get(pk=self.post.pk)
        self._assert_refused(self._add(gif(), "fair.gif", "image/gif"), GIF_REFUSED, before)

    def test_a52_the_stricter_official_post_size_limit_still_applies(self) -> None:
        before = OfficialPost.objects.get(pk=self.post.pk)
        too_big = photo_with_gps() + b"\x00" * MAX_IMAGE_BYTES
        self._assert_refused(self._add(too_big), TOO_LARGE, before)

    def test_a52_the_action_refuses_an_upload_that_was_not_re_encoded(self) -> None:
        with self.assertRaisesMessage(StaffActionError, "Only images checked and re-encoded"):
            add_image(self.post, image=upload(photo_with_gps()), alt_text="Fair", by=self.teacher)  # type: ignore[arg-type]
        self.assertFalse(PostImage.objects.exists())

    def test_a34_adding_an_image_after_approval_needs_approval_again_then_editing_the_text_does_too(self) -> None:
        submit_post(self.post, by=self.teacher)
        self._approve_through_pages()
        self.assertEqual(self.post.state, PostState.PUBLISHED)
        self.assertRedirects(self._add(photo_with_gps()), f"/staff/posts/{self.post.pk}/")
        self.post.refresh_from_db()
        self.assertEqual(self.post.state, PostState.SUBMITTED)
        self.assertEqual(list(approved_posts_for_site(self.site)), [])
        self.assertFalse(PostApproval.objects.filter(invalidated_at__isnull=True).exists())
        self._approve_through_pages()
        self.assertEqual(self.post.state, PostState.PUBLISHED)
        [published] = approved_posts_for_site(self.site)
        self.assertEqual([i.content_type for i in published.images.all()], ["image/jpeg"])
        edit_post(self.post, by=self.teacher, title="Science fair!", body=self.post.body, author_position="Teacher")
        self.assertEqual(self.post.state, PostState.SUBMITTED)
        approve_post(self.post, by=self.ict_manager, step="ict", seen_sha256=self.post.content_sha256)
        approve_post(self.post, by=self.head, step="head", seen_sha256=self.post.content_sha256)
        self.assertEqual(self.post.state, PostState.PUBLISHED)
        self.assertEqual(PostImage.objects.filter(post=self.post).count(), 1)

    def test_a34_outsiders_and_approvers_cannot_add_images_to_someone_elses_post(self) -> None:
        for person, status in ((self.outsider, 404), (self.moderator, 404), (self.head, 403)):
            with self.subTest(person=person.username):
                response = self._add(photo_with_gps(), client=self.client_for(person))
                self.assertEqual(response.status_code, status)
        self.assertFalse(PostImage.objects.exists())
        self.assertEqual(files_under(self.media), [])

    def test_a52_images_stored_before_re_encoding_are_cleaned_without_undoing_approvals(self) -> None:
        legacy = {"photo.jpg": photo_with_gps(), "fair.gif": gif()}
        for name, data in legacy.items():
            image = PostImage(post=self.post, alt_text=name, sha256=hashlib.sha256(data).hexdigest())
            image.image.save(name, ContentFile(data), save=True)
        old_files = sorted(files_under(self.media))
        OfficialPost.objects.filter(pk=self.post.pk).update(content_sha256=content_hash(self.post))
        submit_post(self.post, by=self.teacher)
        approve_post(self.post, by=self.ict_manager, step="ict", seen_sha256=self.post.content_sha256)
        migration = importlib.import_module("custos.staff.migrations.0003_re_encode_stored_post_images")
        with self.captureOnCommitCallbacks(execute=True):
            migration.re_encode(apps, None)
        photo, former_gif = PostImage.objects.order_by("pk")
        with Image.open(io.BytesIO(stored_bytes(photo))) as kept:
            self.assertEqual((kept.format, len(kept.getexif())), ("JPEG", 0))
            self.assertNotIn("xmp", kept.info)
        self.assertEqual(former_gif.content_type, "image/png")
        for path in old_files:
            self.assertFalse(os.path.exists(path))
        self.post.refresh_from_db()
        self.assertEqual(self.post.content_sha256, content_hash(self.post))
        # The ICT Manager's approval still counts for the same picture: the Head's approval publishes the post.
        approve_post(self.post, by=self.head, step="head", seen_sha256=self.post.content_sha256)
        self.assertEqual(self.post.state, PostState.PUBLISHED)
