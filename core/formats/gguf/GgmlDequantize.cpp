#include "formats/gguf/GgmlDequantize.h"

#include "numerics/Float16.h"

#include <cstring>

namespace ckpt {

namespace {

float half(const std::uint8_t* p)
{
    return halfToFloat(std::uint16_t(p[0] | (p[1] << 8)));
}

std::uint32_t u32(const std::uint8_t* p)
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}

// block_q4_0 {half d; u8 qs[16]}
void q4_0(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 18, y += 32) {
        const float d = half(b);
        const std::uint8_t* qs = b + 2;
        for (int j = 0; j < 16; ++j) {
            y[j] = float((qs[j] & 0x0F) - 8) * d;
            y[j + 16] = float((qs[j] >> 4) - 8) * d;
        }
    }
}

// block_q4_1 {half d; half m; u8 qs[16]}
void q4_1(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 20, y += 32) {
        const float d = half(b), m = half(b + 2);
        const std::uint8_t* qs = b + 4;
        for (int j = 0; j < 16; ++j) {
            y[j] = float(qs[j] & 0x0F) * d + m;
            y[j + 16] = float(qs[j] >> 4) * d + m;
        }
    }
}

// block_q5_0 {half d; u8 qh[4]; u8 qs[16]}
void q5_0(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 22, y += 32) {
        const float d = half(b);
        const std::uint32_t qh = u32(b + 2);
        const std::uint8_t* qs = b + 6;
        for (int j = 0; j < 16; ++j) {
            const std::uint8_t xh0 = std::uint8_t(((qh >> j) << 4) & 0x10);
            const std::uint8_t xh1 = std::uint8_t((qh >> (j + 12)) & 0x10);
            y[j] = float(((qs[j] & 0x0F) | xh0) - 16) * d;
            y[j + 16] = float(((qs[j] >> 4) | xh1) - 16) * d;
        }
    }
}

// block_q5_1 {half d; half m; u8 qh[4]; u8 qs[16]}
void q5_1(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 24, y += 32) {
        const float d = half(b), m = half(b + 2);
        const std::uint32_t qh = u32(b + 4);
        const std::uint8_t* qs = b + 8;
        for (int j = 0; j < 16; ++j) {
            const std::uint8_t xh0 = std::uint8_t(((qh >> j) << 4) & 0x10);
            const std::uint8_t xh1 = std::uint8_t((qh >> (j + 12)) & 0x10);
            y[j] = float((qs[j] & 0x0F) | xh0) * d + m;
            y[j + 16] = float((qs[j] >> 4) | xh1) * d + m;
        }
    }
}

// block_q8_0 {half d; i8 qs[32]}; block_q8_1 {half d; half s; i8 qs[32]} (s is a sum, unused here)
template <int Bytes, int QsOffset> void q8(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += Bytes, y += 32) {
        const float d = half(b);
        for (int j = 0; j < 32; ++j)
            y[j] = float(std::int8_t(b[QsOffset + j])) * d;
    }
}

// block_q2_K {u8 scales[16]; u8 qs[64]; half d; half dmin}
void q2_K(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 84) {
        const std::uint8_t* scales = b;
        const std::uint8_t* q = b + 16;
        const float d = half(b + 80), min = half(b + 82);
        int is = 0;
        for (int part = 0; part < 256; part += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                for (int half16 = 0; half16 < 2; ++half16) {
                    const std::uint8_t sc = scales[is++];
                    const float dl = d * float(sc & 0xF), ml = min * float(sc >> 4);
                    for (int l = 0; l < 16; ++l)
                        *y++ = dl * float((q[l + 16 * half16] >> shift) & 3) - ml;
                }
                shift += 2;
            }
            q += 32;
        }
    }
}

