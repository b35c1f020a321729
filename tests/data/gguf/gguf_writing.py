"""GGUF writing and ggml block quantization for the fixture scripts, from the spec (ggml
docs/gguf.md) and ggml's reference quantize_row_*_ref / dequantize_row_* (the gguf python package
is not used).  Imported by make_gguf_fixtures.py and ../quantpair/make_quantpair.py."""
import struct

import numpy as np


# metadata value types
U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
SCALAR_FORMAT = {U8: "B", I8: "b", U16: "H", I16: "h", U32: "I", I32: "i", F32: "f", BOOL: "?",
                 U64: "Q", I64: "q", F64: "d"}
# ggml types: code, block elements, block bytes
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q4_1": (3, 32, 20), "Q5_0": (6, 32, 22),
        "Q5_1": (7, 32, 24), "Q8_0": (8, 32, 34), "Q8_1": (9, 32, 36), "Q2_K": (10, 256, 84),
        "Q3_K": (11, 256, 110), "Q4_K": (12, 256, 144), "Q5_K": (13, 256, 176), "Q6_K": (14, 256, 210),
        "Q8_K": (15, 256, 292), "IQ2_XS": (17, 256, 74), "I8": (24, 1, 1), "I16": (25, 1, 2),
        "I32": (26, 1, 4), "I64": (27, 1, 8), "F64": (28, 1, 8), "BF16": (30, 1, 2), "TQ1_0": (34, 256, 54)}


class Writer:
    def __init__(self, version=3, big=False):
        self.version, self.e = version, ">" if big else "<"
        self.out = bytearray()

    def pack(self, fmt, *v):
        self.out += struct.pack(self.e + fmt, *v)

    def count(self, n):
        self.pack("I" if self.version == 1 else "Q", n)

    def string(self, s):
        b = s.encode("utf-8") if isinstance(s, str) else s
        self.count(len(b))
        self.out += b

    def value(self, vtype, v):
        if vtype == STRING:
            self.string(v)
        elif vtype == ARRAY:
            etype, items = v
            self.pack("I", etype)
            self.count(len(items))
            for item in items:
                self.value(etype, item)
        else:
            self.pack(SCALAR_FORMAT[vtype], v)


def gguf(path, kvs, tensors, version=3, big=False, alignment=32):
    """kvs: [(key, type, value)]; tensors: [(name, ggml type, numpy shape, raw bytes)]."""
    w = Writer(version, big)
    w.out += b"GGUF"
    w.pack("I", version)
    w.count(len(tensors))
    w.count(len(kvs))
    for key, vtype, v in kvs:
        w.string(key)
        w.pack("I", vtype)
        w.value(vtype, v)
    offset, blobs = 0, []
    for name, gtype, shape, raw in tensors:
        w.string(name)
        w.pack("I", len(shape))
        for d in reversed(shape):  # ggml dims: innermost first
            w.count(d)
        w.pack("I", GGML[gtype][0])
        w.pack("Q", offset)
        blobs.append((offset, raw))
        offset += (len(raw) + alignment - 1) // alignment * alignment
    w.out += b"\0" * (-len(w.out) % alignment)
    start = len(w.out)
    for off, raw in blobs:
        w.out += b"\0" * (start + off - len(w.out))
        w.out += raw
    with open(path, "wb") as f:
        f.write(bytes(w.out))


# --- quantized tensors --------------------------------------------------------------------------
f32 = np.float32


def fp16_bytes(x):
    return np.array([x], dtype=np.float16).tobytes()


def fp16(b):
    return f32(np.frombuffer(b, dtype=np.float16)[0])


def round_away(x):  # C roundf
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_q4_0(x):  # quantize_row_q4_0_ref
    out = bytearray()
    for blk in x.reshape(-1, 32):
        mx = blk[np.argmax(np.abs(blk))]
        d = f32(mx / f32(-8))
        idv = f32(1) / d if d else f32(0)
        q = np.minimum(15, (blk * idv + f32(8.5)).astype(np.int8)).astype(np.uint8)
        out += fp16_bytes(d) + bytes(q[:16] | (q[16:] << 4))
    return bytes(out)


