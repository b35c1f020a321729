#pragma once

#include <hdf5.h>

#include <cstddef>
#include <string>
#include <vector>

namespace ckpt::hdf5 {

// One filter of a dataset's pipeline, in the order it was applied when writing.
struct Filter {
    H5Z_filter_t id = 0;
    std::string name;
    std::vector<unsigned> parameters; // cd_values
};

// The filter pipeline of a dataset creation property list.
std::vector<Filter> filterPipeline(hid_t dcpl);

// Undoes the pipeline on one stored chunk, skipping the filters whose bit is set in
// `filterMask`, and checks that exactly `chunkBytes` come out. libhdf5 trusts a chunk's stored
// size and filter mask and copies a whole chunk from a shorter buffer when they lie; decoding here
// turns that into an error. Deflate, shuffle and Fletcher-32 are decoded; any other filter is
// named in a FormatError ("filter 32001 (blosc) is not supported").
std::vector<std::byte> decodeChunk(
    std::vector<std::byte> stored, const std::vector<Filter>& pipeline, unsigned filterMask, std::size_t chunkBytes);

} // namespace ckpt::hdf5
