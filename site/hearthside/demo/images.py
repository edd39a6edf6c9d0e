"""Illustrations for the demo content, drawn with Pillow at run time.

Nothing is downloaded: each picture is a warm gradient, one simple subject
(a cup, a loaf, a kettle...) and a scatter of details. Positions and details
come from a seed derived from the picture's name, so a rebuild draws the same
pictures byte for byte.
"""

from __future__ import annotations

import io
import math
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1000
LOGO_SIZE = 512
# ImageDraw does not anti-alias, so shapes are drawn at twice the size and
# scaled down, which smooths their edges.
SUPERSAMPLE = 2
# Soft shadows are blurred on a small copy: blurring at full size is slow and
# a shadow has no detail to lose.
SHADOW_SCALE = 8
JPEG_QUALITY = 84
TABLE_TOP = 640

RGB = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Palette:
    sky_top: RGB
    sky_bottom: RGB
    table: RGB
    main: RGB  # the subject's body
    shade: RGB  # its darker side and details
    accent: RGB  # a second colour: coffee, icing, leaves, stripes
    light: RGB  # highlights, steam, flour, window glow


PALETTES = {
    "espresso": Palette(
        sky_top=(58, 37, 33),
        sky_bottom=(139, 86, 62),
        table=(92, 58, 40),
        main=(238, 226, 210),
        shade=(176, 150, 128),
        accent=(92, 54, 34),
        light=(255, 241, 222),
    ),
    "crust": Palette(
        sky_top=(251, 228, 194),
        sky_bottom=(233, 168, 112),
        table=(150, 98, 60),
        main=(198, 128, 62),
        shade=(122, 72, 38),
        accent=(242, 204, 146),
        light=(255, 247, 232),
    ),
    "apple": Palette(
        sky_top=(255, 216, 172),
        sky_bottom=(212, 106, 74),
        table=(118, 72, 52),
        main=(236, 190, 122),
        shade=(152, 62, 50),
        accent=(255, 240, 226),
        light=(255, 250, 242),
    ),
    "sage": Palette(
        sky_top=(228, 234, 212),
        sky_bottom=(158, 180, 140),
        table=(186, 160, 120),
        main=(204, 112, 72),
        shade=(120, 70, 50),
        accent=(86, 134, 80),
        light=(250, 248, 236),
    ),
    "berry": Palette(
        sky_top=(250, 212, 206),
        sky_bottom=(188, 92, 112),
        table=(112, 62, 72),
        main=(244, 222, 204),
        shade=(150, 70, 90),
        accent=(178, 40, 72),
        light=(255, 245, 240),
    ),
    "dusk": Palette(
        sky_top=(44, 52, 84),
        sky_bottom=(214, 124, 92),
        table=(84, 72, 78),
        main=(178, 108, 80),
        shade=(72, 46, 46),
        accent=(214, 82, 60),
        light=(255, 222, 152),
    ),
    "honey": Palette(
        sky_top=(255, 238, 184),
        sky_bottom=(240, 170, 82),
        table=(170, 110, 60),
        main=(216, 152, 72),
        shade=(140, 84, 40),
        accent=(92, 60, 40),
        light=(255, 249, 226),
    ),
    "copper": Palette(
        sky_top=(250, 234, 216),
        sky_bottom=(214, 142, 102),
        table=(100, 70, 60),
        main=(196, 110, 60),
        shade=(120, 60, 35),
        accent=(62, 42, 32),
        light=(255, 241, 226),
    ),
    "morning": Palette(
        sky_top=(202, 226, 240),
        sky_bottom=(250, 222, 192),
        table=(190, 150, 110),
        main=(238, 230, 216),
        shade=(150, 120, 100),
        accent=(112, 72, 46),
        light=(255, 255, 250),
    ),
}


def mix(color: RGB, other: RGB, amount: float) -> RGB:
    return tuple(round(a + (b - a) * amount) for a, b in zip(color, other, strict=True))  # type: ignore[return-value]


def with_alpha(color: RGB, alpha: int) -> tuple[int, int, int, int]:
    return (*color, alpha)


def oval(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, steps: int = 48) -> list[Point]:
    """The outline of an ellipse turned by ``angle`` radians, as a polygon."""
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    points = []
    for i in range(steps):
        t = 2 * math.pi * i / steps
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * cos_a - y * sin_a, cy + x * sin_a + y * cos_a))
    return points


def leaf(x: float, y: float, length: float, width: float, angle: float, steps: int = 16) -> list[Point]:
    """A pointed leaf growing from (x, y) in direction ``angle``."""
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    half = [(length * i / steps, width / 2 * math.sin(math.pi * i / steps)) for i in range(steps + 1)]
    outline = half + [(u, -v) for u, v in reversed(half)]
    return [(x + u * cos_a - v * sin_a, y + u * sin_a + v * cos_a) for u, v in outline]


