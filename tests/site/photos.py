"""Test pictures made with Pillow: a phone photo with EXIF GPS, XMP and a comment."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>'
    b'<rdf:Description GPSLatitude="30,15.5N"/></rdf:RDF></x:xmpmeta>'
)


def phone_photo(width: int = 1200, height: int = 900, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: GPS position, time, camera, an XMP packet, a comment."""
    image = Image.new("RGB", (width, height), (40, 120, 200))
    pen = ImageDraw.Draw(image)
    for x in range(0, width, 40):  # stripes: detail that a blur removes
        pen.rectangle([x, 0, x + 19, height], fill=(250, 250, 250))
    pen.rectangle([0, 0, width // 4, height // 4], fill=(200, 30, 30))  # a red corner
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:11:30 15:04:05"  # DateTime
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 30.0), 3: "E", 4: (120.0, 9.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, xmp=XMP, comment=b"taken at Mrs Wang's home")
    return out.getvalue()


def has_metadata(data: bytes) -> list[str]:
    """What metadata a picture file still carries (empty: none)."""
    found = []
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if len(exif):
            found.append("exif")
        if exif.get_ifd(GPS_IFD):
            found.append("gps")
        for key in ("xmp", "XML:com.adobe.xmp", "comment", "exif", "icc_profile"):
            if image.info.get(key):
                found.append(key)
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"adobe:ns:meta", b"Mrs Wang"):
        if marker in data:
            found.append(marker.decode("latin-1"))
    return found
