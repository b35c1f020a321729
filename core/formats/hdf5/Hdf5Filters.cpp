#include "formats/hdf5/Hdf5Filters.h"

#include "tensor/CheckpointError.h"

#include <libdeflate.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace ckpt::hdf5 {

namespace {

std::string describe(const Filter& f)
{
    return "filter " + std::to_string(f.id) + (f.name.empty() ? std::string() : " (" + f.name + ")");
}

// zlib streams, as H5Z_FILTER_DEFLATE writes them. `limit` bounds the output: a chunk that
// inflates to more than the pipeline can produce is corrupt.
std::vector<std::byte> inflate(const std::vector<std::byte>& in, std::size_t limit)
{
    struct Free {
        void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
    };
    thread_local std::unique_ptr<libdeflate_decompressor, Free> decompressor(libdeflate_alloc_decompressor());
    std::vector<std::byte> out(limit);
    std::size_t produced = 0;
    const auto result
        = libdeflate_zlib_decompress(decompressor.get(), in.data(), in.size(), out.data(), out.size(), &produced);
    if (result == LIBDEFLATE_INSUFFICIENT_SPACE)
        throw FormatError("a deflated chunk inflates to more than the " + std::to_string(limit) + " bytes of a chunk");
    if (result != LIBDEFLATE_SUCCESS)
        throw FormatError("a deflated chunk is corrupt");
    out.resize(produced);
    return out;
}

// Byte shuffling groups the k-th byte of every element together; a tail shorter than one
// element is stored as it is.
std::vector<std::byte> unshuffle(const std::vector<std::byte>& in, std::size_t elementSize)
{
    if (elementSize <= 1 || in.size() < elementSize)
        return in;
    const std::size_t n = in.size() / elementSize;
    std::vector<std::byte> out(in.size());
    for (std::size_t b = 0; b < elementSize; ++b) {
        const std::byte* plane = in.data() + b * n;
        for (std::size_t i = 0; i < n; ++i)
            out[i * elementSize + b] = plane[i];
    }
    std::memcpy(out.data() + n * elementSize, in.data() + n * elementSize, in.size() - n * elementSize);
    return out;
}

// HDF5's Fletcher-32 (H5_checksum_fletcher32): 16-bit big-endian words, an odd last byte padded.
std::uint32_t fletcher32(const std::byte* data, std::size_t length)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(data);
    std::uint32_t sum1 = 0, sum2 = 0;
    std::size_t words = length / 2;
    while (words) {
        std::size_t block = words > 360 ? 360 : words;
        words -= block;
        do {
            sum1 += std::uint32_t((p[0] << 8) | p[1]);
            sum2 += sum1;
            p += 2;
        } while (--block);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if (length % 2) {
        sum1 += std::uint32_t(*p << 8);
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return (sum2 << 16) | sum1;
}

// The checksum is stored after the data, little-endian; files from before HDF5 1.6.3 stored it
// with the bytes of each 16-bit half swapped, which libhdf5 still accepts.
std::vector<std::byte> checkFletcher32(std::vector<std::byte> in)
{
    if (in.size() < 4)
        throw FormatError("a Fletcher-32 chunk is shorter than its checksum");
    const std::size_t n = in.size() - 4;
    std::uint32_t stored = 0;
    for (int i = 3; i >= 0; --i)
        stored = (stored << 8) | std::uint32_t(in[n + std::size_t(i)]);
    const std::uint32_t sum = fletcher32(in.data(), n);
    const std::uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
    if (stored != sum && stored != swapped)
        throw FormatError("a chunk fails its Fletcher-32 checksum");
    in.resize(n);
    return in;
}

} // namespace

std::vector<Filter> filterPipeline(hid_t dcpl)
{
    std::vector<Filter> pipeline;
    const int count = H5Pget_nfilters(dcpl);
    for (int i = 0; i < count; ++i) {
        Filter f;
        unsigned flags = 0;
        unsigned values[32] = {};
        size_t nValues = 32;
        char name[128] = {};
        f.id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &nValues, values, sizeof name, name, nullptr);
        f.name = name;
        f.parameters.assign(values, values + std::min<size_t>(nValues, 32));
        pipeline.push_back(std::move(f));
    }
    return pipeline;
}

std::vector<std::byte> decodeChunk(
    std::vector<std::byte> stored, const std::vector<Filter>& pipeline, unsigned filterMask, std::size_t chunkBytes)
{
    std::vector<std::byte> data = std::move(stored);
    for (std::size_t i = pipeline.size(); i-- > 0;) {
        if (i < 32 && (filterMask >> i) & 1u)
            continue; // the writer skipped this filter for this chunk
        const Filter& f = pipeline[i];
        switch (f.id) {
        case H5Z_FILTER_DEFLATE:
            data = inflate(data, chunkBytes + 4 * pipeline.size());
            break;
        case H5Z_FILTER_SHUFFLE:
            data = unshuffle(data, f.parameters.empty() ? 1 : f.parameters[0]);
            break;
        case H5Z_FILTER_FLETCHER32:
            data = checkFletcher32(std::move(data));
            break;
        default:
            throw FormatError(describe(f) + " is not supported");
        }
    }
    if (data.size() != chunkBytes)
        throw FormatError("a chunk holds " + std::to_string(data.size()) + " bytes after its filters, not the "
            + std::to_string(chunkBytes) + " of a chunk");
    return data;
}

} // namespace ckpt::hdf5