class Sketch:
    """Drawing in 1600x1000 coordinates on a supersampled picture."""

    def __init__(self, top: RGB, bottom: RGB):
        big = (WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE)
        ramp = Image.linear_gradient("L").resize((1, big[1]))
        bands = [
            ramp.point(lambda v, a=a, b=b: a + (b - a) * v / 255) for a, b in zip(top, bottom, strict=True)
        ]
        self.image = Image.merge("RGB", bands).resize(big, Image.NEAREST)
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    @staticmethod
    def _scaled(points: list[Point]) -> list[Point]:
        return [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in points]

    @staticmethod
    def _box(cx: float, cy: float, rx: float, ry: float) -> list[float]:
        return [
            (cx - rx) * SUPERSAMPLE,
            (cy - ry) * SUPERSAMPLE,
            (cx + rx) * SUPERSAMPLE,
            (cy + ry) * SUPERSAMPLE,
        ]

    def polygon(self, points: list[Point], fill) -> None:
        self.draw.polygon(self._scaled(points), fill=fill)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill=None, outline=None, width: float = 0):
        self.draw.ellipse(
            self._box(cx, cy, rx, ry), fill=fill, outline=outline, width=round(width * SUPERSAMPLE)
        )

    def rectangle(self, x0: float, y0: float, x1: float, y1: float, fill, radius: float = 0) -> None:
        box = [x0 * SUPERSAMPLE, y0 * SUPERSAMPLE, x1 * SUPERSAMPLE, y1 * SUPERSAMPLE]
        self.draw.rounded_rectangle(box, radius=radius * SUPERSAMPLE, fill=fill)

    def line(self, points: list[Point], fill, width: float) -> None:
        self.draw.line(self._scaled(points), fill=fill, width=round(width * SUPERSAMPLE), joint="curve")

    def arc(self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill, width: float):
        self.draw.arc(self._box(cx, cy, rx, ry), start, end, fill=fill, width=round(width * SUPERSAMPLE))

    def shadow(self, cx: float, cy: float, rx: float, ry: float, strength: float = 0.35) -> None:
        margin = 4 * SHADOW_SCALE  # room for the blur to fade out
        left, top = cx - rx - margin, cy - ry - margin
        small = (round((2 * (rx + margin)) / SHADOW_SCALE), round((2 * (ry + margin)) / SHADOW_SCALE))
        mask = Image.new("L", small, 0)
        ImageDraw.Draw(mask).ellipse(
            [
                margin / SHADOW_SCALE,
                margin / SHADOW_SCALE,
                small[0] - margin / SHADOW_SCALE,
                small[1] - margin / SHADOW_SCALE,
            ],
            fill=round(255 * strength),
        )
        mask = mask.filter(ImageFilter.GaussianBlur(3))
        mask = mask.resize(
            (small[0] * SHADOW_SCALE * SUPERSAMPLE, small[1] * SHADOW_SCALE * SUPERSAMPLE), Image.BILINEAR
        )
        self.image.paste((20, 12, 8), (round(left * SUPERSAMPLE), round(top * SUPERSAMPLE)), mask=mask)

    def render(self) -> Image.Image:
        return self.image.reduce(SUPERSAMPLE)


# Pieces shared by several subjects.


def glow_spots(sketch: Sketch, palette: Palette, rng: random.Random, count: int = 9) -> None:
    """Out-of-focus lights in the background, like a café seen past the subject."""
    for _ in range(count):
        radius = rng.uniform(40, 140)
        sketch.ellipse(
            rng.uniform(0, WIDTH),
            rng.uniform(0, TABLE_TOP - 60),
            radius,
            radius,
            fill=with_alpha(palette.light, rng.randint(18, 48)),
        )


def tabletop(sketch: Sketch, palette: Palette) -> None:
    top = TABLE_TOP
    sketch.polygon([(0, top), (WIDTH, top), (WIDTH, HEIGHT), (0, HEIGHT)], fill=palette.table)
    sketch.polygon(
        [(0, top + 120), (WIDTH, top + 90), (WIDTH, HEIGHT), (0, HEIGHT)],
        fill=with_alpha(mix(palette.table, (0, 0, 0), 0.25), 120),
    )
    sketch.line([(0, top), (WIDTH, top)], fill=with_alpha(palette.light, 70), width=4)


def steam(
    sketch: Sketch, palette: Palette, rng: random.Random, x: float, y: float, spread: float = 60
) -> None:
    for offset in (-spread, 0, spread):
        phase = rng.uniform(0, math.pi * 2)
        points = [(x + offset + 22 * math.sin(step / 5 + phase), y - step * 11) for step in range(0, 24)]
        sketch.line(points, fill=with_alpha(palette.light, 120), width=12)


