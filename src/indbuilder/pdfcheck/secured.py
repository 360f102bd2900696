"""Secured agency forms: filled by an incremental update that keeps the form's bytes and security.

FDA's fillable forms (1571, 1572, 3674) are issued as secured PDFs: encrypted (AES), an empty user
password (anyone can open them) and an owner password that restricts editing. FDA asks that its
forms be submitted with their existing security settings, and its PDF specifications exempt the
forms from the "no security" rule. Re-writing such a form would decrypt it (pypdf writes a new,
unencrypted file), so a secured form is filled by an *incremental update* (ISO 32000-1 §7.5.6):

    output = the original bytes, unchanged
           + the changed objects (field values, appearance streams, /NeedAppearances),
             each encrypted with the document's own key (ISO 32000-1 §7.6.2, Algorithm 1 / 1.A)
           + a cross-reference section (a table or a stream, as the form's last one) whose trailer
             has /Prev, the same /Root, /Info and /Encrypt and the same first file identifier

Any reader opens the result with the empty password as before, the owner restrictions stay, and
the first revision is byte for byte the form as issued (:func:`kept_security` checks exactly that).

The AES initialisation vectors are derived from the object (an HMAC of the file key, the object
number and the plaintext) instead of drawn at random, so the same form and values give the same
bytes (builds are reproducible); an IV is unique per object and content, which is what CBC needs.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pypdf is imported when a form is filled or checked, not on the `check` path
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import PdfObject

__all__ = [
    "FormSecurity",
    "SecuredFormError",
    "fill_secured_form",
    "form_security",
    "kept_security",
    "first_revision_end",
]


class SecuredFormError(ValueError):
    """A secured form cannot be filled without losing or breaking its security."""


@dataclass(frozen=True)
class FormSecurity:
    """What a PDF's standard security handler says (ISO 32000-1 §7.6.3, Table 20 and 21)."""

    method: str  # "AES-256", "AES-128", "RC4-128", "RC4-40" or "Identity"
    version: int  # /V
    revision: int  # /R
    permissions: int  # /P, as the signed 32-bit integer in the file
    encrypt: tuple[object, ...]  # the /Encrypt dictionary, canonical (for comparisons)
    file_id: bytes  # the first (permanent) file identifier; part of the key for /R <= 4

    @property
    def allows_form_filling(self) -> bool:
        """Bit 6 (annotations and form fields) or bit 9 (fill in form fields) of /P."""
        p = self.permissions & 0xFFFFFFFF
        return bool(p & (1 << 5)) or bool(p & (1 << 8))


def _reader(data: bytes) -> "PdfReader":
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data), strict=False)


def _canon(obj: object, depth: int = 0) -> object:
    """A comparable value of a PDF object: same dictionary content gives an equal value."""
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, IndirectObject, TextStringObject

    if depth > 20:
        return None
    if isinstance(obj, IndirectObject):
        return ("ref", obj.idnum, obj.generation)
    if isinstance(obj, DictionaryObject):
        return tuple(sorted((str(k), _canon(v, depth + 1)) for k, v in obj.items()))
    if isinstance(obj, ArrayObject):
        return tuple(_canon(v, depth + 1) for v in obj)
    if isinstance(obj, (ByteStringObject, TextStringObject)):
        return bytes(obj.original_bytes)
    return str(obj)


def form_security(data: bytes, reader: "PdfReader | None" = None) -> FormSecurity | None:
    """The security of a PDF that opens with the empty user password; None when it is not encrypted.

    Raises :class:`SecuredFormError` when it is encrypted but needs a password to open (such a
    file is no agency form: those open for everyone).
    """
    from pypdf import PasswordType
    from pypdf.generic import DictionaryObject, IndirectObject

    reader = reader or _reader(data)
    if not reader.is_encrypted:
        return None
    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise SecuredFormError("the PDF needs a password to open (agency forms open without one)")
    raw = reader.trailer.raw_get("/Encrypt")
    resolved = raw.get_object() if isinstance(raw, IndirectObject) else raw
    assert isinstance(resolved, DictionaryObject)
    encryption = reader._encryption
    assert encryption is not None
    method = {"/AESV3": "AES-256", "/AESV2": "AES-128", "/Identity": "Identity"}.get(
        encryption.StmF, f"RC4-{encryption.Length if encryption.V > 1 else 40}"
    )
    ids = reader.trailer.get("/ID")
    first_id = bytes(ids[0].original_bytes) if ids is not None and len(ids) > 0 else b""
    canon = (_canon(raw), _canon(resolved)) if isinstance(raw, IndirectObject) else (_canon(resolved),)
    return FormSecurity(method, int(encryption.V), int(encryption.R), int(resolved.get("/P", 0)), canon, first_id)


