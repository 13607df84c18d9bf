"""A.5.2: pupils are never identifiable to other pupils or external members; A.4.8: staff give name and position."""

from __future__ import annotations

import io

from django.urls import reverse
from PIL import Image

from custos.accounts.models import User
from custos.community.images import clean_image
from custos.community.models import Membership
from custos.community.tests.base import SpaceTestCase
from custos.moderation.actions import approve


class PupilNamesTests(SpaceTestCase):
    def real_names(self, *pupils: User) -> set[str]:
        names: set[str] = set()
        for user in pupils:
            record = user.pupil
            for name in (
                user.first_name, user.last_name, record.legal_first_name, record.legal_last_name,
                record.preferred_first_name, record.preferred_last_name,
            ):  # fmt: skip
                names |= {part for part in name.replace("-", " ").split() if len(part) > 2} | (
                    {name} if name else set()
                )
        return names

    def pages(self, viewer: User, items: list[int]) -> list[str]:
        pk = self.site.pk
        urls = [
            "/",
            reverse("community:mine"),
            reverse("community:space", args=[pk]),
            reverse("community:feed_json", args=[pk]),
            reverse("community:join", args=[pk]),
        ]
        for cid in items:
            urls += [reverse("community:contribution", args=[pk, cid]), reverse("community:report", args=[pk, cid])]
        client = self.client_for(viewer)
        pages = []
        for url in urls:
            response = client.get(url)
            self.assertIn(response.status_code, (200, 404), url)
            pages.append(response.content.decode())
        return pages

    def test_a52_a_pupils_real_names_never_appear_to_other_pupils_or_external_members(self) -> None:
        items = []
        for author, text in (
            (self.pupil, "Our plants grew"),
            (self.pupil2, "Mine grew more"),
            (self.external, "Well done"),
        ):
            item = self.screened(author, text)
            approve(item, by=self.moderator)
            items.append(item.pk)
        comment = self.screened(self.pupil2, "Thanks!", parent=type(item).objects.get(pk=items[0]))
        approve(comment, by=self.moderator)
        items.append(comment.pk)
        for viewer, others in (
            (self.pupil, [self.pupil2]),
            (self.pupil2, [self.pupil]),
            (self.external, [self.pupil, self.pupil2]),
        ):
            forbidden = self.real_names(*others)
            for html in self.pages(viewer, items):
                for name in forbidden:
                    self.assertNotIn(name, html, f"{name!r} shown to {viewer.username}")
            space = self.client_for(viewer).get(reverse("community:space", args=[self.site.pk])).content.decode()
            for other in others:
                self.assertIn(Membership.objects.get(site=self.site, user=other).pseudonym, space)

    def test_a48_staff_appear_with_their_name_and_position(self) -> None:
        item = self.screened(self.teacher, "Welcome to the club")
        approve(item, by=self.moderator)
        page = self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, "Teacher Persona, Science teacher")

    def test_a52_school_staff_can_tell_who_a_pseudonym_is(self) -> None:
        item = self.screened(self.pupil, "Hello")
        page = self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk]))
        self.assertContains(page, "pupil: Jamie Rivers")
        self.assertNotContains(page, "Jameson")
        self.assertTrue(item.pk)


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bool = False) -> io.BytesIO:
    image = Image.new("RGB", size, (10, 120, 200))
    out = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam Ltd"  # Make
        data[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
        extra["exif"] = data.tobytes()
    image.save(out, format=fmt, **extra)
    out.seek(0)
    out.name = "photo.txt"
    return out


class ImageTests(SpaceTestCase):
    def test_a52_uploaded_images_are_re_encoded_without_exif_or_gps(self) -> None:
        source = picture(exif=True)
        self.assertIn(b"SpyCam", source.getvalue())
        clean = clean_image(source)
        self.assertNotIn(b"SpyCam", clean.data)
        self.assertNotIn(b"Exif", clean.data)
        with Image.open(io.BytesIO(clean.data)) as reopened:
            self.assertFalse(reopened.getexif())
            self.assertEqual(reopened.size, (64, 48))

    def test_a52_images_are_accepted_by_content_not_by_name(self) -> None:
        response = self.client_for(self.pupil).post(
            reverse("community:contribute", args=[self.site.pk]),
            {"body": "", "image": picture("PNG"), "alt_text": "A blue square"},
        )
        self.assertEqual(response.status_code, 302)
        fake = io.BytesIO(b"GIF89a not really" + b"\0" * 100)
        fake.name = "photo.jpg"
        response = self.client_for(self.pupil2).post(
            reverse("community:contribute", args=[self.site.pk]), {"body": "x", "image": fake, "alt_text": "x"}
        )
        self.assertContains(response, "not an image we can read", status_code=400)

    def test_a52_oversized_and_giant_images_are_refused_with_a_clear_message(self) -> None:
        big = io.BytesIO(b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10))
        big.name = "big.jpg"
        response = self.client_for(self.pupil).post(
            reverse("community:contribute", args=[self.site.pk]), {"body": "x", "image": big, "alt_text": "x"}
        )
        self.assertContains(response, "larger than 5 MB", status_code=400)
        giant = picture("PNG", size=(6000, 5000))
        response = self.client_for(self.pupil).post(
            reverse("community:contribute", args=[self.site.pk]), {"body": "x", "image": giant, "alt_text": "x"}
        )
        self.assertContains(response, "25 megapixels", status_code=400)

    def test_a52_images_are_served_only_to_those_who_may_read_the_contribution(self) -> None:
        self.client_for(self.pupil).post(
            reverse("community:contribute", args=[self.site.pk]),
            {"body": "My diagram", "image": picture(), "alt_text": "Diagram"},
        )
        from custos.community.models import Contribution
        from custos.tasks.worker import run_once

        run_once()
        item = Contribution.objects.get()
        url = reverse("community:image", args=[self.site.pk, item.pk])
        self.assertEqual(self.client_for(self.pupil2).get(url).status_code, 404)  # pending
        own = self.client_for(self.pupil).get(url, follow=True)
        self.assertEqual(own.status_code, 200)
        approve(item, by=self.moderator)
        response = self.client_for(self.pupil2).get(url, follow=True)
        self.assertEqual(response.redirect_chain[0][0].split("/")[1], "files")  # a signed link (issue 9)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response["Content-Disposition"].startswith("attachment; "))
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 404)


