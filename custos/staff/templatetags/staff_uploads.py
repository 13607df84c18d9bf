from typing import Any

from django import template

from custos.lib import uploads

register = template.Library()


@register.filter
def post_image_url(image: Any) -> str:
    """A short-lived link on the media origin; the page showing it has already checked the viewer (A.3.4)."""
    return uploads.post_image_url(image)