# ---------------------------------------------------------------- revisions

_EOF = re.compile(rb"%%EOF[ \t]*(\r\n|\r|\n)?")
_PREV = re.compile(rb"/Prev\s+(\d+)")


def _xref_sections(data: bytes, reader: "PdfReader") -> list[int]:
    """Offsets of the cross-reference sections of the /Prev chain, last one first."""
    from pypdf.generic import DictionaryObject

    offsets: list[int] = []
    at: int | None = int(reader._startxref)
    while at is not None and 0 <= at < len(data) and at not in offsets and len(offsets) < 1000:
        offsets.append(at)
        nxt: int | None = None
        if data.startswith(b"xref", at):
            t = data.find(b"trailer", at)
            m = _PREV.search(data, t, data.find(b"startxref", t)) if t >= 0 else None
            nxt = int(m.group(1)) if m else None
        else:  # an xref stream: "n g obj << ... /Prev x ... >> stream"
            try:
                from pypdf.generic import read_object

                stream = io.BytesIO(data)
                stream.seek(at)
                m2 = re.match(rb"\s*\d+\s+\d+\s+obj\s*", data[at:at + 64])
                if m2 is None:
                    break
                stream.seek(at + m2.end())
                obj = read_object(stream, reader)
                prev = obj.get("/Prev") if isinstance(obj, DictionaryObject) else None
                nxt = int(prev) if prev is not None else None
            except Exception:
                break
        at = nxt
    return offsets


def first_revision_end(data: bytes) -> int | None:
    """Where the first revision of an incrementally updated PDF ends (after its %%EOF line).

    The candidates are the %%EOF markers that close a cross-reference section of the file's /Prev
    chain; the first revision is the shortest such prefix that opens by itself as an encrypted PDF
    with form fields. None when the file has a single revision (nothing was appended).
    """
    reader = _reader(data)
    ends = sorted({m.end() for at in _xref_sections(data, reader) if (m := _EOF.search(data, at)) is not None})
    whole = len(data.rstrip(b"\r\n\t \x00"))
    for end in ends:
        if end >= whole:
            break  # the whole file: no earlier revision
        try:
            prefix = _reader(data[:end])
            if prefix.is_encrypted and form_security(data[:end], prefix) is not None and prefix.get_fields():
                return end
        except Exception:  # a prefix that is no complete PDF (e.g. a linearised file's first-page section)
            continue
    return None


def kept_security(data: bytes, original: bytes | None = None) -> tuple[bool, str]:
    """Whether an encrypted PDF is a secured form kept with its original security, and why (not).

    With ``original`` (the build knows the form it filled): the file must start with exactly the
    original bytes, the original must be encrypted, and the file's trailer must keep the original's
    /Encrypt dictionary and first file identifier. Without it (``indbuilder pdfcheck`` on a file):
    the file must be an incremental update whose first revision is itself an encrypted fillable
    form, with the same /Encrypt and file identifier in the last trailer; that the first revision
    is the agency's form as issued cannot be proved without the original, and the reason says so.
    Both need the file to open with the empty user password.
    """
    try:
        sec = form_security(data)
    except SecuredFormError as exc:
        return False, str(exc)
    except Exception:
        return False, "the PDF cannot be opened to read its security settings"
    if sec is None:
        return False, "the PDF is not encrypted"
    if original is not None:
        if not data.startswith(original):
            return False, "the file does not start with the bytes of the declared form (it was rewritten)"
        try:
            orig = form_security(original)
        except Exception:
            orig = None
        if orig is None:
            return False, "the declared form is not encrypted, so its security cannot have been kept"
        if (orig.encrypt, orig.file_id) != (sec.encrypt, sec.file_id):
            return False, "the update replaces the form's encryption dictionary or file identifier"
        added = len(data) - len(original)
        return True, (f"secured agency form kept with its original security (incremental update): "
                      f"{sec.method}, the first {len(original)} bytes are the declared form"
                      + (f", {added} bytes of filled-in values appended" if added else ", not changed"))
    end = first_revision_end(data)
    if end is None:
        return False, "not an incremental update of a secured form (only a form's own update may keep encryption)"
    first = form_security(data[:end])
    assert first is not None
    if (first.encrypt, first.file_id) != (sec.encrypt, sec.file_id):
        return False, "the update replaces the form's encryption dictionary or file identifier"
    return True, (f"secured agency form kept with its original security (incremental update): {sec.method}; "
                  f"its first revision ({end} bytes) is an encrypted fillable form, not compared with an original")


