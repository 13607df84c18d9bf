"""Images stored before official-post images were re-encoded still carry their EXIF, GPS and XMP (A.5.2, 5.4):
re-encode them now with the same ``clean_image``, so the files on disk lose it too.

The picture does not change (only its hidden details), so the post's content hash and any approval that still
counts are moved to the new hash rather than sending approved posts back for approval. A GIF becomes a PNG of its
first frame. A file that is missing or cannot be read is left as it was (and still served only as bytes).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import migrations, transaction
from PIL import Image

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def _content_hash(post: Any) -> str:
    # The same sum as custos.staff.actions.content_hash, on the historical models.
    digest = hashlib.sha256()
    for part in (post.title, post.body, post.author_position):
        digest.update(part.encode("utf-8") + b"\x00")
    for image in post.images.order_by("pk"):
        digest.update(f"{image.sha256}:{image.alt_text}".encode() + b"\x00")
    return digest.hexdigest()


def _cleaned(raw: bytes) -> Any:
    from custos.community.images import ImageRejected, clean_image

    try:
        return clean_image(io.BytesIO(raw))
    except ImageRejected:
        if not raw.startswith((b"GIF87a", b"GIF89a")):
            return None
    try:
        with Image.open(io.BytesIO(raw)) as gif:
            frame = gif.convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    as_png = io.BytesIO()
    frame.save(as_png, format="PNG")
    as_png.seek(0)
    try:
        return clean_image(as_png)
    except ImageRejected:
        return None


def re_encode(apps: Any, schema_editor: Any) -> None:
    PostImage = apps.get_model("staff", "PostImage")
    OfficialPost = apps.get_model("staff", "OfficialPost")
    PostApproval = apps.get_model("staff", "PostApproval")
    touched: set[int] = set()
    for image in PostImage.objects.filter(content_type="").exclude(image=""):
        try:
            with image.image.open("rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        clean = _cleaned(raw)
        if clean is None:
            continue
        old_name = image.image.name
        storage = image.image.storage
        image.image.save(f"image.{EXTENSIONS[clean.content_type]}", ContentFile(clean.data), save=False)
        image.sha256 = hashlib.sha256(clean.data).hexdigest()
        image.content_type, image.width, image.height = clean.content_type, clean.width, clean.height
        image.save(update_fields=["image", "sha256", "content_type", "width", "height"])
        transaction.on_commit(lambda name=old_name, storage=storage: storage.delete(name))
        touched.add(image.post_id)
    for post in OfficialPost.objects.filter(pk__in=touched):
        old_hash, new_hash = post.content_sha256, _content_hash(post)
        OfficialPost.objects.filter(pk=post.pk).update(content_sha256=new_hash)
        PostApproval.objects.filter(post=post, content_sha256=old_hash, invalidated_at__isnull=True).update(
            content_sha256=new_hash
        )


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_post_image_re_encoded")]

    operations = [migrations.RunPython(re_encode, migrations.RunPython.noop, elidable=True)]
