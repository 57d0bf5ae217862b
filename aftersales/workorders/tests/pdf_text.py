"""Text of a reportlab PDF without a PDF library: inflate the streams, read each font's
ToUnicode map and decode the strings shown with it. Enough for our own reports, no more."""

from __future__ import annotations

import base64
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decoded stream or None)."""
    found = {}
    for match in OBJECT.finditer(pdf):
        body = match.group(2)
        start = body.find(b"stream\n")
        data = None
        if start != -1:
            head = body[:start]
            length = re.search(rb"/Length (\d+)", head)
            assert length is not None
            data = body[start + len(b"stream\n") : start + len(b"stream\n") + int(length.group(1))]
            if b"/ASCII85Decode" in head:
                data = base64.a85decode(data.strip().removesuffix(b"~>"))
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
            body = head
        found[int(match.group(1))] = (body, data)
    return found


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes, escapes resolved."""
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == 0x5C:  # backslash
            i += 1
            following = raw[i : i + 1]
            if following.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i : i + 3])
                assert digits is not None
                out.append(int(digits.group(0), 8))
                i += len(digits.group(0))
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(following, following)
        else:
            out.append(char)
        i += 1
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    objects = _objects(pdf)
    # Font resource name (/F2+0) -> its ToUnicode map, for every page's resources.
    fonts: dict[bytes, dict[int, str]] = {}
    for body, _data in objects.values():
        for name, number in re.findall(rb"/(F\d+(?:\+\d+)?)\s+(\d+) 0 R", body):
            font = objects.get(int(number))
            if font is None:
                continue
            reference = re.search(rb"/ToUnicode\s+(\d+) 0 R", font[0])
            if reference is not None:
                cmap = objects[int(reference.group(1))][1]
                fonts[name] = _cmap(cmap or b"")
    text = []
    for _body, data in objects.values():
        if data is None or b"Tf" not in data:
            continue
        current: dict[int, str] = {}
        for token in re.finditer(rb"/(F\d+(?:\+\d+)?)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|(T\*|Td|TD|ET)", data, re.S):
            if token.group(1):
                current = fonts.get(token.group(1), {})
            elif token.group(2) is not None:
                text.append("".join(current.get(b, chr(b)) for b in _literal(token.group(2))))
            else:
                text.append("\n")
    return "".join(text)