# ---------------------------------------------------------------- filling


def _object_key(encryption: object, idnum: int, generation: int) -> bytes:
    """The AES key of one object (ISO 32000-1 §7.6.2 Algorithm 1 for /V 4, the file key for /V 5)."""
    key: bytes = getattr(encryption, "_key")
    v = int(getattr(encryption, "V"))
    if v >= 5:
        return key
    n = 5 if v == 1 else int(getattr(encryption, "Length")) // 8
    digest = hashlib.md5(key[:n] + (idnum & 0xFFFFFF).to_bytes(3, "little")
                         + (generation & 0xFFFF).to_bytes(2, "little") + b"sAlT").digest()
    return digest[: min(n + 5, 16)]


def _encryptor(reader: "PdfReader") -> Callable[["PdfObject", int, int], "PdfObject"]:
    """A function that encrypts one object (its strings and stream data) with the document's key."""
    from pypdf._crypt_providers import aes_cbc_encrypt
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, StreamObject, TextStringObject

    encryption = reader._encryption
    assert encryption is not None
    file_key: bytes = getattr(encryption, "_key")

    def crypt(data: bytes, method: str, idnum: int, gen: int, what: bytes) -> bytes:
        if method == "/Identity":
            return data
        if method in ("/AESV2", "/AESV3"):
            key = _object_key(encryption, idnum, gen)
            iv = hmac.new(file_key, b"%d %d %s " % (idnum, gen, what) + data, hashlib.sha256).digest()[:16]
            pad = 16 - len(data) % 16
            return iv + aes_cbc_encrypt(key, iv, data + bytes([pad]) * pad)
        cf = encryption._make_crypt_filter(idnum, gen)  # RC4: deterministic already
        crypt_obj = cf.stm_crypt if what == b"stm" else cf.str_crypt
        return bytes(crypt_obj.encrypt(data))

    def encrypt(obj: "PdfObject", idnum: int, gen: int) -> "PdfObject":
        if isinstance(obj, ByteStringObject):
            return ByteStringObject(crypt(bytes(obj.original_bytes), encryption.StrF, idnum, gen, b"str"))
        if isinstance(obj, TextStringObject):
            return ByteStringObject(crypt(obj.get_encoded_bytes(), encryption.StrF, idnum, gen, b"str"))
        if isinstance(obj, StreamObject):
            out = StreamObject()
            for k, v in obj.items():
                out[k] = encrypt(v, idnum, gen)
            out.set_data(crypt(obj._data, encryption.StmF, idnum, gen, b"stm"))
            return out
        if isinstance(obj, DictionaryObject):
            d = DictionaryObject()
            for k, v in obj.items():
                d[k] = encrypt(v, idnum, gen)
            return d
        if isinstance(obj, ArrayObject):
            return ArrayObject(encrypt(x, idnum, gen) for x in obj)
        return obj

    return encrypt