def quantize_q4_1(x):
    out = bytearray()
    for blk in x.reshape(-1, 32):
        mn, mx = blk.min(), blk.max()
        d = f32((mx - mn) / f32(15))
        idv = f32(1) / d if d else f32(0)
        q = np.minimum(15, ((blk - mn) * idv + f32(0.5)).astype(np.int8)).astype(np.uint8)
        out += fp16_bytes(d) + fp16_bytes(mn) + bytes(q[:16] | (q[16:] << 4))
    return bytes(out)


def quantize_q5(x, with_min):
    out = bytearray()
    for blk in x.reshape(-1, 32):
        if with_min:
            mn, mx = blk.min(), blk.max()
            d = f32((mx - mn) / f32(31))
            idv = f32(1) / d if d else f32(0)
            q = ((blk - mn) * idv + f32(0.5)).astype(np.uint8)
        else:
            mx = blk[np.argmax(np.abs(blk))]
            d = f32(mx / f32(-16))
            idv = f32(1) / d if d else f32(0)
            q = np.minimum(31, (blk * idv + f32(16.5)).astype(np.int8)).astype(np.uint8)
        qh = 0
        for j in range(16):
            qh |= int((q[j] & 0x10) >> 4) << j
            qh |= int((q[j + 16] & 0x10) >> 4) << (j + 16)
        qs = (q[:16] & 0x0F) | ((q[16:] & 0x0F) << 4)
        head = fp16_bytes(d) + (fp16_bytes(mn) if with_min else b"")
        out += head + struct.pack("<I", qh) + bytes(qs)
    return bytes(out)


def quantize_q8(x, with_sum):
    out = bytearray()
    for blk in x.reshape(-1, 32):
        amax = np.abs(blk).max()
        d = f32(amax / f32(127))
        idv = f32(1) / d if d else f32(0)
        q = round_away(blk * idv).astype(np.int8)
        s = fp16_bytes(f32(int(q.astype(np.int32).sum())) * d) if with_sum else b""
        out += fp16_bytes(d) + s + q.tobytes()
    return bytes(out)



# Dequantizers: ggml's dequantize_row_* with the same float32 operations in the same order.
def deq_q4_0(b):
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, 18):
        d = fp16(blk[:2].tobytes())
        qs = blk[2:].astype(np.int32)
        y += [(((qs & 0x0F) - 8).astype(f32) * d), (((qs >> 4) - 8).astype(f32) * d)]
    return np.concatenate(y)


def deq_q4_1(b):
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, 20):
        d, m = fp16(blk[:2].tobytes()), fp16(blk[2:4].tobytes())
        qs = blk[4:].astype(np.int32)
        y += [(qs & 0x0F).astype(f32) * d + m, (qs >> 4).astype(f32) * d + m]
    return np.concatenate(y)


def deq_q5(b, with_min):
    size = 24 if with_min else 22
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, size):
        d = fp16(blk[:2].tobytes())
        m = fp16(blk[2:4].tobytes()) if with_min else None
        at = 4 if with_min else 2
        qh = struct.unpack("<I", blk[at:at + 4].tobytes())[0]
        qs = blk[at + 4:].astype(np.int32)
        j = np.arange(16)
        xh0 = ((qh >> j) << 4) & 0x10
        xh1 = (qh >> (j + 12)) & 0x10
        x0 = (qs & 0x0F) | xh0
        x1 = (qs >> 4) | xh1
        if with_min:
            y += [x0.astype(f32) * d + m, x1.astype(f32) * d + m]
        else:
            y += [(x0 - 16).astype(f32) * d, (x1 - 16).astype(f32) * d]
    return np.concatenate(y)


def deq_q8(b, with_sum):
    size, at = (36, 4) if with_sum else (34, 2)
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, size):
        d = fp16(blk[:2].tobytes())
        y.append(blk[at:].view(np.int8).astype(f32) * d)
    return np.concatenate(y)


def deq_q2_K(b):
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, 84):
        scales, q = blk[:16], blk[16:80].astype(np.int32)
        d, mn = fp16(blk[80:82].tobytes()), fp16(blk[82:84].tobytes())
        is_ = 0
        for n in range(2):
            qq = q[32 * n:32 * n + 32]
            for shift in (0, 2, 4, 6):
                for h in range(2):
                    sc = int(scales[is_]); is_ += 1
                    dl, ml = d * f32(sc & 0xF), mn * f32(sc >> 4)
                    y.append(dl * ((qq[16 * h:16 * h + 16] >> shift) & 3).astype(f32) - ml)
    return np.concatenate(y)


