// libFuzzer target: the HDF5 chunk decoder (formats/hdf5/Hdf5Filters), which undoes deflate,
// shuffle and Fletcher-32 on chunk bytes taken from a file, bzip2 and zstd with their libraries,
// and LZF, LZ4, Blosc and Bitshuffle with Debian's plugins (their headers checked first), and
// checks the length that comes out. The first bytes of the input choose the pipeline, the
// element size, the chunk size and the filter mask; the rest is the stored chunk. Errors are the expected outcome;
// crashes, reads out of bounds and huge allocations are the findings.
#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5Filters.h"

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
    // One more filter of those decoded by a library or a plugin (with the parameters writers set).
    const unsigned elementSize = data[1] % 17;
    switch (data[1] >> 5) {
    case 1:
        pipeline.push_back({ 32000, "lzf", { 4, 261, unsigned(std::size_t(data[2]) << 8 | data[3]) } });
        break;
    case 2:
        pipeline.push_back({ 32004, "lz4", { 0 } });
        break;
    case 3:
        pipeline.push_back({ 307, "bzip2", { 9 } });
        break;
    case 4:
        pipeline.push_back({ 32015, "zstd", { 3 } });
        break;
    case 5:
        pipeline.push_back({ 32001, "blosc", { 2, 2, elementSize, 0, 5, 1, 1 } });
        break;
    case 6:
        pipeline.push_back({ 32008, "bitshuffle", { 0, 3, elementSize ? elementSize : 1, 0, 2 } });
        break;
    case 7:
        pipeline.push_back({ 32008, "bitshuffle", { 0, 3, elementSize ? elementSize : 1, 0, 0 } });
        break;
    default:
        break;
    }
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
