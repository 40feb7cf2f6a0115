"""Build small, valid PDF and image files in memory for tests and benchmarks.

The PDFs are written byte by byte (objects, cross-reference table, trailer) so that tests control
every structural detail: the page tree shape, a forged /Count, loops, depth and object streams.
Encrypted files and images are produced with pypdf and Pillow.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

__all__ = [
    "DEFAULT_LINES",
    "PdfBuilder",
    "make_cyclic_pdf",
    "make_deep_pdf",
    "make_encrypted_pdf",
    "make_jpeg",
    "make_nested_pdf",
    "make_objstm_pdf",
    "make_pdf",
    "make_png",
]

DEFAULT_LINES: tuple[str, ...] = (
    "IngestIO test document",
    "Page {page}",
)

_PAGE_WIDTH = 612
_PAGE_HEIGHT = 792


def _ref(num: int) -> bytes:
    return b"%d 0 R" % num


def _pdf_string(text: str) -> bytes:
    """Encode text as a PDF literal string (Latin-1, unencodable characters replaced)."""
    raw = text.encode("latin-1", errors="replace")
    raw = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + raw + b")"


def _content_stream(lines: Sequence[str], page: int) -> bytes:
    ops = [b"BT", b"/F1 12 Tf", b"14 TL", b"72 %d Td" % (_PAGE_HEIGHT - 72)]
    for line in lines:
        ops.append(_pdf_string(line.replace("{page}", str(page))) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


class PdfBuilder:
    """Assemble numbered PDF objects and serialise them with a classic xref table."""

    def __init__(self) -> None:
        self._bodies: list[bytes | None] = []

    def reserve(self) -> int:
        """Allocate an object number whose body is set later (for forward references)."""
        self._bodies.append(None)
        return len(self._bodies)

    def set(self, num: int, body: bytes) -> None:
        """Set the body of a reserved object."""
        self._bodies[num - 1] = body

    def add(self, body: bytes) -> int:
        """Add an object and return its number."""
        self._bodies.append(body)
        return len(self._bodies)

    def add_font(self) -> int:
        """Add the standard Helvetica font and return its object number."""
        return self.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    def add_page(self, parent: int, font: int, lines: Sequence[str], page: int) -> int:
        """Add a text page (and its content stream) under `parent`; return the page's number."""
        num = self.reserve()
        content = self.add(_stream(_content_stream(lines, page)))
        self.set(
            num,
            b"<< /Type /Page /Parent %s /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 %s >> >> /Contents %s >>"
            % (_ref(parent), _PAGE_WIDTH, _PAGE_HEIGHT, _ref(font), _ref(content)),
        )
        return num

    def add_catalog(self, pages: int) -> int:
        """Add the document catalog pointing at the page tree root `pages`."""
        return self.add(b"<< /Type /Catalog /Pages %s >>" % _ref(pages))

    def build(self, root: int) -> bytes:
        """Serialise all objects with an xref table and a trailer whose /Root is `root`."""
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets: list[int] = []
        for num, body in enumerate(self._bodies, start=1):
            if body is None:
                raise ValueError(f"object {num} was reserved but never set")
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
        xref_at = len(out)
        size = len(self._bodies) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root %s >>\nstartxref\n%d\n%%%%EOF\n" % (
            size,
            _ref(root),
            xref_at,
        )
        return bytes(out)


def _pages_node(kids: Sequence[int], count: int, parent: int | None = None) -> bytes:
    parent_entry = b" /Parent %s" % _ref(parent) if parent is not None else b""
    kids_entry = b" ".join(_ref(kid) for kid in kids)
    return b"<< /Type /Pages%s /Kids [%s] /Count %d >>" % (parent_entry, kids_entry, count)


def make_pdf(pages: int, lines: Sequence[str] = DEFAULT_LINES, count: int | None = None) -> bytes:
    """Return a PDF with `pages` text pages under one /Pages node; `count` forges its /Count.

    Every page shows `lines` in Helvetica; "{page}" in a line is replaced by the page number
    (1-based). `pages=0` gives a structurally valid PDF with an empty page tree.
    """
    builder = PdfBuilder()
    root = builder.reserve()
    font = builder.add_font()
    kids = [builder.add_page(root, font, lines, page) for page in range(1, pages + 1)]
    builder.set(root, _pages_node(kids, pages if count is None else count))
    return builder.build(builder.add_catalog(root))