def deq_q3_K(b):
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, 110):
        hm, q = blk[:32].astype(np.int32), blk[32:96].astype(np.int32)
        raw = blk[96:108].astype(np.int32)
        d_all = fp16(blk[108:110].tobytes())
        # the 16 6-bit scales: low 4 bits from bytes 0-7 (nibbles), high 2 bits from bytes 8-11
        scales = []
        for j in range(16):
            low = (raw[j] & 0xF) if j < 8 else (raw[j - 8] >> 4)
            high = (raw[8 + j % 4] >> (2 * (j // 4))) & 3
            scales.append((low | (high << 4)) - 32)
        is_, m = 0, 1
        for n in range(2):
            qq = q[32 * n:32 * n + 32]
            for shift in (0, 2, 4, 6):
                for h in range(2):
                    dl = d_all * f32(scales[is_]); is_ += 1
                    k = slice(16 * h, 16 * h + 16)
                    vals = ((qq[k] >> shift) & 3) - np.where(hm[k] & m, 0, 4)
                    y.append(dl * vals.astype(f32))
                m <<= 1
    return np.concatenate(y)


def scale_min_k4(j, q):
    if j < 4:
        return int(q[j]) & 63, int(q[j + 4]) & 63
    return (int(q[j + 4]) & 0xF) | ((int(q[j - 4]) >> 6) << 4), (int(q[j + 4]) >> 4) | ((int(q[j]) >> 6) << 4)


def deq_q45_K(b, five):
    size = 176 if five else 144
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, size):
        d, mn = fp16(blk[:2].tobytes()), fp16(blk[2:4].tobytes())
        scales = blk[4:16]
        qh = blk[16:48].astype(np.int32) if five else None
        ql = blk[48:176].astype(np.int32) if five else blk[16:144].astype(np.int32)
        u1, u2 = 1, 2
        for n in range(4):
            q = ql[32 * n:32 * n + 32]
            sc, m = scale_min_k4(2 * n, scales)
            d1, m1 = d * f32(sc), mn * f32(m)
            sc, m = scale_min_k4(2 * n + 1, scales)
            d2, m2 = d * f32(sc), mn * f32(m)
            lo, hi = q & 0xF, q >> 4
            if five:
                lo = lo + np.where(qh & u1, 16, 0)
                hi = hi + np.where(qh & u2, 16, 0)
                u1 <<= 2; u2 <<= 2
            y += [d1 * lo.astype(f32) - m1, d2 * hi.astype(f32) - m2]
    return np.concatenate(y)


def deq_q6_K(b):
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, 210):
        ql, qh = blk[:128].astype(np.int32), blk[128:192].astype(np.int32)
        sc = blk[192:208].view(np.int8).astype(f32)
        d = fp16(blk[208:210].tobytes())
        for n in range(2):
            l_, h_, s_ = ql[64 * n:64 * n + 64], qh[32 * n:32 * n + 32], sc[8 * n:8 * n + 8]
            out = np.zeros(128, f32)
            for l in range(32):
                is_ = l // 16
                q1 = ((l_[l] & 0xF) | (((h_[l] >> 0) & 3) << 4)) - 32
                q2 = ((l_[l + 32] & 0xF) | (((h_[l] >> 2) & 3) << 4)) - 32
                q3 = ((l_[l] >> 4) | (((h_[l] >> 4) & 3) << 4)) - 32
                q4 = ((l_[l + 32] >> 4) | (((h_[l] >> 6) & 3) << 4)) - 32
                out[l] = d * s_[is_] * f32(q1)
                out[l + 32] = d * s_[is_ + 2] * f32(q2)
                out[l + 64] = d * s_[is_ + 4] * f32(q3)
                out[l + 96] = d * s_[is_ + 6] * f32(q4)
            y.append(out)
    return np.concatenate(y)


def deq_q8_K(b):
    y = []
    for blk in np.frombuffer(b, np.uint8).reshape(-1, 292):
        d = blk[:4].view("<f4")[0].astype(f32)
        y.append(d * blk[4:260].view(np.int8).astype(f32))
    return np.concatenate(y)
