"""Pictures the program engine draws with PIL: the default slate, the lower third, frame stamps.

Everything here works on yuv420p planes held as PIL "L" images (no numpy): `Planes` is one
picture, `Overlay` a picture with an alpha mask pasted over part of a `Planes`. Rendering text
is slow (milliseconds), so slates and lower thirds are rendered once and cached by their text.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
SLATE_BACKGROUND = (18, 24, 38)
SLATE_ACCENT = (220, 38, 38)
LOWER_THIRD_BAR = (15, 23, 42, 215)
LOWER_THIRD_TAG = (220, 38, 38, 255)

# Frame stamp: STAMP_BITS cells in a row at the top-left corner, each STAMP_CELL of the width
# and STAMP_ROW of the height, white for 1 and black for 0, between two white guard cells.
STAMP_BITS = 16
STAMP_CELL = 1 / 24
STAMP_ROW = 1 / 14


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first installed font of the candidates (CJK capable first), PIL's bitmap font else."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default()


@dataclass
class Planes:
    """One yuv420p picture as three PIL "L" images (Y full size, U and V half size).

    The raw I420 bytes and an `av.VideoFrame` of the picture are kept once made (PIL's
    `tobytes` costs milliseconds at 720p): a picture shown for many ticks (a slate, a source
    that sends fewer frames than the program) is converted once. Whatever changes the images
    must call `touch()` (the methods here do)."""

    y: Image.Image
    u: Image.Image
    v: Image.Image
    _raw: bytes | None = field(default=None, repr=False, compare=False)
    _frame: av.VideoFrame | None = field(default=None, repr=False, compare=False)

    def touch(self) -> None:
        """The images changed: forget the cached bytes and frame."""
        self._raw = None
        self._frame = None

    @property
    def size(self) -> tuple[int, int]:
        return self.y.size

    @classmethod
    def from_frame(cls, frame: av.VideoFrame) -> Planes:
        """Copy a yuv420p frame's planes (line padding removed)."""
        images = []
        chunks = []
        unpadded = True
        for index, plane in enumerate(frame.planes):
            width = frame.width if index == 0 else (frame.width + 1) // 2
            height = frame.height if index == 0 else (frame.height + 1) // 2
            data = bytes(plane)
            unpadded = unpadded and plane.line_size == width
            chunks.append(data[: width * height])
            images.append(
                Image.frombuffer("L", (width, height), data, "raw", "L", plane.line_size, 1)
            )
        planes = cls(images[0], images[1], images[2])
        if unpadded:
            planes._raw = b"".join(chunks)
            planes._frame = frame
        return planes

    @classmethod
    def from_image(cls, image: Image.Image) -> Planes:
        """An RGB(A) picture in video (limited range, BT.601) yuv420p."""
        frame = av.VideoFrame.from_image(image.convert("RGB")).reformat(format="yuv420p")
        return cls.from_frame(frame)

    @classmethod
    def black(cls, width: int, height: int) -> Planes:
        return cls(
            Image.new("L", (width, height), 16),
            Image.new("L", ((width + 1) // 2, (height + 1) // 2), 128),
            Image.new("L", ((width + 1) // 2, (height + 1) // 2), 128),
        )

    def copy(self) -> Planes:
        return Planes(self.y.copy(), self.u.copy(), self.v.copy())

    def paste(self, other: Planes, x: int, y: int) -> None:
        """Put `other` with its top-left corner at (x, y) (both even)."""
        self.touch()
        self.y.paste(other.y, (x, y))
        self.u.paste(other.u, (x // 2, y // 2))
        self.v.paste(other.v, (x // 2, y // 2))

    def blend(self, other: Planes, alpha: float) -> Planes:
        """(1 - alpha) of this picture and alpha of `other` (same size)."""
        return Planes(
            Image.blend(self.y, other.y, alpha),
            Image.blend(self.u, other.u, alpha),
            Image.blend(self.v, other.v, alpha),
        )

    def to_bytes(self) -> bytes:
        """Raw I420, as `ffmpeg -f rawvideo -pix_fmt yuv420p` reads it."""
        if self._raw is None:
            self._raw = self.y.tobytes() + self.u.tobytes() + self.v.tobytes()
        return self._raw

    def to_frame(self) -> av.VideoFrame:
        """The picture as a yuv420p frame (the same object until the picture changes)."""
        if self._frame is None:
            self._frame = self._make_frame()
        return self._frame

    def _make_frame(self) -> av.VideoFrame:
        width, height = self.size
        frame = av.VideoFrame(width, height, "yuv420p")
        raw = self.to_bytes()
        offset = 0
        for plane, image in zip(frame.planes, (self.y, self.u, self.v), strict=True):
            row = image.size[0]
            data = raw[offset : offset + row * image.size[1]]
            offset += len(data)
            if plane.line_size == row:
                plane.update(data + bytes(plane.buffer_size - len(data)))
            else:
                padded = bytearray(plane.buffer_size)
                for line in range(image.size[1]):
                    padded[line * plane.line_size : line * plane.line_size + row] = data[
                        line * row : (line + 1) * row
                    ]
                plane.update(bytes(padded))
        return frame


@dataclass
class Overlay:
    """A picture with transparency, ready to paste over `Planes` at row `top`."""

    planes: Planes
    mask: Image.Image
    chroma_mask: Image.Image
    top: int

    def apply(self, target: Planes) -> None:
        target.touch()
        target.y.paste(self.planes.y, (0, self.top), self.mask)
        target.u.paste(self.planes.u, (0, self.top // 2), self.chroma_mask)
        target.v.paste(self.planes.v, (0, self.top // 2), self.chroma_mask)

    @classmethod
    def from_rgba(cls, image: Image.Image, top: int) -> Overlay:
        width, height = image.size
        alpha = image.getchannel("A")
        return cls(
            planes=Planes.from_image(image),
            mask=alpha,
            chroma_mask=alpha.resize(((width + 1) // 2, (height + 1) // 2)),
            top=top - top % 2,
        )


def _fit_text(
    draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The largest font up to `size` in which `text` fits `max_width`."""
    while size > 8:
        candidate = font(size)
        if draw.textlength(text, font=candidate) <= max_width:
            return candidate
        size = int(size * 0.85)
    return font(8)


@functools.lru_cache(maxsize=8)
def default_slate(width: int, height: int, title: str, subtitle: str) -> Planes:
    """The station card shown when nothing else is on air: name, a red bar, a line of text."""
    image = Image.new("RGB", (width, height), SLATE_BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = width // 12
    bar_top = height // 2 - height // 40
    draw.rectangle(
        (margin, bar_top, margin + width // 6, bar_top + max(2, height // 90)), fill=SLATE_ACCENT
    )
    title_font = _fit_text(draw, title, height // 8, width - 2 * margin)
    draw.text((margin, bar_top - height // 40), title, font=title_font, fill="white", anchor="ld")
    sub_font = _fit_text(draw, subtitle, height // 18, width - 2 * margin)
    draw.text(
        (margin, bar_top + height // 12), subtitle, font=sub_font, fill=(203, 213, 225), anchor="ls"
    )
    return Planes.from_image(image)


def image_slate(data: bytes, width: int, height: int) -> Planes:
    """An uploaded slate picture, letterboxed to the program size (blocking: call in a thread)."""
    with Image.open(io.BytesIO(data)) as source:
        source.load()
        picture = source.convert("RGB")
    scale = min(width / picture.width, height / picture.height)
    scaled = (max(2, int(picture.width * scale)), max(2, int(picture.height * scale)))
    canvas = Image.new("RGB", (width, height), (0, 0, 0))
    canvas.paste(
        picture.resize(scaled, Image.Resampling.BILINEAR),
        ((width - scaled[0]) // 2, (height - scaled[1]) // 2),
    )
    return Planes.from_image(canvas)


@functools.lru_cache(maxsize=16)
def lower_third(width: int, height: int, name: str, location: str, story: str) -> Overlay:
    """The reporter's name, location and story title in a bar over the bottom of the picture."""
    bar_height = max(24, height // 6) // 2 * 2
    image = Image.new("RGBA", (width, bar_height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = width // 24
    draw.rectangle((margin, 0, width - margin, bar_height - bar_height // 6), fill=LOWER_THIRD_BAR)
    draw.rectangle(
        (margin, 0, margin + max(4, width // 160), bar_height - bar_height // 6),
        fill=LOWER_THIRD_TAG,
    )
    text_left = margin + max(4, width // 160) + width // 60
    text_width = width - margin - text_left - width // 60
    line = bar_height - bar_height // 6
    first = " · ".join(part for part in (name, location) if part)
    first_font = _fit_text(draw, first, line * 2 // 5, text_width)
    draw.text((text_left, line * 9 // 20), first, font=first_font, fill="white", anchor="ls")
    if story:
        story_font = _fit_text(draw, story, line * 3 // 10, text_width)
        draw.text(
            (text_left, line * 17 // 20), story, font=story_font, fill=(203, 213, 225), anchor="ls"
        )
    return Overlay.from_rgba(image, top=height - bar_height - height // 20)


# --- frame stamps (the latency benchmark and the tests) ------------------------------------------
def stamp_geometry(width: int, height: int) -> tuple[int, int]:
    """Cell width and height of the stamp in a picture of this size."""
    return max(2, int(width * STAMP_CELL)), max(2, int(height * STAMP_ROW))


def draw_stamp(planes: Planes, value: int) -> None:
    """Write `value` (STAMP_BITS bits) into the top-left corner of the luma plane."""
    planes.touch()
    cell_w, cell_h = stamp_geometry(*planes.size)
    bits = [1, *[(value >> (STAMP_BITS - 1 - i)) & 1 for i in range(STAMP_BITS)], 1]
    for index, bit in enumerate(bits):
        planes.y.paste(235 if bit else 16, (index * cell_w, 0, (index + 1) * cell_w, cell_h))
    grey = Image.new("L", ((len(bits) * cell_w + 1) // 2, (cell_h + 1) // 2), 128)
    planes.u.paste(grey, (0, 0))
    planes.v.paste(grey, (0, 0))


def read_stamp(luma: Image.Image) -> int | None:
    """The value stamped in a (decoded, maybe scaled) picture's luma, or None if there is none."""
    width, height = luma.size
    cell_w, cell_h = width * STAMP_CELL, height * STAMP_ROW
    cells: list[float] = []
    for index in range(STAMP_BITS + 2):
        x = int((index + 0.5) * cell_w)
        y = int(cell_h / 2)
        value = luma.getpixel((x, y))
        if not isinstance(value, int | float):
            # A many-band picture gives tuples, which never compared with a number anyway.
            raise TypeError(f"read_stamp needs a one-band (L) picture, not {luma.mode}")
        cells.append(value)
    if not (cells[0] > 160 and cells[-1] > 160):
        return None
    result = 0
    for value in cells[1:-1]:
        if 60 < value < 160:
            return None  # neither black nor white: not a stamp
        result = (result << 1) | (1 if value >= 128 else 0)
    return result


def frame_luma(frame: av.VideoFrame) -> Image.Image:
    """The luma plane of a decoded frame as an "L" image (for `read_stamp`)."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(format="yuv420p")
    return Planes.from_frame(frame).y