def coffee_bean(sketch: Sketch, x: float, y: float, size: float, angle: float, colour: RGB) -> None:
    sketch.polygon(oval(x, y, size, size * 0.68, angle), fill=colour)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    crease = []
    for i in range(-6, 7):
        u = size * 0.8 * i / 6
        v = size * 0.12 * math.sin(math.pi * i / 6)
        crease.append((x + u * cos_a - v * sin_a, y + u * sin_a + v * cos_a))
    sketch.line(crease, fill=mix(colour, (0, 0, 0), 0.45), width=max(2, size * 0.12))
    highlight = oval(x - size * 0.25 * sin_a, y - size * 0.3, size * 0.45, size * 0.18, angle)
    sketch.polygon(highlight, fill=(255, 255, 255, 40))


def scattered_beans(
    sketch: Sketch, rng: random.Random, count: int, colour: RGB, avoid: tuple[float, float]
) -> None:
    """Beans on the table, kept clear of the subject standing between ``avoid``'s x bounds."""
    for _ in range(count):
        x = rng.choice([rng.uniform(60, avoid[0]), rng.uniform(avoid[1], WIDTH - 60)])
        coffee_bean(
            sketch,
            x,
            rng.uniform(TABLE_TOP + 120, HEIGHT - 50),
            rng.uniform(18, 26),
            rng.uniform(0, math.pi),
            colour,
        )


def crumbs(sketch: Sketch, rng: random.Random, colour: RGB, count: int = 30) -> None:
    for _ in range(count):
        size = rng.uniform(3, 9)
        sketch.ellipse(
            rng.uniform(80, WIDTH - 80),
            rng.uniform(TABLE_TOP + 110, HEIGHT - 30),
            size,
            size * 0.7,
            fill=colour,
        )


def striped_awning(
    sketch: Sketch, palette: Palette, left: float, right: float, top: float, depth: float, stripes: int
) -> None:
    """A scalloped canvas awning, its stripes fanning out towards the front."""
    overhang = 40
    step_top = (right - left) / stripes
    step_front = (right - left + 2 * overhang) / stripes
    scallop = step_front / 2
    for i in range(stripes):
        colour = palette.accent if i % 2 == 0 else palette.light
        x0, x1 = left + i * step_top, left + (i + 1) * step_top
        f0, f1 = left - overhang + i * step_front, left - overhang + (i + 1) * step_front
        sketch.polygon([(x0, top), (x1, top), (f1, top + depth), (f0, top + depth)], fill=colour)
        sketch.ellipse((f0 + f1) / 2, top + depth, scallop, scallop * 0.8, fill=colour)
    sketch.polygon(
        [
            (left, top),
            (right, top),
            (right + overhang, top + depth * 0.35),
            (left - overhang, top + depth * 0.35),
        ],
        fill=(0, 0, 0, 30),
    )


# The subjects. Each draws everything above the background gradient.


def draw_cup(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-180, 180)
    sketch.shadow(cx + 40, 760, 360, 55)
    sketch.ellipse(cx, 735, 310, 62, fill=mix(palette.main, palette.shade, 0.35))
    sketch.ellipse(cx, 725, 300, 56, fill=palette.main)
    sketch.ellipse(cx, 722, 190, 32, fill=mix(palette.main, palette.shade, 0.3))
    sketch.ellipse(cx + 205, 565, 72, 66, outline=palette.main, width=30)
    rim_y, bottom_y, rim_half, base_half = 450.0, 705.0, 200.0, 130.0
    left_side, right_side = [], []
    for i in range(21):
        t = i / 20
        half = rim_half - (rim_half - base_half) * t**2
        y = rim_y + (bottom_y - rim_y) * t
        left_side.append((cx - half, y))
        right_side.append((cx + half, y))
    bottom = [
        (cx + base_half * math.cos(a / 10 * math.pi), bottom_y + 26 * math.sin(a / 10 * math.pi))
        for a in range(11)
    ]
    sketch.polygon(right_side + bottom[1:-1] + list(reversed(left_side)), fill=palette.main)
    sketch.polygon(
        [(x - 70, y) for x, y in right_side[:-2]] + list(reversed(right_side[:-2])),
        fill=with_alpha(palette.shade, 70),
    )
    sketch.polygon(
        [
            (cx - 160, rim_y + 40),
            (cx - 130, rim_y + 40),
            (cx - 105, bottom_y - 40),
            (cx - 120, bottom_y - 40),
        ],
        fill=with_alpha(palette.light, 110),
    )
    sketch.ellipse(cx, rim_y, rim_half, 40, fill=mix(palette.main, palette.light, 0.5))
    sketch.ellipse(cx, rim_y + 4, rim_half - 18, 30, fill=palette.accent)
    sketch.ellipse(cx, rim_y + 4, rim_half - 60, 18, fill=mix(palette.accent, palette.light, 0.35))
    sketch.polygon(leaf(cx - 50, rim_y + 4, 100, 26, 0), fill=with_alpha(palette.light, 200))
    steam(sketch, palette, rng, cx, rim_y - 50)
    scattered_beans(sketch, rng, 7, mix(palette.accent, (0, 0, 0), 0.1), (cx - 380, cx + 380))


