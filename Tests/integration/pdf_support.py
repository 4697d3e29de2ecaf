"""Reading a PDF that Chromium printed, with the standard library only: its pages (MediaBox,
clip), the images each page draws (where), and the text each page draws (every glyph,
where, as Unicode through the fonts' ToUnicode maps). Enough for Skia's output (Chromium's
print to PDF): plain objects, Flate-compressed streams, no object streams, no encryption —
anything else is refused rather than misread."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
A4_POINTS = (595.28, 841.89)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention: p' = p × m × n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


@dataclass
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    @staticmethod
    def of(points: list[tuple[float, float]]) -> "Rect":
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return Rect(min(xs), min(ys), max(xs), max(ys))

    def overlaps(self, other: "Rect", slack: float = 0.0) -> bool:
        return (self.x0 < other.x1 - slack and other.x0 < self.x1 - slack
                and self.y0 < other.y1 - slack and other.y0 < self.y1 - slack)

    def inside(self, other: "Rect", slack: float = 0.0) -> bool:
        return (self.x0 >= other.x0 - slack and self.y0 >= other.y0 - slack
                and self.x1 <= other.x1 + slack and self.y1 <= other.y1 + slack)


@dataclass
class Glyph:
    char: str
    box: Rect  # the em square of the glyph on the page, in points


@dataclass
class Placed:
    """An image XObject drawn on a page: its object number and rectangle."""
    obj: int
    box: Rect


@dataclass
class Page:
    media_box: tuple[float, float, float, float]
    glyphs: list[Glyph] = field(default_factory=list)
    images: list[Placed] = field(default_factory=list)
    clips: list[Rect] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def size(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.media_box
        return (x1 - x0, y1 - y0)


# ---------------------------------------------------------------------------- objects

_OBJ = re.compile(rb"(\d+) (\d+) obj\b")
_TOKEN = re.compile(rb"""
    (?P<ws>[\x00\t\n\x0c\r ]+|%[^\r\n]*)
  | (?P<dict_open><<) | (?P<dict_close>>>)
  | (?P<hex><[0-9A-Fa-f\s]*>)
  | (?P<lit>\()
  | (?P<arr_open>\[) | (?P<arr_close>\])
  | (?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])
  | (?P<word>[^\x00\t\n\x0c\r ()<>\[\]{}/%]+)
