"""Just enough PDF reading to check a ReportLab certificate without a PDF
library: the objects, their decoded streams, the fonts with their ToUnicode
maps, and the text each BT…ET block draws."""

import base64
import re
import zlib
from dataclasses import dataclass, field

OBJ = re.compile(rb"(\d+) 0 obj")
TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]()<>]+|[^\s/\[\]()<>]+", re.S)


def _decode(head: bytes, data: bytes) -> bytes:
    filters = re.findall(rb"/(ASCII85Decode|FlateDecode)", head.split(b"/Filter", 1)[1]) if b"/Filter" in head else []
    for name in filters:
        if name == b"ASCII85Decode":
            data = base64.a85decode(data.strip().removesuffix(b"~>"), adobe=False)
        else:
            data = zlib.decompress(data)
    return data


def objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{number: (dictionary text, decoded stream or None)}."""
    out = {}
    pos = 0
    while (m := OBJ.search(pdf, pos)) is not None:
        start = m.end()
        end = pdf.find(b"endobj", start)
        stream_at = pdf.find(b"stream", start, end)
        if stream_at == -1:
            out[int(m.group(1))] = (pdf[start:end], None)
            pos = end
            continue
        head = pdf[start:stream_at]
        length = int(re.search(rb"/Length (\d+)", head).group(1))
        body_start = stream_at + len(b"stream")
        body_start += 2 if pdf[body_start : body_start + 2] == b"\r\n" else 1
        raw = pdf[body_start : body_start + length]
        out[int(m.group(1))] = (head, _decode(head, raw))
        pos = pdf.find(b"endobj", body_start + length)
    return out


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(first + i)
    return mapping


@dataclass
class Font:
    resource: str
    base_font: str
    subtype: str
    font_file2: bytes | None = None
    to_unicode: dict = field(default_factory=dict)


def fonts(pdf: bytes) -> dict[str, Font]:
    objs = objects(pdf)
    out = {}
    for head, _stream in objs.values():
        if b"/Type /Font" not in head or b"/Name" not in head:
            continue
        font = Font(
            resource=re.search(rb"/Name /(\S+)", head).group(1).decode(),
            base_font=re.search(rb"/BaseFont /(\S+)", head).group(1).decode(),
            subtype=re.search(rb"/Subtype /(\S+)", head).group(1).decode(),
        )
        if m := re.search(rb"/ToUnicode (\d+) 0 R", head):
            font.to_unicode = _cmap(objs[int(m.group(1))][1])
        if m := re.search(rb"/FontDescriptor (\d+) 0 R", head):
            descriptor = objs[int(m.group(1))][0]
            if f := re.search(rb"/FontFile2 (\d+) 0 R", descriptor):
                font.font_file2 = objs[int(f.group(1))][1]
        out[font.resource] = font
    return out


def _literal(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(body):
        c = body[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in escapes:
            out.append(escapes[nxt])
            i += 2
        elif 0x30 <= nxt <= 0x37:
            digits = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4]).group(0)
            out.append(int(digits, 8) & 0xFF)
            i += 1 + len(digits)
        elif nxt in (0x0A, 0x0D):
            i += 2
        else:
            out.append(nxt)
            i += 2
    return bytes(out)


def _string(token: bytes) -> bytes:
    if token.startswith(b"("):
        return _literal(token)
    return bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())


def text_lines(pdf: bytes) -> list[str]:
    """The text of every BT…ET block on every page, in drawing order."""
    objs = objects(pdf)
    by_name = fonts(pdf)
    lines = []
    for head, _stream in objs.values():
        if not re.search(rb"/Type /Page\b(?!s)", head):
            continue
        contents = objs[int(re.search(rb"/Contents (\d+) 0 R", head).group(1))][1]
        font, operands, line = None, [], None
        for token in TOKEN.findall(contents):
            if token == b"BT":
                line = []
            elif token == b"ET":
                lines.append("".join(line or []))
                line = None
            elif token == b"Tf":
                font = by_name.get(operands[-2].decode().lstrip("/"))
                operands = []
            elif token in (b"Tj", b"TJ", b"'", b'"'):
                for operand in operands:
                    if operand[:1] in (b"(", b"<"):
                        raw = _string(operand)
                        if font is not None and font.to_unicode:
                            line.append("".join(font.to_unicode.get(b, "\ufffd") for b in raw))
                        else:
                            line.append(raw.decode("latin-1"))
                operands = []
            elif token[:1] in (b"(", b"<", b"/", b"[", b"]") or re.fullmatch(rb"[-+.\d]+", token):
                operands.append(token)
            else:
                operands = []
    return lines