def draw_loaf(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-140, 140)
    wood = mix(palette.table, palette.main, 0.45)
    sketch.shadow(cx + 30, 770, 470, 50)
    sketch.rectangle(cx - 440, 660, cx + 440, 770, fill=mix(wood, (0, 0, 0), 0.2), radius=36)
    sketch.rectangle(cx - 440, 650, cx + 440, 752, fill=wood, radius=36)
    sketch.rectangle(cx + 440, 680, cx + 540, 722, fill=wood, radius=18)
    sketch.ellipse(cx + 505, 701, 10, 10, fill=palette.table)
    sketch.shadow(cx + 20, 690, 340, 40, 0.45)
    sketch.ellipse(cx, 560, 340, 160, fill=palette.shade)
    sketch.ellipse(cx - 8, 548, 326, 146, fill=palette.main)
    sketch.ellipse(cx - 60, 500, 230, 80, fill=with_alpha(palette.accent, 110))
    for i in range(4):
        x = cx - 200 + i * 125
        cut = [(x + 80 * math.sin(t / 10) - 40, 460 + t * 14) for t in range(0, 13)]
        sketch.line(cut, fill=mix(palette.shade, (0, 0, 0), 0.2), width=18)
        sketch.line([(px + 9, py - 3) for px, py in cut], fill=palette.accent, width=9)
    for _ in range(140):
        x, y = rng.gauss(cx - 40, 140), rng.gauss(500, 40)
        sketch.ellipse(x, y, 2.5, 2.5, fill=with_alpha(palette.light, 150))
    stalk_x = cx - 560 if cx > WIDTH / 2 else cx + 560
    draw_wheat(sketch, palette, stalk_x, 890, -0.35)
    crumbs(sketch, rng, mix(palette.main, palette.shade, 0.5))


def draw_wheat(sketch: Sketch, palette: Palette, x: float, y: float, angle: float) -> None:
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    sketch.line(
        [(x - 260 * cos_a, y - 260 * sin_a), (x + 200 * cos_a, y + 200 * sin_a)], fill=palette.accent, width=7
    )
    for i in range(7):
        along = 120 + i * 24
        px, py = x + along * cos_a, y + along * sin_a
        for side in (-1, 1):
            sketch.polygon(
                leaf(px, py, 46, 22, angle + side * 0.5), fill=mix(palette.accent, palette.main, 0.3)
            )


def draw_kettle(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-120, 120)
    sketch.shadow(cx + 40, 745, 360, 50)
    top_y, bottom_y = 390.0, 720.0
    profile = []
    for i in range(25):
        t = i / 24
        profile.append((120 + 150 * math.sin(t * math.pi / 2) ** 1.4, top_y + (bottom_y - top_y) * t))
    right = [(cx + half, y) for half, y in profile]
    left = [(cx - half, y) for half, y in reversed(profile)]
    spout = [
        (cx - 220, 620),
        (cx - 200, 540),
        (cx - 330, 420),
        (cx - 370, 395),
        (cx - 360, 430),
        (cx - 280, 560),
    ]
    sketch.polygon(spout, fill=mix(palette.main, palette.shade, 0.3))
    sketch.arc(cx, 400, 175, 190, 190, 350, fill=palette.shade, width=30)
    sketch.polygon(right + left, fill=palette.main)
    sketch.ellipse(cx, bottom_y, 270, 24, fill=palette.main)
    sketch.polygon(right + [(cx + 60, bottom_y), (cx + 40, top_y)], fill=with_alpha(palette.shade, 90))
    sketch.polygon(leaf(cx - 150, 640, 240, 60, -1.25), fill=with_alpha(palette.light, 90))
    sketch.ellipse(cx, top_y, 122, 24, fill=palette.shade)
    sketch.ellipse(cx, top_y - 8, 100, 18, fill=mix(palette.main, palette.light, 0.3))
    sketch.ellipse(cx, top_y - 30, 32, 22, fill=palette.accent)
    sketch.line([(cx - 250, 690), (cx + 250, 690)], fill=with_alpha(palette.shade, 120), width=6)
    steam(sketch, palette, rng, cx - 380, 370, spread=35)


