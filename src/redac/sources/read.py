"""Source files -> text: refuse what is not UTF-8 text with a one-line error naming the file, then clean it."""

from __future__ import annotations

from pathlib import Path

from redac.errors import SourceError
from redac.sources.html import is_html
from redac.sources.model import Source
from redac.sources.pipeline import clean

SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
_SIGNATURES = {b"%PDF": "a PDF file", b"PK\x03\x04": "a ZIP archive (.docx/.odt?)", b"{\\rtf": "an RTF file",
               b"\xd0\xcf\x11\xe0": "an old Office document (.doc)"}


def read_source(path: str | Path) -> Source:
    """Read and clean one source file; every failure is a one-line :class:`SourceError` naming the file.

    The extension is only a hint: the content is sniffed (HTML is detected whatever the suffix),
    because scraped pages are often saved as ``.txt``.
    """
    p = Path(path)
    where = str(path)
    if not p.exists():
        raise SourceError("file not found", file=where)
    if p.is_dir():
        raise SourceError("is a directory, not a source file", file=where)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file ({exc.strerror or exc})", file=where) from None
    text = decode_source(data, file=where)
    try:
        src = clean(text, name=p.stem)
    except SourceError as exc:
        raise SourceError(exc.message, file=where) from None
    if p.suffix.lower() not in SUFFIXES:
        src.warnings.append(f"unexpected extension '{p.suffix}'; read as {'HTML' if is_html(text) else 'text'}")
    return src


def decode_source(data: bytes, *, file: str = "source") -> str:
    """Bytes -> text, refusing what is not UTF-8 text, with the byte offset of the first problem.

    Guessing a legacy encoding would silently turn "é" into "Ã©" in the facts; asking the user to
    re-save as UTF-8 is cheaper than debugging a corrupted article.
    """
    if not data.strip():
        raise SourceError("file is empty", file=file)
    for magic, what in _SIGNATURES.items():
        if data.startswith(magic):
            raise SourceError(f"looks like {what}, not text; export it as .txt, .md or .html", file=file)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(f"binary file (NUL byte at offset {nul}); expected UTF-8 text", file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex().upper()
        raise SourceError(f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}); re-save the file as UTF-8",
                          file=file) from None