def fill_secured_form(original: bytes, set_values: Callable[["PdfWriter", "PdfReader"], None]) -> bytes:
    """The secured form ``original`` with the values ``set_values(writer, reader)`` sets, as an
    incremental update (see the module docstring). The original bytes are the output's prefix.

    Raises :class:`SecuredFormError` when the form needs a password to open or its security
    settings do not allow filling in form fields.
    """
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        NumberObject,
        StreamObject,
    )

    reader = _reader(original)
    security = form_security(original, reader)
    if security is None:
        raise SecuredFormError("the form is not encrypted")
    if not security.allows_form_filling:
        raise SecuredFormError("the form's security settings do not allow filling in form fields")
    generation = {idnum: gen for gen, ids in reader.xref.items() for idnum in ids}
    encrypt_raw = reader.trailer.raw_get("/Encrypt")
    encrypt_id = encrypt_raw.idnum if isinstance(encrypt_raw, IndirectObject) else None

    writer = PdfWriter(reader, incremental=True)
    set_values(writer, reader)
    changed = sorted({ref.idnum for ref in writer.list_objects_in_increment()} - {encrypt_id})
    if not changed:
        return original
    encrypt = _encryptor(reader)

    out = io.BytesIO()
    out.write(original)
    if not original.endswith((b"\n", b"\r")):
        out.write(b"\n")
    offsets: dict[int, tuple[int, int]] = {}
    for idnum in changed:
        obj = writer._objects[idnum - 1]
        assert obj is not None
        gen = generation.get(idnum, 0)
        offsets[idnum] = (out.tell(), gen)
        out.write(b"%d %d obj\n" % (idnum, gen))
        encrypt(obj, idnum, gen).write_to_stream(out)
        out.write(b"\nendobj\n")

    trailer = DictionaryObject()
    size = max(int(str(reader.trailer["/Size"])), changed[-1] + 1)
    trailer[NameObject("/Root")] = reader.trailer.raw_get("/Root")
    if "/Info" in reader.trailer:
        trailer[NameObject("/Info")] = reader.trailer.raw_get("/Info")
    trailer[NameObject("/Encrypt")] = encrypt_raw
    ids = reader.trailer.get("/ID")
    if ids is not None:
        # The first identifier is permanent (and, for /R <= 4, part of the key); the second changes
        # with every update (ISO 32000-1 §14.4): derived from the update so builds stay reproducible.
        update = out.getvalue()[len(original):]
        second = hashlib.md5(bytes(ids[0].original_bytes) + update).digest()
        trailer[NameObject("/ID")] = ArrayObject([ByteStringObject(ids[0].original_bytes), ByteStringObject(second)])
    prev = int(reader._startxref)
    trailer[NameObject("/Prev")] = NumberObject(prev)

    runs: list[list[int]] = []
    for idnum in changed:
        if runs and runs[-1][-1] + 1 == idnum:
            runs[-1].append(idnum)
        else:
            runs.append([idnum])
    xref_at = out.tell()
    if data_is_xref_stream(original, prev):
        # the form uses cross-reference streams: the update does too (the stream itself is not
        # encrypted, ISO 32000-1 §7.6.1); fields: type, offset (4 or 8 bytes), generation
        xref_id = size
        size += 1
        runs.append([xref_id])
        offsets[xref_id] = (xref_at, 0)
        width = 4 if xref_at < 2**32 else 8
        rows = b"".join(b"\x01" + offsets[i][0].to_bytes(width, "big") + offsets[i][1].to_bytes(2, "big")
                        for run in runs for i in run)
        stream = StreamObject()
        stream.set_data(rows)
        stream.update(trailer)
        stream[NameObject("/Type")] = NameObject("/XRef")
        stream[NameObject("/Size")] = NumberObject(size)
        stream[NameObject("/W")] = ArrayObject([NumberObject(1), NumberObject(width), NumberObject(2)])
        stream[NameObject("/Index")] = ArrayObject(
            NumberObject(x) for run in runs for x in (run[0], len(run)))
        out.write(b"%d 0 obj\n" % xref_id)
        stream.write_to_stream(out)
        out.write(b"\nendobj\n")
    else:
        out.write(b"xref\n")
        for run in runs:
            out.write(b"%d %d\n" % (run[0], len(run)))
            for i in run:
                off, gen = offsets[i]
                out.write(b"%010d %05d n\r\n" % (off, gen))
        trailer[NameObject("/Size")] = NumberObject(size)
        out.write(b"trailer\n")
        trailer.write_to_stream(out)
        out.write(b"\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def data_is_xref_stream(data: bytes, offset: int) -> bool:
    """Whether the cross-reference section at ``offset`` is a stream (``n g obj``), not a table."""
    return re.match(rb"\s*\d+\s+\d+\s+obj", data[offset:offset + 32]) is not None