def draw_beans(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-150, 150)
    bean_colour = palette.accent
    sketch.shadow(cx + 40, 770, 380, 50)
    heap = [(rng.gauss(cx, 150), rng.gauss(575, 35)) for _ in range(60)]
    for x, y in sorted(heap, key=lambda point: point[1]):
        coffee_bean(
            sketch,
            x,
            y,
            rng.uniform(24, 30),
            rng.uniform(0, math.pi),
            mix(bean_colour, (0, 0, 0), rng.uniform(0, 0.3)),
        )
    bowl = [
        (cx + 330 * math.cos(a / 24 * math.pi), 600 + 170 * math.sin(a / 24 * math.pi)) for a in range(25)
    ]
    sketch.polygon(bowl, fill=palette.main)
    sketch.polygon(
        [(x, y) for x, y in bowl if x > cx - 60] + [(cx - 60, 600)], fill=with_alpha(palette.shade, 60)
    )
    sketch.ellipse(cx, 600, 330, 34, outline=mix(palette.main, palette.light, 0.4), width=10)
    sketch.rectangle(cx + 240, 760, cx + 520, 790, fill=mix(palette.main, palette.shade, 0.2), radius=14)
    sketch.ellipse(cx + 560, 775, 70, 50, fill=mix(palette.main, palette.shade, 0.2))
    for _ in range(5):
        coffee_bean(
            sketch,
            cx + 560 + rng.uniform(-30, 30),
            770 + rng.uniform(-15, 15),
            20,
            rng.uniform(0, math.pi),
            bean_colour,
        )
    scattered_beans(sketch, rng, 12, bean_colour, (cx - 400, cx + 650))


def draw_croissant(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-150, 150)
    sketch.shadow(cx + 30, 770, 420, 60)
    sketch.ellipse(cx, 740, 420, 80, fill=mix(palette.light, palette.shade, 0.15))
    sketch.ellipse(cx, 732, 360, 62, fill=palette.light)
    # Seen from the front, a croissant is a shallow crescent of rolled
    # segments; the middle one is drawn last so it overlaps its neighbours.
    for i in [-3, 3, -2, 2, -1, 1, 0]:
        angle = math.pi / 2 - i * 0.3
        x, y = cx + 380 * math.cos(angle), 770 - 150 * math.sin(angle)
        tangent = math.atan2(-150 * math.cos(angle), -380 * math.sin(angle))
        across, along = 120 - abs(i) * 22, 72 - abs(i) * 9
        sketch.polygon(oval(x, y + 6, along, across, tangent), fill=palette.shade)
        sketch.polygon(oval(x, y, along * 0.92, across * 0.94, tangent), fill=palette.main)
        sketch.polygon(
            oval(x - 8, y - across * 0.3, along * 0.35, across * 0.45, tangent),
            fill=with_alpha(mix(palette.main, palette.light, 0.6), 170),
        )
    crumbs(sketch, rng, mix(palette.main, palette.shade, 0.4), 24)
    for _ in range(3):
        x = rng.choice([rng.uniform(120, cx - 480), rng.uniform(cx + 480, WIDTH - 120)])
        y = rng.uniform(TABLE_TOP + 140, HEIGHT - 80)
        sketch.ellipse(x, y, 34, 30, fill=palette.accent)
        sketch.ellipse(x - 10, y - 10, 9, 7, fill=with_alpha(palette.light, 150))


def draw_cake(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-150, 150)
    stand = mix(palette.light, palette.shade, 0.12)
    sketch.shadow(cx + 30, 880, 260, 40)
    sketch.ellipse(cx, 860, 180, 34, fill=stand)
    sketch.rectangle(cx - 40, 720, cx + 40, 860, fill=stand)
    sketch.ellipse(cx, 722, 380, 56, fill=mix(stand, palette.shade, 0.25))
    sketch.ellipse(cx, 712, 380, 52, fill=stand)
    top, base, half = 430.0, 700.0, 270.0
    sketch.rectangle(cx - half, top, cx + half, base, fill=palette.main)
    sketch.ellipse(cx, base, half, 54, fill=palette.main)
    for band in (520, 610):
        sketch.rectangle(cx - half, band, cx + half, band + 22, fill=palette.accent)
    sketch.rectangle(cx + half * 0.35, top, cx + half, base + 30, fill=with_alpha(palette.shade, 40))
    sketch.ellipse(cx, top, half, 58, fill=palette.accent)
    x = cx - half + 10
    while x < cx + half - 30:
        width = rng.uniform(34, 60)
        drip = rng.uniform(30, 95)
        edge = top + 58 * math.sqrt(max(0.0, 1 - ((x + width / 2 - cx) / half) ** 2))
        sketch.rectangle(x, edge - 40, x + width, edge + drip, fill=palette.accent, radius=width / 2)
        x += width - 6
    for _ in range(9):
        angle = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(0, 0.8)
        sx, sy = cx + half * r * math.cos(angle), top - 8 + 50 * r * math.sin(angle)
        sketch.polygon(leaf(sx - 40, sy, 80, 30, rng.uniform(-0.3, 0.3)), fill=palette.shade)
        sketch.polygon(
            leaf(sx - 36, sy - 3, 70, 20, rng.uniform(-0.3, 0.3)), fill=mix(palette.light, palette.main, 0.2)
        )
    crumbs(sketch, rng, mix(palette.main, palette.shade, 0.3), 18)