def make_nested_pdf(pages: int, fanout: int = 4, lines: Sequence[str] = DEFAULT_LINES) -> bytes:
    """Return a PDF whose page tree has intermediate /Pages nodes with at most `fanout` kids."""
    if fanout < 2:
        raise ValueError("fanout must be at least 2")
    builder = PdfBuilder()
    font = builder.add_font()
    next_page = 1

    def node(parent: int | None, leaves: int) -> int:
        nonlocal next_page
        num = builder.reserve()
        if leaves <= fanout:
            kids = []
            for _ in range(leaves):
                kids.append(builder.add_page(num, font, lines, next_page))
                next_page += 1
        else:
            # Split into at most `fanout` subtrees so the depth grows like log_fanout(pages).
            chunk = -(-leaves // fanout)
            sizes = [min(chunk, leaves - start) for start in range(0, leaves, chunk)]
            kids = [node(num, size) for size in sizes]
        builder.set(num, _pages_node(kids, leaves, parent))
        return num

    root = node(None, pages)
    return builder.build(builder.add_catalog(root))


def make_cyclic_pdf() -> bytes:
    """Return a PDF whose page tree loops: an intermediate node lists the root as its kid."""
    builder = PdfBuilder()
    root = builder.reserve()
    inner = builder.reserve()
    font = builder.add_font()
    page = builder.add_page(root, font, DEFAULT_LINES, 1)
    builder.set(root, _pages_node([page, inner], 2))
    builder.set(inner, _pages_node([root], 1, parent=root))
    return builder.build(builder.add_catalog(root))


def make_deep_pdf(depth: int) -> bytes:
    """Return a one-page PDF whose page sits below a chain of `depth` /Pages nodes (root included)."""
    if depth < 1:
        raise ValueError("depth must be at least 1")
    builder = PdfBuilder()
    font = builder.add_font()
    chain = [builder.reserve() for _ in range(depth)]
    page = builder.add_page(chain[-1], font, DEFAULT_LINES, 1)
    for level, num in enumerate(chain):
        parent = chain[level - 1] if level else None
        kid = chain[level + 1] if level + 1 < depth else page
        builder.set(num, _pages_node([kid], 1, parent))
    return builder.build(builder.add_catalog(chain[0]))


def make_encrypted_pdf(
    pages: int,
    user_password: str = "secret",
    owner_password: str | None = "owner-secret",
    algorithm: str = "RC4-128",
) -> bytes:
    """Return `make_pdf(pages)` encrypted with pypdf; an empty `user_password` opens without one.

    RC4-128 is the default because pypdf implements it without optional crypto dependencies.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.encrypt(
        user_password=user_password,
        owner_password=owner_password,
        algorithm=algorithm,
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_objstm_pdf(pages: int, padding_objects: int = 0, padding_body: bytes = b"0") -> bytes:
    """Return a PDF 1.5 file whose page tree lives in one compressed object stream.

    The cross-reference data is an /XRef stream. `padding_objects` packs that many extra objects
    (each `padding_body`, not listed in the xref) into the same object stream, making it expensive
    to parse: a hostile file for tests and benchmarks.
    """
    # Object numbers: 1 catalog, 2 pages root, 3..pages+2 page dicts (all inside the object
    # stream), then the font and the content streams, the object stream and the xref stream.
    page_nums = list(range(3, pages + 3))
    font = pages + 3
    first_content = pages + 4
    objstm = first_content + pages
    xref_num = objstm + 1
    padding_start = xref_num + 1

    packed: list[tuple[int, bytes]] = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, _pages_node(page_nums, pages)),
    ]
    for index, num in enumerate(page_nums):
        packed.append(
            (
                num,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                b"/Resources << /Font << /F1 %s >> >> /Contents %s >>"
                % (_PAGE_WIDTH, _PAGE_HEIGHT, _ref(font), _ref(first_content + index)),
            )
        )

    header = bytearray()
    body = bytearray()
    for num, obj in packed:
        header += b"%d %d " % (num, len(body))
        body += obj + b"\n"
    # Padding is built in bulk because there may be millions of objects.
    start = len(body)
    step = len(padding_body) + 1
    header += b" ".join(
        b"%d %d" % (padding_start + i, start + step * i) for i in range(padding_objects)
    )
    body += (padding_body + b"\n") * padding_objects
    objstm_data = zlib.compress(bytes(header) + b" " + bytes(body), 1)
    n_objects = len(packed) + padding_objects

    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def emit(num: int, obj: bytes) -> None:
        offsets[num] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (num, obj))

    emit(font, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for index in range(pages):
        emit(first_content + index, _stream(_content_stream(DEFAULT_LINES, index + 1)))
    emit(
        objstm,
        _stream(
            objstm_data,
            b" /Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (n_objects, len(header) + 1),
        ),
    )

    in_stream = {num: index for index, (num, _) in enumerate(packed)}
    offsets[xref_num] = len(out)
    size = xref_num + 1
    rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")
    for num in range(1, size):
        if num in in_stream:
            rows += b"\x02" + objstm.to_bytes(4, "big") + in_stream[num].to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[num].to_bytes(4, "big") + b"\x00\x00"
    xref_data = zlib.compress(bytes(rows))
    out += b"%d 0 obj\n%s\nendobj\n" % (
        xref_num,
        _stream(
            xref_data,
            b" /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % size,
        ),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num]
    return bytes(out)


def _image(width: int, height: int, text: str | None) -> Image.Image:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    if text:
        draw.text((4, 4), text, fill="black")
    else:
        draw.rectangle((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill="navy")
    return image


def make_png(width: int = 40, height: int = 30, text: str | None = None) -> bytes:
    """Return a PNG image; `text` is drawn in black when given."""
    out = io.BytesIO()
    _image(width, height, text).save(out, format="PNG")
    return out.getvalue()


def make_jpeg(
    width: int = 40, height: int = 30, text: str | None = None, quality: int = 90
) -> bytes:
    """Return a JPEG image; `text` is drawn in black when given."""
    out = io.BytesIO()
    _image(width, height, text).save(out, format="JPEG", quality=quality)
    return out.getvalue()
