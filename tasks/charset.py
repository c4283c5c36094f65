"""Response bodies to text the way a browser decodes them: byte-order mark, Content-Type charset, <meta charset>,
strict UTF-8, then charset-normalizer's guess. Shared by live fetching and archive replay."""

from __future__ import annotations

import codecs
import logging
import re

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
META_SNIFF_BYTES = 4096


_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Labels browsers decode with a superset (WHATWG Encoding Standard); decoding like a browser avoids mojibake.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252", "iso-8859-9": "cp1254",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "x-sjis": "shift_jis", "tis-620": "cp874",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
}
_REFUSED_CHARSETS = frozenset({"utf-7", "utf7", "x-user-defined"})


def codec_for(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown or not a text encoding."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if not name or name in _REFUSED_CHARSETS:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
        b"".decode(info.name)  # rejects bytes-to-bytes codecs such as base64 or zlib
    except (LookupError, ValueError, TypeError):
        return None
    return info.name


def mime_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def header_charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """HTML bytes to text the way a browser would: (text, codec used). Never raises; bad bytes become U+FFFD.

    Order: a byte-order mark (it wins in browsers too), the Content-Type charset, <meta charset> or http-equiv
    in the first 4 KB, strict UTF-8, charset-normalizer's guess, UTF-8 with replacement.
    """
    try:
        return _decode_html(body, content_type)
    except Exception as exc:  # belt and braces: the contract is "never raises"
        log.warning("decode_html fell back to utf-8: %s", exc)
        return bytes(body or b"").decode("utf-8", errors="replace"), "utf-8"


def _decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    body = bytes(body or b"")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace").lstrip("\ufeff"), codecs.lookup(codec).name
    codec = codec_for(header_charset(content_type))
    if codec is None:
        match = _META_CHARSET.search(body[:META_SNIFF_BYTES])
        if match:
            codec = codec_for(match.group(1).decode("ascii", errors="ignore"))
            if codec and codec.startswith("utf-16"):
                codec = "utf-8"  # a meta tag readable as ASCII cannot be in UTF-16 (HTML spec)
    if codec is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        codec = _guess(body)
    text = body.decode(codec, errors="replace")
    return text.lstrip("\ufeff"), codec


def _guess(body: bytes) -> str:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(body[:200_000]).best()
    except Exception:  # detection is a guess; a failure just means "use the default"
        best = None
    return (codec_for(best.encoding) if best is not None else None) or "utf-8"


def looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:].lstrip()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or b"<html" in head