def draw_bun(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-100, 100)
    tray = mix(palette.table, (0, 0, 0), 0.3)
    sketch.shadow(cx + 30, 800, 560, 70)
    sketch.rectangle(cx - 560, 700, cx + 560, 830, fill=tray, radius=30)
    sketch.rectangle(cx - 540, 690, cx + 540, 810, fill=mix(tray, palette.light, 0.15), radius=26)
    for bx, by in [(cx - 330, 690), (cx, 660), (cx + 330, 690), (cx - 160, 760), (cx + 170, 765)]:
        size = 150 + rng.uniform(-10, 10)
        sketch.ellipse(bx, by + 25, size, size * 0.6, fill=palette.shade)
        sketch.ellipse(bx, by, size, size * 0.62, fill=palette.main)
        twist = rng.uniform(0, math.pi * 2)
        spiral = [
            (bx + (t * 3.6) * math.cos(t / 6 + twist), by + (t * 2.2) * math.sin(t / 6 + twist))
            for t in range(4, 40)
        ]
        sketch.line(spiral, fill=mix(palette.shade, (0, 0, 0), 0.1), width=14)
        for _ in range(26):
            sketch.ellipse(
                bx + rng.gauss(0, size * 0.45),
                by + rng.gauss(0, size * 0.25),
                3.5,
                3.5,
                fill=with_alpha(palette.light, 220),
            )
    for _ in range(6):
        x = rng.choice([rng.uniform(80, cx - 600), rng.uniform(cx + 600, WIDTH - 80)])
        sketch.polygon(
            oval(x, rng.uniform(TABLE_TOP + 80, HEIGHT - 60), 22, 11, rng.uniform(0, math.pi)),
            fill=palette.accent,
        )


def draw_jar(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-160, 160)
    sketch.shadow(cx + 30, 760, 230, 40)
    sketch.shadow(cx + 370, 740, 130, 30)
    for x, top, half in [(cx + 360, 470, 95), (cx, 300, 165)]:
        sketch.rectangle(
            x - half + 10, top + 110, x + half - 10, 740, fill=with_alpha(palette.accent, 235), radius=34
        )
        for _ in range(3):
            y = rng.uniform(top + 200, 680)
            swirl = [
                (x - half + 20 + u * 12, y + 14 * math.sin(u / 2.2)) for u in range(int((half * 2 - 40) / 12))
            ]
            sketch.line(swirl, fill=with_alpha(palette.light, 70), width=12)
        for _ in range(3):
            size = rng.uniform(36, 52)
            sketch.polygon(
                oval(
                    x + rng.uniform(-half * 0.5, half * 0.5),
                    top + 130 + rng.uniform(0, 40),
                    size,
                    size,
                    rng.uniform(0, 1),
                    steps=4,
                ),
                fill=with_alpha(palette.light, 110),
            )
        sketch.rectangle(x - half, top, x + half, 750, fill=with_alpha(palette.light, 45), radius=40)
        sketch.rectangle(
            x - half + 22, top + 40, x - half + 44, 700, fill=with_alpha(palette.light, 110), radius=10
        )
        for _ in range(14):
            sketch.ellipse(
                x + rng.uniform(-half + 20, half - 20),
                rng.uniform(top + 150, 720),
                4,
                5,
                fill=with_alpha(palette.light, 150),
            )
    sketch.line([(cx + 110, 170), (cx + 40, 620)], fill=palette.main, width=26)
    sketch.line([(cx + 110, 170), (cx + 96, 260)], fill=palette.shade, width=26)
    scattered_beans(sketch, rng, 8, palette.accent, (cx - 260, cx + 520))


