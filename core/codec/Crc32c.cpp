#include "codec/Crc32c.h"

#include <array>

namespace ckpt {

namespace {

// Slicing-by-4 tables: table[0] is the classic byte-at-a-time table, table[k] advances k more bytes.
using Tables = std::array<std::array<std::uint32_t, 256>, 4>;

constexpr Tables makeTables()
{
    Tables t {};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t k = 1; k < 4; ++k)
        for (std::uint32_t i = 0; i < 256; ++i)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    return t;
}

constexpr Tables kTables = makeTables();

} // namespace

std::uint32_t crc32cExtend(std::uint32_t crc, const void* data, std::size_t n)
{
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t c = ~crc;
    for (; n >= 4; n -= 4, p += 4) {
        c ^= std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
        c = kTables[3][c & 0xff] ^ kTables[2][(c >> 8) & 0xff] ^ kTables[1][(c >> 16) & 0xff] ^ kTables[0][c >> 24];
    }
    for (; n > 0; --n, ++p)
        c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xff];
    return ~c;
}

} // namespace ckpt