class ImageEdgeTests(SpaceTestCase):
    def test_a52_webp_is_accepted_and_re_encoded(self) -> None:
        clean = clean_image(picture("WEBP"))
        self.assertEqual(clean.content_type, "image/jpeg")

    def test_a52_transparent_png_stays_png_without_text_chunks(self) -> None:
        from PIL import PngImagePlugin

        image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Jameson Rivers-Legal")
        out = io.BytesIO()
        image.save(out, format="PNG", pnginfo=info)
        out.seek(0)
        self.assertIn(b"Jameson", out.getvalue())
        clean = clean_image(out)
        self.assertEqual(clean.content_type, "image/png")
        self.assertNotIn(b"Jameson", clean.data)

    def test_a52_a_decompression_bomb_is_refused_before_decoding(self) -> None:
        from custos.community.images import ImageRejected

        # A tiny file that claims 20000 x 20000 pixels (400 megapixels).
        bomb = picture("PNG", size=(1, 1)).getvalue()
        import zlib

        ihdr = b"IHDR" + (20000).to_bytes(4, "big") + (20000).to_bytes(4, "big") + bomb[24:29]
        bomb = bomb[:12] + ihdr + zlib.crc32(ihdr).to_bytes(4, "big") + bomb[33:]
        with self.assertRaisesMessage(ImageRejected, "megapixels"):
            clean_image(io.BytesIO(bomb))

    def test_a52_a_truncated_image_gets_a_clear_message(self) -> None:
        from custos.community.images import ImageRejected

        data = picture().getvalue()[:200]
        with self.assertRaisesMessage(ImageRejected, "not an image we can read"):
            clean_image(io.BytesIO(data))
