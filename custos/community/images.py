"""Uploaded images: checked by content, never by name, and re-encoded so no metadata survives (A.5.2).

Pupils' photos carry EXIF and GPS that can identify them and say where they live; re-encoding the pixels into
a fresh file drops all of it. Limits stop oversized files and decompression bombs before they are decoded.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ImageRejected(ValueError):
    """A clear, specific reason the upload was refused (A.5.1, A.5.2)."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_image(upload: IO[bytes], *, size: int | None = None) -> CleanImage:
    """Check ``upload`` and return it re-encoded (JPEG for photos, PNG where there is transparency)."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES or (size is not None and size > MAX_BYTES):
        raise ImageRejected("The image is larger than 5 MB. Make it smaller and try again.")
    if not raw:
        raise ImageRejected("The image file is empty.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw)) as probe:
                image_format = probe.format or ""
                width, height = probe.size
                if image_format not in ACCEPTED_FORMATS:
                    raise ImageRejected("Only JPEG, PNG and WebP images can be uploaded.")
                if width * height > MAX_PIXELS:
                    raise ImageRejected(
                        f"The image is {width} × {height} pixels; the most allowed is 25 megapixels. Make it smaller."
                    )
                probe.load()
                image = ImageOps.exif_transpose(probe)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRejected("The image has too many pixels to be opened safely (over 25 megapixels).") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ImageRejected("That file is not an image we can read. Upload a JPEG, PNG or WebP image.") from error
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    # A fresh image holding only the pixels: no EXIF, GPS, XMP, ICC profile or text chunks come across.
    pixels = image.convert("RGBA" if has_alpha else "RGB")
    fresh = Image.new(pixels.mode, pixels.size)
    fresh.paste(pixels)
    out = io.BytesIO()
    if has_alpha:
        fresh.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        fresh.save(out, format="JPEG", quality=85)
        content_type = "image/jpeg"
    return CleanImage(out.getvalue(), content_type, fresh.width, fresh.height)