def draw_herbs(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng)
    tabletop(sketch, palette)
    cx = WIDTH / 2 + rng.uniform(-160, 160)
    green = palette.accent
    sketch.shadow(cx + 30, 790, 260, 40)
    for _ in range(9):
        angle = -math.pi / 2 + rng.uniform(-0.8, 0.8)
        length = rng.uniform(260, 420)
        bend = rng.uniform(-0.25, 0.25)
        stem = []
        for i in range(13):
            t = i / 12
            a = angle + bend * t
            stem.append((cx + length * t * math.cos(a) * 0.8, 520 + length * t * math.sin(a)))
        sketch.line(stem, fill=mix(green, (0, 0, 0), 0.25), width=8)
        for i in range(3, 13, 2):
            x, y = stem[i]
            shade = mix(green, palette.light, rng.uniform(0, 0.3))
            for side in (-1, 1):
                sketch.polygon(
                    leaf(x, y, rng.uniform(70, 110), rng.uniform(34, 48), angle + side * 1.0), fill=shade
                )
    sketch.polygon([(cx - 200, 540), (cx + 200, 540), (cx + 160, 790), (cx - 160, 790)], fill=palette.main)
    sketch.rectangle(cx - 225, 500, cx + 225, 580, fill=mix(palette.main, palette.light, 0.15), radius=10)
    sketch.polygon(
        [(cx + 40, 580), (cx + 200, 580), (cx + 160, 790), (cx + 30, 790)], fill=with_alpha(palette.shade, 80)
    )
    for _ in range(5):
        x = rng.choice([rng.uniform(120, cx - 330), rng.uniform(cx + 330, WIDTH - 120)])
        sketch.polygon(
            leaf(x, rng.uniform(TABLE_TOP + 120, HEIGHT - 60), 60, 26, rng.uniform(0, 2 * math.pi)),
            fill=green,
        )


def draw_storefront(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    for _ in range(4):
        radius = rng.uniform(80, 160)
        sketch.ellipse(
            rng.uniform(0, WIDTH),
            rng.uniform(0, 180),
            radius * 1.8,
            radius * 0.5,
            fill=with_alpha(palette.light, 40),
        )
    street = 840
    sketch.rectangle(-10, street, WIDTH + 10, HEIGHT + 10, fill=palette.table)
    sketch.line([(0, street), (WIDTH, street)], fill=with_alpha(palette.light, 60), width=6)
    left, right = 180.0, 1420.0
    sketch.rectangle(left, 140, right, street, fill=palette.main)
    sketch.rectangle(left - 20, 120, right + 20, 170, fill=palette.shade)
    for row in range(200, street, 48):
        sketch.line([(left, row), (right, row)], fill=with_alpha(palette.shade, 40), width=3)
    sketch.rectangle(left + 90, 200, right - 90, 300, fill=palette.shade, radius=10)
    sketch.ellipse(WIDTH / 2, 250, 36, 36, fill=palette.light)
    sketch.ellipse(WIDTH / 2, 254, 22, 18, fill=palette.shade)
    glow = palette.light
    windows = [(left + 80, 470, left + 500, street - 40), (right - 500, 470, right - 80, street - 40)]
    for x0, y0, x1, y1 in windows:
        sketch.rectangle(x0 - 14, y0 - 14, x1 + 14, y1 + 14, fill=palette.shade)
        sketch.rectangle(x0, y0, x1, y1, fill=glow)
        sketch.rectangle(x0, y0 + (y1 - y0) * 0.55, x1, y0 + (y1 - y0) * 0.55 + 12, fill=palette.shade)
        for i in range(4):
            bx = x0 + 60 + i * (x1 - x0 - 120) / 3
            sketch.ellipse(bx, y0 + (y1 - y0) * 0.55 - 30, 42, 28, fill=mix(palette.main, palette.shade, 0.3))
        sketch.line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], fill=palette.shade, width=10)
        sketch.polygon([(x0 + 40, y0), (x0 + 140, y0), (x0 + 40, y0 + 120)], fill=(255, 255, 255, 60))
    door_x0, door_x1 = WIDTH / 2 - 100, WIDTH / 2 + 100
    sketch.rectangle(door_x0, 440, door_x1, street, fill=palette.shade, radius=8)
    sketch.rectangle(door_x0 + 30, 480, door_x1 - 30, 640, fill=mix(glow, palette.shade, 0.2), radius=6)
    sketch.ellipse(door_x1 - 40, 680, 10, 10, fill=glow)
    striped_awning(sketch, palette, left + 60, right - 60, 330, 110, 14)
    for px in (door_x0 - 70, door_x1 + 70):
        sketch.polygon(
            [(px - 50, street - 90), (px + 50, street - 90), (px + 36, street), (px - 36, street)],
            fill=mix(palette.accent, palette.shade, 0.4),
        )
        for _ in range(7):
            sketch.ellipse(
                px + rng.uniform(-50, 50),
                street - 120 - rng.uniform(0, 90),
                38,
                38,
                fill=mix((86, 134, 80), (0, 0, 0), rng.uniform(0, 0.3)),
            )


