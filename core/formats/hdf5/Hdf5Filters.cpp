#include "formats/hdf5/Hdf5Filters.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5FilterPlugins.h"
#include "formats/hdf5/Hdf5Handle.h"
#include "formats/hdf5/Hdf5Lz4Filters.h"

#include <bzlib.h>
#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

namespace ckpt::hdf5 {

namespace {

constexpr H5Z_filter_t kBzip2 = 307;
constexpr H5Z_filter_t kLz4 = 32004;
constexpr H5Z_filter_t kLzf = 32000;
constexpr H5Z_filter_t kBlosc = 32001;
constexpr H5Z_filter_t kBitshuffle = 32008;
constexpr H5Z_filter_t kZstd = 32015;

std::string describe(const Filter& f)
{
    std::string name = knownFilterName(f.id);
    if (name.empty())
        name = f.name;
    return "filter " + std::to_string(f.id) + (name.empty() ? std::string() : " (" + name + ")");
}

std::string tooLarge(const Filter& f, std::size_t limit)
{
    return "a chunk decoded by " + describe(f) + " would be larger than the " + std::to_string(limit)
        + " bytes of a chunk";
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

// Filter 32015: one zstd frame (the plugin of hdf5plugin and of HDFGroup's hdf5_plugins).
std::vector<std::byte> unzstd(const std::vector<std::byte>& in, const Filter& f, std::size_t limit)
{
    const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR)
        throw FormatError("a chunk of " + describe(f) + " is not a zstd frame");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > limit)
        throw FormatError(tooLarge(f, limit));
    std::vector<std::byte> out(limit);
    const std::size_t produced = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(produced))
        throw FormatError("a chunk of " + describe(f) + " is corrupt: " + ZSTD_getErrorName(produced));
    out.resize(produced);
    return out;
}

// Filter 307: one bzip2 stream (PyTables' and hdf5_plugins' H5Zbzip2). Decoded here rather than by
// the plugin, which grows its buffer without bound: a bzip2 bomb stops at the chunk's size.
std::vector<std::byte> unbzip2(const std::vector<std::byte>& in, const Filter& f, std::size_t limit)
{
    if (limit > UINT_MAX || in.size() > UINT_MAX)
        throw FormatError(tooLarge(f, UINT_MAX));
    std::vector<std::byte> out(limit);
    unsigned produced = static_cast<unsigned>(limit);
    const int result = BZ2_bzBuffToBuffDecompress(reinterpret_cast<char*>(out.data()), &produced,
        const_cast<char*>(reinterpret_cast<const char*>(in.data())), static_cast<unsigned>(in.size()), 0, 0);
    if (result == BZ_OUTBUFF_FULL)
        throw FormatError(tooLarge(f, limit));
    if (result != BZ_OK)
        throw FormatError("a chunk of " + describe(f) + " is corrupt (bzip2 error " + std::to_string(result) + ")");
    out.resize(produced);
    return out;
}

// Blosc's header (little-endian): the decoded size at bytes 4..7, which the plugin allocates
// before decoding, and the compressed size at 12..15, which blosc_decompress takes as the length
// of its input (its API has no other): both must agree with the chunk, or a lying header makes
// it allocate gigabytes or read past the chunk (found by fuzz_hdf5chunk).
void checkBloscHeader(const std::vector<std::byte>& in, const Filter& f, std::size_t limit)
{
    if (f.id != kBlosc)
        return;
    if (in.size() < 16)
        throw FormatError("a chunk of " + describe(f) + " is shorter than its header");
    auto le32 = [&](std::size_t at) {
        std::uint64_t v = 0;
        for (std::size_t i = 4; i-- > 0;)
            v = (v << 8) | std::uint64_t(in[at + i]);
        return v;
    };
    if (le32(4) > limit)
        throw FormatError(tooLarge(f, limit));
    if (le32(12) < 16 || le32(12) > in.size())
        throw FormatError("a chunk of " + describe(f) + " claims " + std::to_string(le32(12))
            + " compressed bytes, but holds " + std::to_string(in.size()));
}

// LZF and Blosc, by the plugin installed for them, called as libhdf5 calls it when reading. Only
// plugins whose decoders check their input run here: liblzf's and c-blosc's do (Debian builds
// liblzf with CHECK_INPUT); LZ4 and Bitshuffle are decoded above instead, and others (ZFP, whose
// bit stream reader trusts its input) are refused.
std::vector<std::byte> runPlugin(const std::vector<std::byte>& in, const Filter& f, std::size_t limit)
{
    const H5Z_class2_t* plugin = filterPlugin(f.id);
    if (!plugin)
        throw FormatError(describe(f) + " is not installed" + filterPackageHint(f.id));
    if (f.id != kLzf && f.id != kBlosc)
        throw FormatError(describe(f) + " is not supported (its decoder is not known to check its input)");
    if (in.empty())
        throw FormatError("a chunk of " + describe(f) + " is empty");
    checkBloscHeader(in, f, limit);
    std::lock_guard lock(hdf5::mutex()); // plugins report errors through libhdf5
    std::size_t bufferSize = in.size();
    void* buffer = H5allocate_memory(bufferSize, false);
    if (!buffer)
        throw FormatError("out of memory for a chunk");
    std::memcpy(buffer, in.data(), in.size());
    // LZF's plugin allocates cd_values[2] bytes (the chunk's size, from the file) up front.
    std::vector<unsigned> parameters = f.parameters;
    if (f.id == kLzf && parameters.size() > 2)
        parameters[2] = static_cast<unsigned>(std::min<std::size_t>(parameters[2], limit));
    const std::size_t produced
        = plugin->filter(H5Z_FLAG_REVERSE, parameters.size(), parameters.data(), in.size(), &bufferSize, &buffer);
    // What came out is `produced` bytes at `buffer`; `bufferSize` is not always updated by plugins
    // (H5Zlz4 leaves it at the input's size), and libhdf5 itself goes by `produced` alone.
    std::vector<std::byte> out;
    if (produced > 0 && produced <= limit)
        out.assign(static_cast<const std::byte*>(buffer), static_cast<const std::byte*>(buffer) + produced);
    H5free_memory(buffer);
    if (produced == 0)
        throw FormatError("a chunk of " + describe(f) + " is corrupt (its plugin failed to decode it)");
    if (out.empty())
        throw FormatError(tooLarge(f, limit));
    return out;
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
        case kZstd:
            data = unzstd(data, f, chunkBytes + 4 * pipeline.size());
            break;
        case kLz4:
            data = decodeLz4Filter(data, chunkBytes + 4 * pipeline.size());
            break;
        case kBitshuffle:
            data = decodeBitshuffleFilter(data, f, chunkBytes + 4 * pipeline.size());
            break;
        case kBzip2:
            data = unbzip2(data, f, chunkBytes + 4 * pipeline.size());
            break;
        case H5Z_FILTER_SZIP:
        case H5Z_FILTER_NBIT:
        case H5Z_FILTER_SCALEOFFSET:
            throw FormatError(describe(f) + " is not supported");
        default:
            data = runPlugin(data, f, chunkBytes + 4 * pipeline.size());
        }
    }
    if (data.size() != chunkBytes)
        throw FormatError("a chunk holds " + std::to_string(data.size()) + " bytes after its filters, not the "
            + std::to_string(chunkBytes) + " of a chunk");
    return data;
}

} // namespace ckpt::hdf5
