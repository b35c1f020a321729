#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ckpt {

// Exact widening conversions of the small floating types. Every value of these formats is
// representable in float32, so the results are exact.

inline float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = (h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1f;
    const std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13); // inf / nan
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else { // subnormal: value = mant * 2^-24
        const float v = std::ldexp(static_cast<float>(mant), -24);
        return sign ? -v : v;
    }
    return std::bit_cast<float>(bits);
}

inline float bfloat16ToFloat(std::uint16_t b)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

// float8_e4m3fn: 1 sign, 4 exponent (bias 7), 3 mantissa; no infinities, NaN = S.1111.111.
inline float float8e4m3fnToFloat(std::uint8_t v)
{
    const bool neg = v & 0x80;
    const int exp = (v >> 3) & 0xf;
    const int mant = v & 0x7;
    float r;
    if (exp == 0xf && mant == 0x7)
        r = std::numeric_limits<float>::quiet_NaN();
    else if (exp == 0)
        r = std::ldexp(static_cast<float>(mant), -9); // mant/8 * 2^-6
    else
        r = std::ldexp(1.0f + static_cast<float>(mant) / 8.0f, exp - 7);
    return neg ? -r : r;
}

// float8_e5m2: the top byte of an IEEE half.
inline float float8e5m2ToFloat(std::uint8_t v)
{
    return halfToFloat(static_cast<std::uint16_t>(v) << 8);
}

// Rounds to nearest even; used when writing float16 (e.g. --cast).
inline std::uint16_t floatToHalf(float f)
{
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const std::uint32_t absx = x & 0x7fffffffu;
    if (absx > 0x7f800000u)
        return static_cast<std::uint16_t>(sign | 0x7e00u); // nan
    if (absx >= 0x477ff000u) // rounds to >= 65520: inf
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (absx < 0x38800000u) { // below the smallest normal half: subnormal or zero
        const float a = std::bit_cast<float>(absx);
        const float scaled = a * 16777216.0f; // 2^24
        const auto m = static_cast<std::uint32_t>(std::nearbyint(scaled));
        return static_cast<std::uint16_t>(sign | m);
    }
    std::uint32_t mant = absx & 0x7fffffu;
    std::uint32_t exp = (absx >> 23) - 112;
    std::uint32_t h = (exp << 10) | (mant >> 13);
    const std::uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        ++h;
    return static_cast<std::uint16_t>(sign | h);
}

inline std::uint16_t floatToBfloat16(float f)
{
    std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>(x >> 16);
}

} // namespace ckpt
