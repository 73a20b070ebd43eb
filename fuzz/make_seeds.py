#!/usr/bin/env python3
"""Writes the seed corpora corpus/<target>/ of the fuzz targets in fuzz/.

Seeds are real protocol data where there is some: the frames of RFC 6455
section 5.7, the UTF-8 sequences of Autobahn|Testsuite section 6, the opening
handshake of RFC 6455 sections 1.2-1.3 and browser-like variants, and
Sec-WebSocket-Extensions values of RFC 7692. Each seed starts with the control
bytes its target documents at the top of fuzz/<target>.c.

    fuzz/make_seeds.py            (re)write every seed
    fuzz/make_seeds.py --check    exit 1 if a seed on disk differs or is missing

Only the files named here are written; regressions/ and inputs merged in
from campaigns are left alone. Standard library only.
"""
import os
import struct
import sys
import zlib

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CORPUS = os.path.join(ROOT, "corpus")

SEEDS = {}  # target -> {name: bytes}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    SEEDS.setdefault(target, {})[name] = bytes(data)


# ---- frames -----------------------------------------------------------------

def mask(payload, key, offset=0):
    return bytes(b ^ key[(offset + i) % 4] for i, b in enumerate(payload))


def frame(opcode, payload=b"", fin=True, rsv=0, key=None, form=None, declared=None):
    """A frame as a peer could send it: any RSV, opcode, length form or lie."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    length = len(payload) if declared is None else declared
    if form is None:
        form = 7 if length <= 125 else 16 if length <= 0xFFFF else 64
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    m = 0x80 if key is not None else 0
    if form == 7:
        head = bytes([b0, m | length])
    elif form == 16:
        head = bytes([b0, m | 126]) + struct.pack(">H", length)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", length)
    if key is not None:
        return head + bytes(key) + mask(payload, key)
    return head + payload


KEY = bytes([0x37, 0xFA, 0x21, 0x3D])  # RFC 6455 5.7
KEY2 = bytes([0x12, 0x34, 0x56, 0x78])

# RFC 6455 5.7, byte for byte.
RFC_57 = {
    "rfc6455-5.7-unmasked-text-hello": bytes.fromhex("810548656c6c6f"),
    "rfc6455-5.7-masked-text-hello": bytes.fromhex("818537fa213d7f9f4d5158"),
    "rfc6455-5.7-fragmented-text": bytes.fromhex("010348656c") + bytes.fromhex("80026c6f"),
    "rfc6455-5.7-unmasked-ping": bytes.fromhex("890548656c6c6f"),
    "rfc6455-5.7-masked-pong": bytes.fromhex("8a8537fa213d7f9f4d5158"),
    "rfc6455-5.7-binary-256": bytes.fromhex("827e0100") + bytes(range(256)),
    "rfc6455-5.7-binary-64k-header": bytes.fromhex("827f0000000000010000") + b"\0" * 64,
}


def frame_seeds():
    splits = {"bytewise": 0x00, "chunks2": 0x25, "chunks5": 0x6B, "chunks17": 0xA3,
              "whole": 0xE0}
    for i, (name, wire) in enumerate(sorted(RFC_57.items())):
        ctl = list(splits.values())[i % len(splits)]
        seed("frame_header", name, bytes([ctl]) + wire)
    seed("frame_header", "stream-text-ping-close-bytewise",
         b"\x00" + frame(1, "Hello") + frame(9, "ping") + frame(8, b"\x03\xe8bye"))
    seed("frame_header", "stream-masked-fragments-chunks3",
         b"\x45" + frame(1, "frag", fin=False, key=KEY) + frame(0xA, key=KEY2)
         + frame(0, "ment", key=KEY))
    seed("frame_header", "length16-non-minimal", b"\x25" + frame(2, "abc", form=16))
    seed("frame_header", "length64-non-minimal", b"\x00" + frame(2, "abc", form=64))
    seed("frame_header", "length64-msb-set",
         b"\x00" + bytes.fromhex("827f8000000000000000"))
    seed("frame_header", "length64-masked-large",
         b"\xa3" + frame(2, b"", key=KEY, declared=0x7FFFFFFFFFFFFFFF))
    seed("frame_header", "rsv-reserved-opcodes",
         b"\x6b" + frame(3, "x", rsv=7) + frame(0xB, "y", rsv=1) + frame(0xF, rsv=4, fin=False))
    seed("frame_header", "permessage-deflate-rsv1",
         b"\xe0" + frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4))
    seed("frame_header", "empty-frames", b"\x25" + frame(1) + frame(0) + frame(9, key=KEY))

    # frame_roundtrip: [flags][rsv|allowed][opcode|cut][key x4][length x8] rest
    def spec(fin=1, masked=0, declare=0, form=0, server=0, lax=0, rsv=0, allowed=0,
             opcode=1, cut=0, key=KEY, length=0):
        b0 = fin | masked << 1 | declare << 2 | form << 3 | server << 6 | lax << 7
        return (bytes([b0, rsv | allowed << 4, opcode | cut << 5]) + bytes(key)
                + struct.pack(">Q", length))

    rt = "frame_roundtrip"
    seed(rt, "text-minimal-client-hello", spec(opcode=1, length=5) + RFC_57[
        "rfc6455-5.7-unmasked-text-hello"])
    seed(rt, "text-masked-server-hello", spec(masked=1, server=1, length=5) + RFC_57[
        "rfc6455-5.7-masked-text-hello"])
    seed(rt, "binary-form16-256", spec(opcode=2, form=2, length=256) + RFC_57[
        "rfc6455-5.7-binary-256"][:40])
    seed(rt, "binary-form64-64k", spec(opcode=2, form=3, length=65536) + RFC_57[
        "rfc6455-5.7-binary-64k-header"][:16])
    seed(rt, "declared-length-lie", spec(opcode=2, declare=1, length=1000) + b"short payload")
    seed(rt, "declared-msb-set", spec(opcode=2, declare=1, form=3, length=1 << 63) + b"x")
    seed(rt, "form7-too-long-invalid", spec(form=1, declare=1, length=126) + b"")
    seed(rt, "form16-too-long-invalid", spec(form=2, declare=1, length=65536) + b"")
    seed(rt, "rsv-opcode-out-of-range", spec(rsv=9, opcode=17) + b"\x81\x00")
    seed(rt, "ping-fragmented-rule", spec(fin=0, opcode=9, length=3) + b"\x09\x03abc")
    seed(rt, "close-too-long-rule", spec(opcode=8, length=126, server=1, masked=1)
         + frame(8, b"\x03\xe8" + b"r" * 124, key=KEY))
    seed(rt, "rsv1-negotiated", spec(rsv=4, allowed=4, opcode=1, length=7)
         + frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4))
    seed(rt, "non-minimal-allowed", spec(lax=1, form=2, length=3, cut=4) + frame(2, "abc", form=16))
    seed(rt, "buffer-too-small", spec(masked=1, cut=6, length=20) + b"payload of twenty b.")


# ---- UTF-8 (Autobahn|Testsuite section 6) -------------------------------------

AUTOBAHN_UTF8 = [
    ("6.2.1-hello-mu", "48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121"),
    ("6.2.4-kosme", "cebae1bdb9cf83cebcceb5"),
    ("6.3.1-kosme-surrogate-edited", "cebae1bdb9cf83cebcceb5eda080656469746564"),
    ("6.4.1-kosme-u110000-edited", "cebae1bdb9cf83cebcceb5f4908080656469746564"),
    ("6.5.3-euro", "68656c6c6fe282ac776f726c64"),
    ("6.5.4-u24b62", "68656c6c6ff0a4ada2776f726c64"),
    ("6.6.3-kosme-prefix-3", "cebae1"),
    ("6.6.8-kosme-prefix-8", "cebae1bdb9cf83ce"),
    ("6.7-first-of-each-length", "00c280e0a080f0908080"),
    ("6.8.1-five-byte", "f888808080"),
    ("6.8.2-six-byte", "fc8480808080"),
    ("6.9-last-of-each-length", "7fdfbfefbfbff48fbfbf"),
    ("6.10.1-beyond-u10ffff", "f7bfbfbf"),
    ("6.11-boundaries", "ed9fbfee8080efbfbdf48fbfbf"),
    ("6.11.5-u110000", "f4908080"),
    ("6.12.1-lone-continuation", "80"),
    ("6.12.8-continuations-80-be", bytes(range(0x80, 0xBF)).hex()),
    ("6.13.1-lonely-2-byte-starts", "".join("%02x20" % b for b in range(0xC0, 0xDF))),
    ("6.13.2-lonely-3-byte-starts", "".join("%02x20" % b for b in range(0xE0, 0xEF))),
    ("6.13.3-lonely-4-byte-starts", "".join("%02x20" % b for b in range(0xF0, 0xF7))),
    ("6.14.3-last-continuation-missing", "f08080"),
    ("6.14.7-last-continuation-missing", "efbf"),
    ("6.15-concatenated-incomplete", "c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf"),
    ("6.16.3-impossible", "fefeffff"),
    ("6.17.2-overlong-slash-3", "e080af"),
    ("6.18.3-max-overlong-4", "f08fbfbf"),
    ("6.19.2-overlong-nul-3", "e08080"),
    ("6.20.1-surrogate-d800", "eda080"),
    ("6.20.7-surrogate-dfff", "edbfbf"),
    ("6.21.1-paired-surrogates", "eda080edb080"),
    ("6.22-noncharacters", "efbfbef09fbfbef3bfbfbff48fbfbf"),
    ("6.23-specials", "efbfb9efbfbaefbfbbefbfbcefbfbdefbfbeefbfbf"),
]


def utf8_seeds():
    ctls = [0x00, 0x25, 0x6B, 0xA3, 0xE0, 0xC7]
    for i, (name, hexa) in enumerate(AUTOBAHN_UTF8):
        seed("utf8", "autobahn-" + name, bytes([ctls[i % len(ctls)]]) + bytes.fromhex(hexa))
    ascii_run = b"The quick brown fox jumps over the lazy dog; " * 3
    seed("utf8", "ascii-then-euro-across-16-byte-blocks",
         b"\xc7" + ascii_run[:47] + "€".encode() + ascii_run + "κόσμε".encode())
    seed("utf8", "ascii-long-then-surrogate", b"\xe0" + ascii_run + bytes.fromhex("eda080") + b"x")
    seed("utf8", "mixed-scripts", b"\xa3" + "Grüße, 世界! 🦊 Привет".encode() * 4)
    seed("utf8", "ascii-then-truncated-4-byte", b"\xe0" + ascii_run[:64] + bytes.fromhex("f09f"))


# ---- masking ------------------------------------------------------------------

def mask_seeds():
    # [key x4][align src|dst<<4][offset x8][split] payload
    cases = [
        ("rfc-key-hello", KEY, 0x00, 0, 0x00, b"Hello"),
        ("empty", KEY, 0x00, 0, 0x00, b""),
        ("len-7-offset-1", KEY2, 0x00, 1, 0x25, b"1234567"),
        ("len-16-aligned", KEY2, 0x00, 0, 0x6B, bytes(range(16))),
        ("len-17-misaligned", KEY2, 0x53, 2, 0x6B, bytes(range(17))),
        ("len-63-offset-3", bytes([0xFF, 0, 0xAA, 0x55]), 0xF1, 3, 0xA3, bytes(range(63))),
        ("len-64-whole", bytes([1, 2, 3, 4]), 0x88, 4, 0xE0, bytes(range(64))),
        ("len-200-pieces", bytes([0xDE, 0xAD, 0xBE, 0xEF]), 0x7E, 5, 0xC7, bytes(range(200))),
        ("offset-wraps-64-bit", KEY, 0x1F, 0xFFFFFFFFFFFFFFFE, 0x25, b"wrap around the offset"),
    ]
    for name, key, align, offset, split, payload in cases:
        seed("mask", name, bytes(key) + bytes([align]) + struct.pack(">Q", offset)
             + bytes([split]) + payload)


# ---- message assembler --------------------------------------------------------

def message_seeds():
    # [lenient|nonminimal<<7][rsv_allowed|failalloc<<3|size<<4][split] stream
    SIZE_1000, SIZE_125, SIZE_16, SIZE_4096, SIZE_DEFAULT = 9, 5, 3, 12, 15

    def streams(key):
        """(name, lenient, rsv_allowed, size index, split, frames) for one role."""
        k = key
        k2 = KEY2 if key is not None else None
        close = lambda code, reason=b"", kk=k: frame(8, struct.pack(">H", code) + reason, key=kk)
        return [
            ("rfc-text-hello", 0, 0, SIZE_1000, 0x00, frame(1, "Hello", key=k)),
            ("rfc-fragmented-text", 0, 0, SIZE_1000, 0x25,
             frame(1, "Hel", fin=False, key=k) + frame(0, "lo", key=k)),
            ("ping-inside-fragmented-message", 0, 0, SIZE_1000, 0x6B,
             frame(1, "frag", fin=False, key=k) + frame(9, "ping", key=k2)
             + frame(0, "ment", key=k) + close(1000)),
            ("binary-256-then-close-reason", 0, 0, SIZE_1000, 0xA3,
             frame(2, bytes(range(256)), key=k) + close(1001, b"going away")),
            ("close-then-data", 0, 0, SIZE_1000, 0x00, close(1000) + frame(1, "late", key=k)),
            ("close-empty-payload", 0, 0, SIZE_125, 0x25, frame(8, key=k)),
            ("close-one-byte", 0, 0, SIZE_125, 0x25, frame(8, b"\x03", key=k)),
            ("close-code-1005-invalid", 0, 0, SIZE_125, 0xE0, close(1005)),
            ("close-reason-invalid-utf8", 0, 0, SIZE_125, 0xE0, close(1000, b"\xce\xba\xff")),
            ("autobahn-6.4.1-fail-fast", 0, 0, SIZE_1000, 0x00,
             frame(1, bytes.fromhex("cebae1bdb9cf83cebcceb5"), fin=False, key=k)
             + frame(0, bytes.fromhex("f4908080"), fin=False, key=k)
             + frame(0, b"edited", key=k)),
            ("autobahn-6.2.3-text-bytewise", 0, 0, SIZE_1000, 0x00,
             b"".join(frame(0 if i else 1, bytes([c]), fin=(i == 28), key=k) for i, c in
                      enumerate(bytes.fromhex(AUTOBAHN_UTF8[0][1])))),
            ("message-over-size-cap", 0, 0, SIZE_16, 0x6B, frame(2, b"x" * 40, key=k)),
            ("fragments-over-size-cap", 0, 0, SIZE_16, 0x25,
             frame(2, b"x" * 10, fin=False, key=k) + frame(0, b"y" * 10, key=k)),
            ("control-too-long", 0, 0, SIZE_1000, 0xE0, frame(9, b"p" * 126, key=k)),
            ("control-fragmented", 0, 0, SIZE_1000, 0xE0, frame(10, b"p", fin=False, key=k)),
            ("continuation-without-start", 0, 0, SIZE_1000, 0x25, frame(0, "cont", key=k)),
            ("data-frame-inside-message", 0, 0, SIZE_1000, 0x25,
             frame(1, "a", fin=False, key=k) + frame(2, "b", key=k)),
            ("reserved-opcode", 0, 0, SIZE_1000, 0x25, frame(3, "x", key=k)),
            ("rsv1-deflate-negotiated", 0, 4, SIZE_1000, 0x6B,
             frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4, key=k)
             + frame(0, b"", rsv=4, key=k)),
            ("rsv2-not-negotiated", 0, 4, SIZE_1000, 0x6B, frame(2, "x", rsv=2, key=k)),
            ("non-minimal-length", 0, 0, SIZE_1000, 0x25, frame(2, "abc", form=16, key=k)),
            ("non-minimal-length-allowed", 0x80, 0, SIZE_1000, 0x25,
             frame(2, "abc", form=64, key=k) + frame(9, "p", key=k)),
            ("length-msb-set", 0, 0, SIZE_1000, 0x00, bytes.fromhex("827f8000000000000000")),
            ("lenient-everything", 0x7F, 0, SIZE_4096, 0xA3,
             frame(0, "stray", key=k) + frame(5, "skip", key=k) + frame(1, b"\xff", rsv=3, key=k)
             + frame(8, b"\x00", key=k) + frame(1, "after close", key=k2)),
            ("wrong-masking-lenient", 0x02, 0, SIZE_1000, 0x25,
             frame(1, "flip", key=None if k is not None else KEY)),
            ("wrong-masking", 0, 0, SIZE_1000, 0x25,
             frame(1, "flip", key=None if k is not None else KEY)),
            ("allocation-fails", 0, 8, SIZE_DEFAULT, 0xE0, frame(2, b"data", key=k)),
            ("empty-messages", 0, 0, SIZE_1000, 0x25,
             frame(1, key=k) + frame(1, fin=False, key=k) + frame(0, fin=False, key=k)
             + frame(0, key=k) + frame(10, key=k)),
        ]

    for target, key in (("message_server", KEY), ("message_client", None)):
        for name, lenient, rsv_alloc, size, split, stream in streams(key):
            flags = bytes([lenient, rsv_alloc | size << 4, split])
            seed(target, name, flags + stream)


# ---- permessage-deflate ---------------------------------------------------------

def compress_messages(messages, wbits=15, takeover=True):
    """Payloads of RFC 7692 7.2.1: raw DEFLATE, sync flush, 00 00 ff ff cut."""
    out = []
    c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    for m in messages:
        if not takeover:
            c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
        data = c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(b"\x00\x00\xff\xff")
        out.append(data[:-4])
    return out


def deflate_seeds():
    hello = bytes.fromhex("f248cdc9c90700")            # 7.2.3.1
    hello_again = bytes.fromhex("f200110000")          # 7.2.3.2, shared window
    stored = bytes.fromhex("000500faff48656c6c6f00")  # 7.2.3.3
    bfinal = bytes.fromhex("f348cdc9c90700")           # 7.2.3.4
    two_blocks = bytes.fromhex("f24805000000ffffcac9c90700")  # 7.2.3.5
    zeros = compress_messages([bytes(200000)])[0]      # a bomb: 200 kB from about 200 bytes
    text = compress_messages([b"The quick brown fox jumps over the lazy dog. " * 20,
                              b"The quick brown fox jumps over the lazy dog again."])
    text9 = compress_messages([b"abcabcabc" * 60, b"abcabcabc" * 60], wbits=9, takeover=False)

    def records(*payloads):
        return b"".join(struct.pack(">H", len(p)) + p for p in payloads)

    # inflate: [window-8 | no_context_takeover<<3 | out cap<<4][split][max size] records
    W15, W9, NCT = 7, 1, 8
    CAP1, CAP7, CAP4096 = 0, 6, 15
    MAX100, MAX4096, MAX1M = 5, 8, 14
    for name, ctl, split, maxi, body in [
        ("rfc7692-7.2.3.1-hello", W15 | CAP4096 << 4, 0xE0, MAX100, records(hello)),
        ("rfc7692-7.2.3.2-shared-window", W15 | CAP1 << 4, 0x00, MAX100, records(hello, hello_again)),
        ("rfc7692-7.2.3.2-no-context-takeover", W15 | NCT | CAP7 << 4, 0x25, MAX100,
         records(hello, hello_again)),
        ("rfc7692-7.2.3.3-stored-block", W15 | CAP7 << 4, 0x25, MAX100, records(stored)),
        ("rfc7692-7.2.3.4-bfinal", W15 | CAP7 << 4, 0x6B, MAX100, records(bfinal, hello)),
        ("rfc7692-7.2.3.5-two-blocks", W15 | CAP1 << 4, 0x25, MAX100, records(two_blocks)),
        ("bomb-200k-zeros-cap-4096", W15 | CAP4096 << 4, 0xE0, MAX4096, records(zeros)),
        ("bomb-200k-zeros-cap-1m", W15 | CAP4096 << 4, 0xE0, MAX1M, records(zeros)),
        ("text-two-messages", W15 | CAP7 << 4, 0x6B, MAX4096, records(*text)),
        ("window-9-no-context-takeover", W9 | NCT | CAP7 << 4, 0x25, MAX4096, records(*text9)),
        ("empty-payload-truncated", W15 | CAP7 << 4, 0x25, MAX100, records(b"")),
        ("empty-message", W15 | CAP7 << 4, 0x25, MAX100, records(b"\x00")),
        ("garbage", W15 | CAP7 << 4, 0x25, MAX100, records(b"\xff\xff\xff\xff")),
        ("cut-inside-block", W15 | CAP7 << 4, 0x25, MAX100, records(text[0][:20])),
    ]:
        seed("inflate", name, bytes([ctl, split, maxi]) + body)

    # deflate_roundtrip: [window-8 | no_context_takeover<<3 | level<<4]
    # [deflater cap | inflater cap<<4][split] records
    import random
    rnd = random.Random(7692)
    noise = bytes(rnd.randrange(256) for _ in range(300))
    for name, ctl, caps, split, body in [
        ("hello-window-15", 7, 0xFF, 0xE0, records(b"Hello")),
        ("hello-twice-shared-window", 7, 0x00, 0x25, records(b"Hello", b"Hello")),
        ("hello-twice-no-context-takeover", 7 | 8, 0x36, 0x25, records(b"Hello", b"Hello")),
        ("empty-messages", 7, 0x11, 0x00, records(b"", b"", b"x", b"")),
        ("window-8-stored-blocks", 0, 0x26, 0x6B, records(b"abcabcabc" * 40, noise)),
        ("window-9-level-1", 1 | 1 << 4, 0x63, 0x25, records(b"abcabcabc" * 100)),
        ("level-9-text", 7 | 9 << 4, 0xC9, 0xA3, records(b"The quick brown fox. " * 30,
                                                        b"The quick brown fox again.")),
        ("incompressible", 5, 0x4E, 0x6B, records(noise, noise)),
        ("zeros", 7, 0x0F, 0xE0, records(bytes(3000))),
    ]:
        seed("deflate_roundtrip", name, bytes([ctl, caps, split]) + body)

    # message_deflate: message seeds plus [window-8 | no_context_takeover<<3]
    SIZE_1000, SIZE_4096 = 9, 12
    for name, size, split, wctl, stream in [
        ("rfc7692-hello-masked", SIZE_1000, 0x00, 7, frame(1, hello, rsv=4, key=KEY)),
        ("rfc7692-shared-window", SIZE_1000, 0x25, 7,
         frame(1, hello, rsv=4, key=KEY) + frame(1, hello_again, rsv=4, key=KEY2)),
        ("compressed-fragments-and-ping", SIZE_4096, 0x6B, 7,
         frame(1, text[0][:10], rsv=4, fin=False, key=KEY) + frame(9, "ping", key=KEY2)
         + frame(0, text[0][10:], key=KEY) + frame(1, text[1], rsv=4, key=KEY2)),
        ("rsv1-on-continuation", SIZE_1000, 0x25, 7,
         frame(1, hello[:3], rsv=4, fin=False, key=KEY) + frame(0, hello[3:], rsv=4, key=KEY)),
        ("rsv1-on-ping", SIZE_1000, 0x25, 7, frame(9, "p", rsv=4, key=KEY)),
        ("compressed-invalid-utf8", SIZE_1000, 0x25, 7,
         frame(1, compress_messages([b"\xce\xba\xff"])[0], rsv=4, key=KEY)),
        ("bomb-over-cap", SIZE_4096, 0xE0, 7, frame(2, zeros, rsv=4, key=KEY)),
        ("window-9", SIZE_4096, 0x25, 1 | 8, b"".join(frame(2, m, rsv=4, key=KEY) for m in text9)),
        ("uncompressed-then-compressed", SIZE_1000, 0x25, 7,
         frame(1, "plain", key=KEY) + frame(1, hello, rsv=4, key=KEY) + frame(8, b"\x03\xe8", key=KEY)),
    ]:
        seed("message_deflate", name, bytes([0, 4 | size << 4, split, wctl]) + stream)


def negotiation_seeds():
    # [server window | client window<<4][server nct | client nct<<1] offer [LF response]
    for name, cfg, flags, text in [
        ("rfc7692-plain-offer", 0x00, 0, "permessage-deflate"),
        ("rfc7692-client-max-window-bits-no-value", 0x00, 0, "permessage-deflate; client_max_window_bits"),
        ("rfc7692-5.2-two-offers", 0x33, 0,
         "permessage-deflate; client_max_window_bits=10, permessage-deflate"),
        ("rfc7692-all-params", 0x00, 3,
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
         "server_max_window_bits=9; client_max_window_bits=12"),
        ("quoted-value", 0x00, 0, 'permessage-deflate; server_max_window_bits="10"'),
        ("window-8", 0x11, 0, "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8"),
        ("server-limits-client-declined", 0x50, 0, "permessage-deflate"),
        ("invalid-then-valid", 0x00, 0,
         "permessage-deflate; server_max_window_bits=16, permessage-deflate; x=1, permessage-deflate"),
        ("duplicate-param", 0x00, 0, "permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
        ("leading-zero", 0x00, 0, "permessage-deflate; client_max_window_bits=010"),
        ("other-extension-first", 0x00, 0, "x-webkit-deflate-frame, permessage-deflate"),
        ("response-accepted", 0x00, 0,
         "permessage-deflate; client_max_window_bits\npermessage-deflate; client_max_window_bits=10"),
        ("response-window-too-large", 0x00, 0,
         "permessage-deflate; server_max_window_bits=10\npermessage-deflate; server_max_window_bits=12"),
        ("response-client-window-not-offered", 0x00, 0,
         "permessage-deflate\npermessage-deflate; client_max_window_bits=10"),
        ("response-twice", 0x00, 0, "permessage-deflate\npermessage-deflate, permessage-deflate"),
        ("response-without-value", 0x00, 0,
         "permessage-deflate; client_max_window_bits\npermessage-deflate; client_max_window_bits"),
    ]:
        seed("pmd_negotiate", name, bytes([cfg, flags]) + text.encode())


# ---- HTTP heads and handshake values ------------------------------------------

def crlf(*lines):
    return "".join(line + "\r\n" for line in lines) + "\r\n"


RFC_REQUEST = crlf(
    "GET /chat HTTP/1.1",
    "Host: server.example.com",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Origin: http://example.com",
    "Sec-WebSocket-Protocol: chat, superchat",
    "Sec-WebSocket-Version: 13")

CHROME_REQUEST = crlf(
    "GET /socket?room=1 HTTP/1.1",
    "Host: localhost:9001",
    "Connection: Upgrade",
    "Pragma: no-cache",
    "Cache-Control: no-cache",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "Upgrade: websocket",
    "Origin: http://localhost:8080",
    "Sec-WebSocket-Version: 13",
    "Accept-Encoding: gzip, deflate, br",
    "Accept-Language: en-US,en;q=0.9",
    "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEC==",
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")

FIREFOX_REQUEST = crlf(
    "GET wss://example.org:443/ws HTTP/1.1",
    "Host: example.org",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Accept: */*",
    "Sec-WebSocket-Version: 13",
    "Origin: https://example.org",
    "Sec-WebSocket-Extensions: permessage-deflate",
    "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
    "Connection: keep-alive, Upgrade",
    "Sec-Fetch-Mode: websocket",
    "Pragma: no-cache",
    "Upgrade: websocket")


def http_seeds():
    # Control byte 'G' (0x47): 8192-byte heads, 64 header fields, offers stored.
    req = "http_request"
    seed(req, "rfc6455-1.2-client-handshake", "G" + RFC_REQUEST)
    seed(req, "chrome-like-permessage-deflate", "G" + CHROME_REQUEST)
    seed(req, "firefox-like-absolute-form", "G" + FIREFOX_REQUEST)
    seed(req, "rfc-handshake-offers-counted", "O" + RFC_REQUEST)
    seed(req, "rfc-handshake-two-header-slots", "A" + RFC_REQUEST)
    seed(req, "rfc-handshake-64-byte-limit", "\xb7" + RFC_REQUEST)
    seed(req, "leading-empty-lines", "G\r\n\r\n" + RFC_REQUEST)
    seed(req, "version-8-needs-426", "G" + RFC_REQUEST.replace("Version: 13", "Version: 8"))
    seed(req, "post-method-405", "G" + RFC_REQUEST.replace("GET", "POST", 1))
    seed(req, "http-1.0", "G" + RFC_REQUEST.replace("HTTP/1.1", "HTTP/1.0", 1))
    seed(req, "duplicate-key", "G" + RFC_REQUEST.replace(
        "Origin:", "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEC==\r\nOrigin:"))
    seed(req, "key-not-16-bytes", "G" + RFC_REQUEST.replace("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZQ=="))
    seed(req, "target-with-fragment", "G" + RFC_REQUEST.replace("/chat", "/chat#frag", 1))
    seed(req, "host-with-userinfo", "G" + RFC_REQUEST.replace("server.example.com", "user@server"))
    seed(req, "extensions-and-protocols-repeated", "G" + RFC_REQUEST.replace(
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"
        "Sec-WebSocket-Extensions: x-webkit-deflate-frame"))
    seed(req, "obs-fold-rejected", "G" + RFC_REQUEST.replace("Upgrade\r\n", "Upgrade\r\n  , foo\r\n", 1))
    seed(req, "space-before-colon", "G" + RFC_REQUEST.replace("Host:", "Host :"))
    seed(req, "bare-lf", "G" + RFC_REQUEST.replace("\r\n", "\n", 2))
    seed(req, "obs-text-in-value", "G" + RFC_REQUEST.replace("http://example.com", "http://\xe9xample.com"))
    seed(req, "incomplete-head", "G" + RFC_REQUEST[:-2])

    res = "http_response"
    rfc = crlf(
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "Sec-WebSocket-Protocol: chat")
    seed(res, "rfc6455-1.3-server-handshake", "G" + rfc)
    seed(res, "permessage-deflate-accepted", "G" + rfc.replace(
        "Sec-WebSocket-Protocol: chat",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15"))
    seed(res, "extension-not-offered", "G" + rfc.replace(
        "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Extensions: x-unknown"))
    seed(res, "protocol-not-offered", "G" + rfc.replace("Protocol: chat", "Protocol: mqtt"))
    seed(res, "second-request-no-offers", "O" + crlf(
        "HTTP/1.1 101 Web Socket Protocol Handshake",
        "upgrade: WebSocket",
        "connection: keep-alive, upgrade",
        "sec-websocket-accept:   OfS0wDaT5NoxF2gqm7Zj2YtetzM=  ",
        "Server: test"))
    seed(res, "accept-mismatch", "G" + rfc.replace("s3pPLM", "s3pPLm"))
    seed(res, "accept-repeated", "G" + rfc.replace(
        "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
    seed(res, "upgrade-list-not-websocket", "G" + rfc.replace(
        "Upgrade: websocket", "Upgrade: websocket, h2c"))
    seed(res, "status-426-version", "G" + crlf(
        "HTTP/1.1 426 Upgrade Required",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Content-Length: 0"))
    seed(res, "status-200-empty-reason", "G" + crlf("HTTP/1.1 200 ", "Content-Length: 0"))
    seed(res, "no-reason-space-missing", "G" + crlf("HTTP/1.1 101", "Upgrade: websocket"))
    seed(res, "http-2.0-status-999", "G" + crlf("HTTP/2.0 999 What", "X: y"))
    seed(res, "small-limits", "\x91" + rfc)
    seed(res, "incomplete-head", "G" + rfc[:60])

    ext = "extensions"
    values = [
        ("rfc7692-client-max-window-bits", "permessage-deflate; client_max_window_bits"),
        ("rfc7692-all-params", "permessage-deflate; client_max_window_bits=15; "
         "server_max_window_bits=10; server_no_context_takeover; client_no_context_takeover"),
        ("rfc7692-quoted-value", 'permessage-deflate; server_max_window_bits="10"'),
        ("rfc7692-offer-list", "permessage-deflate; client_max_window_bits; server_max_window_bits=10, "
         "permessage-deflate; client_max_window_bits, permessage-deflate"),
        ("x-webkit-deflate-frame", "x-webkit-deflate-frame"),
        ("rfc6455-9.1-example", "foo, bar; baz=2"),
        ("quoted-pair-escapes", 'mux; max-channels="\\1\\0\\2"; flow=yes'),
        ("ows-and-empty-elements", " ,\tfoo ;\tbar = 1 ,, baz ;qux , "),
        ("nine-params", "p; a; b; c; d; e; f; g; h; i"),
        ("empty-quoted-value", 'foo; bar=""'),
        ("unterminated-quote", 'foo; bar="abc'),
        ("trailing-semicolon", "foo;"),
        ("missing-name", "; foo"),
        ("equals-without-value", "foo; bar="),
        ("space-inside-name", "permessage deflate"),
    ]
    ctls = ["G", "G", "G", "G", "A", "B", "G", "G", "G", "G", "H", "G", "G", "W", "G"]
    for (name, value), ctl in zip(values, ctls):
        seed(ext, name, ctl + value)
    seed(ext, "three-extensions-capacity-two", "B" + "a, b; c=d, e")
    seed(ext, "appended-after-five", "7" + "permessage-deflate")

    pro = "protocols"
    values = [
        ("rfc6455-chat-superchat", "chat, superchat"),
        ("single", "chat"),
        ("stomp-versions", "v10.stomp, v11.stomp, v12.stomp"),
        ("wamp", "wamp.2.json, wamp.2.msgpack"),
        ("ows-and-empty-elements", " , chat,,\tsuperchat ,"),
        ("space-inside-element", "chat superchat"),
        ("separator-in-token", "chat/1.0"),
        ("only-commas", ", ,"),
        ("quoted-not-a-token", '"chat"'),
    ]
    ctls = ["G", "G", "B", "G", "G", "G", "G", "G", "G"]
    for (name, value), ctl in zip(values, ctls):
        seed(pro, name, ctl + value)
    seed(pro, "capacity-one-two-tokens", "A" + "chat, superchat")
    seed(pro, "count-only", "O" + "chat, superchat, mqtt")
    seed(pro, "appended-after-two", "c" + "chat, superchat")


REGRESSIONS_README = """\
Regression inputs of this fuzz target
=====================================

Every crash, leak, timeout or property violation ever found by fuzzing this
target is added here (minimised where possible: the libFuzzer binary with
-minimize_crash=1, or afl-tmin), under a name saying what it found, and
replayed forever: `make check-fuzz-replay` runs every file in this folder
through the target under ASan and UBSan, and the fuzzers start from it too.

Files here are never regenerated or deleted by fuzz/make_seeds.py.
"""


def main():
    check = "--check" in sys.argv[1:]
    frame_seeds()
    utf8_seeds()
    mask_seeds()
    message_seeds()
    deflate_seeds()
    negotiation_seeds()
    http_seeds()
    stale = 0
    for target, seeds in sorted(SEEDS.items()):
        folder = os.path.join(CORPUS, target)
        files = dict(seeds)
        files[os.path.join("regressions", "README")] = REGRESSIONS_README.encode()
        for name, data in sorted(files.items()):
            path = os.path.join(folder, name)
            if check:
                try:
                    with open(path, "rb") as f:
                        same = f.read() == data
                except OSError:
                    same = False
                if not same:
                    print("differs or missing: %s" % os.path.relpath(path, ROOT))
                    stale += 1
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        if not check:
            print("%-16s %3d seeds" % (target, len(seeds)))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