def draw_stall(sketch: Sketch, palette: Palette, rng: random.Random) -> None:
    glow_spots(sketch, palette, rng, 6)
    ground = 820
    sketch.rectangle(-10, ground, WIDTH + 10, HEIGHT + 10, fill=palette.table)
    cx = WIDTH / 2 + rng.uniform(-100, 100)
    pole = mix(palette.shade, (0, 0, 0), 0.2)
    for px in (cx - 520, cx + 520):
        sketch.rectangle(px - 10, 230, px + 10, ground, fill=pole)
    striped_awning(sketch, palette, cx - 520, cx + 520, 200, 140, 12)
    sketch.shadow(cx, ground + 10, 600, 40)
    sketch.rectangle(cx - 560, 560, cx + 560, ground - 10, fill=palette.light)
    for i in range(12):
        x = cx - 560 + i * 1120 / 12
        sketch.polygon([(x, 560), (x + 1120 / 24, 560), (x + 1120 / 48, 610)], fill=palette.accent)
    sketch.rectangle(cx - 560, 545, cx + 560, 570, fill=palette.shade)
    for i, bx in enumerate((cx - 380, cx, cx + 380)):
        sketch.rectangle(bx - 150, 430, bx + 150, 548, fill=mix(palette.main, palette.shade, 0.4), radius=14)
        for j in range(4):
            lx = bx - 105 + j * 70 + rng.uniform(-8, 8)
            colour = mix(palette.main, palette.shade, 0.15 * ((i + j) % 3))
            sketch.polygon(oval(lx, 425 + rng.uniform(-10, 10), 58, 34, rng.uniform(-0.5, 0.5)), fill=colour)
            sketch.line([(lx - 20, 412), (lx + 20, 432)], fill=palette.light, width=5)
    crumbs(sketch, rng, mix(palette.table, (0, 0, 0), 0.2), 20)


MOTIFS: dict[str, Callable[[Sketch, Palette, random.Random], None]] = {
    "cup": draw_cup,
    "loaf": draw_loaf,
    "kettle": draw_kettle,
    "beans": draw_beans,
    "croissant": draw_croissant,
    "cake": draw_cake,
    "bun": draw_bun,
    "jar": draw_jar,
    "herbs": draw_herbs,
    "storefront": draw_storefront,
    "stall": draw_stall,
}


def seed_for(name: str) -> int:
    # crc32 rather than hash(): Python salts string hashes per process.
    return zlib.crc32(name.encode("utf-8"))


def draw_illustration(name: str, motif: str, palette: str) -> bytes:
    """A JPEG of ``motif`` in ``palette``; ``name`` seeds the details."""
    colours = PALETTES[palette]
    sketch = Sketch(colours.sky_top, colours.sky_bottom)
    MOTIFS[motif](sketch, colours, random.Random(seed_for(name)))
    buffer = io.BytesIO()
    sketch.render().save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def draw_logo() -> bytes:
    """A PNG badge: a copper kettle, steaming, on a cream disc."""
    copper, cream, dark = PALETTES["copper"].main, PALETTES["copper"].light, PALETTES["copper"].shade
    # Transparent copper rather than transparent black, so the downscale
    # does not leave a dark fringe round the badge.
    image = Image.new("RGBA", (LOGO_SIZE * SUPERSAMPLE, LOGO_SIZE * SUPERSAMPLE), with_alpha(copper, 0))
    draw = ImageDraw.Draw(image)
    box, scaled = Sketch._box, Sketch._scaled
    centre = LOGO_SIZE / 2
    draw.ellipse(box(centre, centre, 250, 250), fill=copper)
    draw.ellipse(box(centre, centre, 222, 222), fill=cream)
    draw.ellipse(box(centre, centre, 206, 206), outline=copper, width=4 * SUPERSAMPLE)
    right_side = [
        (centre + 40 + 80 * math.sin(t / 20 * math.pi / 2) ** 1.4, 200 + 150 * t / 20) for t in range(21)
    ]
    left_side = [(2 * centre - x, y) for x, y in reversed(right_side)]
    spout = [
        (centre - 105, 320),
        (centre - 95, 280),
        (centre - 160, 225),
        (centre - 178, 214),
        (centre - 172, 232),
        (centre - 135, 300),
    ]
    draw.polygon(scaled(spout), fill=copper)
    draw.arc(box(centre, 205, 92, 100), 190, 350, fill=dark, width=16 * SUPERSAMPLE)
    draw.polygon(scaled(right_side + left_side), fill=copper)
    draw.rounded_rectangle(box(centre, 352, 128, 10), radius=8 * SUPERSAMPLE, fill=dark)
    draw.ellipse(box(centre, 200, 58, 12), fill=dark)
    draw.ellipse(box(centre, 184, 16, 11), fill=dark)
    # Opaque: on a transparent canvas ImageDraw replaces pixels rather than
    # blending, so a translucent highlight would punch a hole in the kettle.
    draw.polygon(scaled(leaf(centre - 55, 330, 110, 26, -1.3)), fill=mix(copper, cream, 0.45))
    for offset in (-26, 0, 26):
        curl = [(centre + offset + 9 * math.sin(step / 2.2), 165 - step * 6) for step in range(12)]
        draw.line(scaled(curl), fill=copper, width=7 * SUPERSAMPLE, joint="curve")
    buffer = io.BytesIO()
    image.reduce(SUPERSAMPLE).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
