"""Image files for the official-post image tests, made with Pillow as a school's camera or editor would."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Where the pupil lives, as a phone writes it into a photo's EXIF (GPS IFD 0x8825): latitude and longitude.
GPS = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:title="Jamie Rivers at home"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def photo_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG with EXIF (camera make, GPS position) and XMP naming a pupil."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam Ltd"  # Make
    exif[0x8825] = GPS
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG", exif=exif.tobytes(), xmp=XMP)
    return out.getvalue()


def transparent_png(size: tuple[int, int] = (40, 30)) -> bytes:
    image = Image.new("RGBA", size, (200, 30, 30, 0))
    image.paste((200, 30, 30, 255), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8), 1).save(out, format="GIF")
    return out.getvalue()


def upload(data: bytes, name: str = "IMG_0042.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)
