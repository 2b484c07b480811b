"""Photos from phones: accept images only, within a size limit, and store a re-encoded copy
that carries no metadata at all (EXIF GPS position, device, time), turned upright first."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2048  # enough to see a broken lamp; keeps pages light on a weak connection
# A phone photo is 12–50 megapixels; a small file that claims far more is a decompression bomb
# (a 20000×20000 PNG of one colour is a few hundred KB and 1.2 GB once decoded).
MAX_PIXELS = 64_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "MPO": "jpg"}
MAX_PHOTOS = 6


def clean_photo(upload) -> ContentFile:
    if upload.size > MAX_BYTES:
        raise ValidationError(_("图片不能超过10MB。"), code="too_large")
    try:
        upload.seek(0)
        image = Image.open(upload)  # reads the header only
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("图片尺寸过大（超过6400万像素）。"), code="too_many_pixels")
        image.verify()  # detects truncated or non-image files
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except Image.DecompressionBombError:
        raise ValidationError(_("图片尺寸过大（超过6400万像素）。"), code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("只能上传图片（JPG、PNG、WebP）。"), code="not_image") from None
    if image.format not in FORMATS:
        raise ValidationError(_("只能上传图片（JPG、PNG、WebP）。"), code="not_image")
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # A fresh image from the pixels alone: no EXIF, XMP, ICC or text chunks survive.
    mode = "RGB" if image.mode not in ("RGB", "RGBA", "L") else image.mode
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    out = BytesIO()
    if FORMATS[image.format or "JPEG"] == "png" and mode in ("RGBA", "L", "RGB"):
        clean.save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        clean.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext = "jpg"
    return ContentFile(out.getvalue(), name=f"photo.{ext}")


def clean_photos(uploads) -> list[ContentFile]:
    uploads = list(uploads)
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("最多上传%(n)s张图片。") % {"n": MAX_PHOTOS}, code="too_many")
    return [clean_photo(u) for u in uploads]