""", re.X)


class Ref(int):
    """`n 0 R`."""


class Name(str):
    pass


class Op(str):
    """A content-stream operator (or a keyword: obj, stream, R…)."""


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """A literal string starting after its '(' at i: (bytes, index after ')')."""
    out, depth = bytearray(), 1
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(data):
        ch = data[i]
        if ch == 0x5C:  # backslash
            nxt = data[i + 1]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif 0x30 <= nxt <= 0x37:
                m = re.match(rb"[0-7]{1,3}", data[i + 1:i + 4])
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
            elif nxt in (0x0A, 0x0D):
                i += 2
            else:
                out.append(nxt)
                i += 2
            continue
        if ch == 0x28:
            depth += 1
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(ch)
        i += 1
    raise ValueError("unterminated string")


def tokens(data: bytes, start: int = 0, stop_at_stream: bool = False):
    """PDF objects and operators from `data`: numbers, Name, bytes (strings), lists, dicts,
    Ref, Op. With stop_at_stream: stops after the `stream` keyword (yields Op('stream'), end)."""
    stack: list[list] = []
    i = start
    while i < len(data):
        m = _TOKEN.match(data, i)
        if not m:
            raise ValueError(f"cannot read the PDF at byte {i}: {data[i:i + 20]!r}")
        i = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "lit":
            value, i = _literal(data, i)
        elif kind == "hex":
            digits = re.sub(rb"\s", b"", m.group()[1:-1])
            value = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
        elif kind == "name":
            value = Name(m.group()[1:].decode("latin-1"))
        elif kind == "num":
            text = m.group().decode()
            value = float(text) if "." in text else int(text)
        elif kind in ("arr_open", "dict_open"):
            stack.append([kind])
            continue
        elif kind in ("arr_close", "dict_close"):
            items = stack.pop()
            opened, items = items[0], items[1:]
            if (opened == "arr_open") != (kind == "arr_close"):
                raise ValueError("unbalanced [ ] or << >>")
            value = items if kind == "arr_close" else dict(zip(items[0::2], items[1::2]))
        else:
            word = m.group().decode("latin-1")
            if word == "R" and stack and len(stack[-1]) >= 3 and isinstance(stack[-1][-1], int) and isinstance(stack[-1][-2], int):
                stack[-1].pop()
                value = Ref(stack[-1].pop())
            else:
                value = Op(word)
        if stack:
            stack[-1].append(value)
            continue
        yield value, i
        if stop_at_stream and value == "stream":
            return


class Pdf:
    """A whole PDF file: `pages` in order, each with its glyphs, images and clips."""

    def __init__(self, data: bytes):
        if not data.startswith(b"%PDF-"):
            raise ValueError(f"not a PDF: {data[:20]!r}")
        self.data = data
        self.objects: dict[int, object] = {}
        self.streams: dict[int, bytes] = {}
        pos = 0
        while (m := _OBJ.search(data, pos)):
            number, pos = int(m.group(1)), m.end()
            seen = []
            for value, end in tokens(data, m.end(), stop_at_stream=True):
                pos = end
                if value == "endobj":
                    break
                if value == "stream":
                    head = seen[-1]
                    if b"/Encrypt" in data or head.get("Type") == "ObjStm":
                        raise ValueError("an encrypted PDF or one with object streams: not read here")
                    length = head["Length"]
                    if not isinstance(length, int):
                        raise ValueError(f"object {number}: a stream whose /Length is not a number")
                    body_start = end + (2 if data[end:end + 2] == b"\r\n" else 1)
                    raw = data[body_start:body_start + length]
                    pos = body_start + length
                    filters = head.get("Filter")
                    for f in filters if isinstance(filters, list) else [filters] if filters else []:
                        if f != "FlateDecode":
                            raise ValueError(f"object {number}: a stream filtered by {f}, not read here")
                        raw = zlib.decompress(raw)
                    self.streams[number] = raw
                    break
                seen.append(value)
            self.objects[number] = seen[-1] if seen else None
        self._unicode: dict[int, dict[bytes, str]] = {}
        catalog = next(o for o in self.objects.values() if isinstance(o, dict) and o.get("Type") == "Catalog")
        self.pages = [self._page(p) for p in self._kids(catalog["Pages"])]

    def get(self, value):
        while isinstance(value, Ref):
            value = self.objects[int(value)]
        return value

    def _kids(self, ref) -> list[dict]:
        node = self.get(ref)
        if node.get("Type") == "Page":
            return [node]
        return [page for kid in node["Kids"] for page in self._kids(kid)]

    @property
    def image_objects(self) -> list[int]:
        """Every image XObject in the file (an image's soft mask, SMask, not counted)."""
        masks = {int(o["SMask"]) for o in self.objects.values() if isinstance(o, dict) and isinstance(o.get("SMask"), Ref)}
        return sorted(n for n, o in self.objects.items()
                      if isinstance(o, dict) and o.get("Subtype") == "Image" and n not in masks)

    def to_unicode(self, font_ref) -> dict[bytes, str]:
        """A font's ToUnicode map (bfchar and bfrange), code bytes → text."""
        key = int(font_ref)
        if key not in self._unicode:
            mapping: dict[bytes, str] = {}
            font = self.get(font_ref)
            cmap = self.streams.get(int(font["ToUnicode"])) if isinstance(font.get("ToUnicode"), Ref) else None
            if cmap:
                for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        mapping[bytes.fromhex(src.decode())] = bytes.fromhex(dst.decode()).decode("utf-16-be")
                for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
                    for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        width, first = len(lo) // 2, int(dst, 16)
                        for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                            mapping[code.to_bytes(width, "big")] = chr(first + k)
            self._unicode[key] = mapping
        return self._unicode[key]

    def _page(self, page: dict) -> Page:
        box = [float(v) for v in self.get(page["MediaBox"])]
        out = Page(media_box=(box[0], box[1], box[2], box[3]))
        contents = self.get(page["Contents"])
        refs = contents if isinstance(contents, list) else [page["Contents"]]
        stream = b"\n".join(self.streams[int(r)] for r in refs)
        self._run(stream, self.get(page.get("Resources", {})), IDENTITY, out)
        return out

    def cid_widths(self, font: dict) -> tuple[dict[int, float], float]:
        """A Type0 font's glyph widths (its descendant's /W, in 1/1000 em) and its default (/DW,
        1000): a CID font has no /Widths, and Chromium writes a run of glyphs as one string
        relying on these (a date or an ID number's half-width digits advance half an em)."""
        descendants = self.get(font.get("DescendantFonts")) or []
        descendant = self.get(descendants[0]) if descendants else {}
        default = float(self.get(descendant.get("DW", 1000)))
        w = [self.get(v) for v in (self.get(descendant.get("W")) or [])]
        table: dict[int, float] = {}
        i = 0
        while i + 1 < len(w):
            first, then = int(w[i]), w[i + 1]
            if isinstance(then, list):
                for j, width in enumerate(then):
                    table[first + j] = float(self.get(width))
                i += 2
            else:
                if i + 2 >= len(w):
                    break
                for c in range(first, int(then) + 1):
                    table[c] = float(w[i + 2])
                i += 3
        return table, default

    def _run(self, stream: bytes, resources: dict, ctm: Matrix, out: Page) -> None:
        """Interprets the operators that place text, images and clips (others are skipped)."""
        fonts = self.get(resources.get("Font", {})) or {}
        xobjects = self.get(resources.get("XObject", {})) or {}
        stack: list[Matrix] = []
        operands: list = []
        tm = tlm = IDENTITY
        font_ref, size, leading = None, 0.0, 0.0
        path: list[tuple[float, float]] = []

        def show(data: bytes) -> None:
            nonlocal tm
            mapping = self.to_unicode(font_ref) if font_ref is not None else {}
            font = self.get(font_ref) if font_ref is not None else {}
            two_byte = font.get("Subtype") == "Type0"
            step = 2 if two_byte else 1
            widths = self.get(font.get("Widths")) or []
            first = font.get("FirstChar", 0)
            matrix = font.get("FontMatrix") or [0.001, 0, 0, 0.001, 0, 0]
            cid, default = self.cid_widths(font) if two_byte else ({}, 1000.0)
            for k in range(0, len(data), step):
                code = data[k:k + step]
                number = int.from_bytes(code, "big")
                if two_byte:
                    advance = cid.get(number, default) / 1000.0
                else:
                    index = number - first
                    advance = (self.get(widths[index]) * abs(matrix[0])) if 0 <= index < len(widths) else 1.0
                trm = multiply(multiply((size, 0.0, 0.0, size, 0.0, 0.0), tm), ctm)
                corners = [apply(trm, x, y) for x, y in ((0, -0.12), (advance, -0.12), (0, 0.88), (advance, 0.88))]
                out.glyphs.append(Glyph(mapping.get(code, "\ufffd"), Rect.of(corners)))
                tm = multiply((1.0, 0.0, 0.0, 1.0, advance * size, 0.0), tm)

        for value, _ in tokens(stream):
            if not isinstance(value, Op):
                operands.append(value)
                continue
            op, args = str(value), operands
            operands = []
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop() if stack else ctm
            elif op == "cm":
                ctm = multiply(tuple(float(a) for a in args), ctm)
            elif op == "re":
                x, y, w, h = (float(a) for a in args)
                path = [apply(ctm, x, y), apply(ctm, x + w, y + h)]
            elif op in ("W", "W*") and path:
                out.clips.append(Rect.of(path))
            elif op in ("n", "f", "f*", "S", "B", "b"):
                path = []
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tf":
                font_ref, size = fonts.get(args[0]), float(args[1])
            elif op == "TL":
                leading = float(args[0])
            elif op == "Tm":
                tm = tlm = tuple(float(a) for a in args)
            elif op in ("Td", "TD"):
                if op == "TD":
                    leading = -float(args[1])
                tm = tlm = multiply((1.0, 0.0, 0.0, 1.0, float(args[0]), float(args[1])), tlm)
            elif op == "T*":
                tm = tlm = multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
            elif op == "Tj":
                show(args[0])
            elif op in ("'", '"'):
                tm = tlm = multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
                show(args[-1])
            elif op == "TJ":
                for item in args[0]:
                    if isinstance(item, bytes):
                        show(item)
                    else:
                        tm = multiply((1.0, 0.0, 0.0, 1.0, -float(item) / 1000 * size, 0.0), tm)
            elif op == "Do":
                ref = xobjects.get(args[0])
                xobject = self.get(ref)
                if xobject.get("Subtype") == "Image":
                    out.images.append(Placed(int(ref), Rect.of([apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))])))
                elif xobject.get("Subtype") == "Form":
                    form = xobject.get("Matrix") or IDENTITY
                    self._run(self.streams[int(ref)], self.get(xobject.get("Resources", resources)),
                              multiply(tuple(float(a) for a in form), ctm), out)
