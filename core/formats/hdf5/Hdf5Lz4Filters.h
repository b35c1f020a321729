#pragma once

#include "formats/hdf5/Hdf5Filters.h"

#include <cstddef>
#include <vector>

namespace ckpt::hdf5 {

// The LZ4 filter (32004, HDFGroup's H5Zlz4 and hdf5plugin's): an 8-byte big-endian size, a 4-byte
// block size, then per block a 4-byte compressed size and the LZ4 block (stored as it is when it
// did not shrink). Decoded here with liblz4's bounds-checked decoder: the plugin Debian ships
// uses LZ4_decompress_fast, which reads past its input on a hostile chunk.
std::vector<std::byte> decodeLz4Filter(const std::vector<std::byte>& in, std::size_t limit);

// The Bitshuffle filter (32008) with cd_values (major, minor, element size, block size in
// elements (0: the default), compression 0 none / 2 lz4; compressed chunks start with the size in
// bytes and the block size in bytes, both big-endian): blocks of bit-transposed elements, each
// LZ4-compressed after a 4-byte size when compressed, the few elements that do not fill eight
// left as they are. Decoded here for the same reason (bitshuffle 0.3 uses LZ4_decompress_fast).
std::vector<std::byte> decodeBitshuffleFilter(const std::vector<std::byte>& in, const Filter& f, std::size_t limit);

} // namespace ckpt::hdf5
