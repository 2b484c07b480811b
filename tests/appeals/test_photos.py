"""Photos: images only, size-limited, location metadata stripped before storing, served in scope."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from linli.core.images import clean_photo


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 52.0, 12.0), 3: "E", 4: (117.0, 17.0, 30.0)}  # GPSInfo
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="p.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_fixture_really_has_gps():
    assert Image.open(BytesIO(jpeg_with_gps())).getexif().get_ifd(0x8825)


def test_location_and_device_are_stripped():
    cleaned = Image.open(BytesIO(clean_photo(upload(jpeg_with_gps())).read()))
    exif = cleaned.getexif()
    assert not exif.get_ifd(0x8825) and 0x010F not in exif
    assert not cleaned.info.get("exif")


def test_big_images_are_scaled_down():
    cleaned = Image.open(BytesIO(clean_photo(upload(jpeg_with_gps((5000, 3000)))).read()))
    assert max(cleaned.size) == 2048


@hsettings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000))
def test_anything_that_is_not_an_image_is_refused(data):
    with pytest.raises(ValidationError):
        clean_photo(upload(data, "x.jpg"))


def test_size_limit():
    big = upload(b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError):
        clean_photo(big)


def test_intake_and_resolution_photos_are_stored_clean_and_served_in_scope(world, new_appeal, login):
    a = new_appeal(photos=[upload(jpeg_with_gps())])
    photo = a.photos.get()
    stored = Image.open(photo.image.open("rb"))
    assert not stored.getexif().get_ifd(0x8825)
    url = f"/appeals/{a.pk}/photos/{photo.pk}/"
    assert login(world.user("gridworker")).get(url).status_code == 200
    assert login(world.user("far_staff")).get(url).status_code == 404
    assert login(world.user("other_gridworker")).get(url).status_code == 404


def test_a_bad_photo_stops_the_report_and_saves_nothing(world, new_appeal):
    from linli.appeals.models import Appeal

    with pytest.raises(ValidationError) as e:
        new_appeal(photos=[upload(b"not an image")])
    assert "photos" in e.value.message_dict
    assert not Appeal.objects.exists()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_not_decoded():
    """Regression (access issue #13): a 20000×20000 PNG is a clear 400-style refusal."""
    with pytest.raises(ValidationError) as e:
        clean_photo(upload(png_claiming(20000, 20000), name="bomb.png"))
    assert e.value.code == "too_many_pixels"
