// libFuzzer target: the HDF5 chunk decoder (formats/hdf5/Hdf5Filters), which undoes deflate,
// shuffle and Fletcher-32 on chunk bytes taken from a file and checks the length that comes out.
// The first bytes of the input choose the pipeline, the element size, the chunk size and the
// filter mask; the rest is the stored chunk. Errors are the expected outcome; crashes, reads
// out of bounds and huge allocations are the findings.
#include "formats/hdf5/Hdf5Filters.h"
#include "tensor/CheckpointError.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 5)
        return 0;
    std::vector<ckpt::hdf5::Filter> pipeline;
    const unsigned order = data[0];
    for (int i = 0; i < 3; ++i) { // up to three filters, any order, repeats allowed
        switch ((order >> (2 * i)) & 3) {
        case 1:
            pipeline.push_back({ H5Z_FILTER_SHUFFLE, "shuffle", { unsigned(data[1] % 17) } });
            break;
        case 2:
            pipeline.push_back({ H5Z_FILTER_DEFLATE, "deflate", { 6 } });
            break;
        case 3:
            pipeline.push_back({ H5Z_FILTER_FLETCHER32, "fletcher32", {} });
            break;
        default:
            break;
        }
    }
    if (order >> 6 == 3)
        pipeline.push_back({ 32000, "lzf", {} }); // not decoded: must be an error
    const std::size_t chunkBytes = std::size_t(data[2]) << 8 | data[3];
    const unsigned mask = data[4];
    std::vector<std::byte> stored(
        reinterpret_cast<const std::byte*>(data + 5), reinterpret_cast<const std::byte*>(data + size));
    try {
        const auto chunk = ckpt::hdf5::decodeChunk(std::move(stored), pipeline, mask, chunkBytes);
        if (chunk.size() != chunkBytes)
            __builtin_trap();
    } catch (const ckpt::FormatError&) {
    }
    return 0;
}
