#pragma once

#include <cstddef>
#include <cstdint>

namespace ckpt {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as LevelDB tables and TensorFlow bundles
// use it. crc32cExtend continues a CRC over more bytes: crc32c(ab) == crc32cExtend(crc32c(a), b).
std::uint32_t crc32cExtend(std::uint32_t crc, const void* data, std::size_t n);
inline std::uint32_t crc32c(const void* data, std::size_t n)
{
    return crc32cExtend(0, data, n);
}

// LevelDB stores "masked" CRCs so that a CRC of bytes that contain CRCs stays well mixed.
inline std::uint32_t crc32cMask(std::uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
inline std::uint32_t crc32cUnmask(std::uint32_t masked)
{
    const std::uint32_t rot = masked - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

} // namespace ckpt