// block_q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d}
void q3_K(const std::uint8_t* b, std::int64_t n, float* y)
{
    constexpr std::uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    for (std::int64_t i = 0; i < n; ++i, b += 110) {
        const std::uint8_t* hm = b;
        const std::uint8_t* q = b + 32;
        const float dAll = half(b + 108);
        std::uint32_t aux[4] = { u32(b + 96), u32(b + 100), u32(b + 104), 0 };
        const std::uint32_t tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
        aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
        aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
        aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
        std::int8_t scales[16];
        for (int k = 0; k < 16; ++k)
            scales[k] = std::int8_t((aux[k / 4] >> (8 * (k % 4))) & 0xFF);
        int is = 0;
        std::uint8_t m = 1;
        for (int part = 0; part < 256; part += 128) {
            int shift = 0;
            for (int j = 0; j < 4; ++j) {
                for (int half16 = 0; half16 < 2; ++half16) {
                    const float dl = dAll * float(scales[is++] - 32);
                    for (int l = 0; l < 16; ++l) {
                        const int k = l + 16 * half16;
                        *y++ = dl * float(((q[k] >> shift) & 3) - ((hm[k] & m) ? 0 : 4));
                    }
                }
                shift += 2;
                m = std::uint8_t(m << 1);
            }
            q += 32;
        }
    }
}

void scaleMinK4(int j, const std::uint8_t* q, std::uint8_t& d, std::uint8_t& m)
{
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = std::uint8_t((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        m = std::uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// block_q4_K {half d; half dmin; u8 scales[12]; u8 qs[128]}
void q4_K(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 144) {
        const float d = half(b), min = half(b + 2);
        const std::uint8_t* scales = b + 4;
        const std::uint8_t* q = b + 16;
        int is = 0;
        for (int j = 0; j < 256; j += 64) {
            std::uint8_t sc, m;
            scaleMinK4(is, scales, sc, m);
            const float d1 = d * float(sc), m1 = min * float(m);
            scaleMinK4(is + 1, scales, sc, m);
            const float d2 = d * float(sc), m2 = min * float(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * float(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * float(q[l] >> 4) - m2;
            q += 32;
            is += 2;
        }
    }
}

// block_q5_K {half d; half dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}
void q5_K(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 176) {
        const float d = half(b), min = half(b + 2);
        const std::uint8_t* scales = b + 4;
        const std::uint8_t* qh = b + 16;
        const std::uint8_t* ql = b + 48;
        int is = 0;
        std::uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < 256; j += 64) {
            std::uint8_t sc, m;
            scaleMinK4(is, scales, sc, m);
            const float d1 = d * float(sc), m1 = min * float(m);
            scaleMinK4(is + 1, scales, sc, m);
            const float d2 = d * float(sc), m2 = min * float(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * float((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * float((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
            ql += 32;
            is += 2;
            u1 = std::uint8_t(u1 << 2);
            u2 = std::uint8_t(u2 << 2);
        }
    }
}

// block_q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}
void q6_K(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 210) {
        const float d = half(b + 208);
        const std::uint8_t* ql = b;
        const std::uint8_t* qh = b + 128;
        const std::int8_t* sc = reinterpret_cast<const std::int8_t*>(b + 192);
        for (int part = 0; part < 256; part += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * float(sc[is]) * float(q1);
                y[l + 32] = d * float(sc[is + 2]) * float(q2);
                y[l + 64] = d * float(sc[is + 4]) * float(q3);
                y[l + 96] = d * float(sc[is + 6]) * float(q4);
            }
            y += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}

// block_q8_K {float d; i8 qs[256]; i16 bsums[16]}
void q8_K(const std::uint8_t* b, std::int64_t n, float* y)
{
    for (std::int64_t i = 0; i < n; ++i, b += 292, y += 256) {
        float d;
        const std::uint32_t bits = u32(b);
        std::memcpy(&d, &bits, 4);
        for (int j = 0; j < 256; ++j)
            y[j] = d * float(std::int8_t(b[4 + j]));
    }
}

} // namespace

DequantizeBlocks dequantizerFor(std::string_view name)
{
    if (name == "Q4_0")
        return q4_0;
    if (name == "Q4_1")
        return q4_1;
    if (name == "Q5_0")
        return q5_0;
    if (name == "Q5_1")
        return q5_1;
    if (name == "Q8_0")
        return q8<34, 2>;
    if (name == "Q8_1")
        return q8<36, 4>;
    if (name == "Q2_K")
        return q2_K;
    if (name == "Q3_K")
        return q3_K;
    if (name == "Q4_K")
        return q4_K;
    if (name == "Q5_K")
        return q5_K;
    if (name == "Q6_K")
        return q6_K;
    if (name == "Q8_K")
        return q8_K;
    return nullptr;
}

} // namespace ckpt
