#include "formats/hdf5/Hdf5Lz4Filters.h"

#include "base/CheckpointError.h"

#include <lz4.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

namespace ckpt::hdf5 {

namespace {

std::uint64_t bigEndian(const std::byte* p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | std::uint64_t(p[i]);
    return v;
}

// One LZ4 block of `compressed` bytes at `in`, into exactly `size` bytes at `out`.
void lz4Block(const std::byte* in, std::size_t compressed, std::byte* out, std::size_t size, const char* filter)
{
    if (compressed > INT_MAX || size > INT_MAX)
        throw FormatError(std::string("a ") + filter + " block is larger than 2 GiB");
    const int got = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
        static_cast<int>(compressed), static_cast<int>(size));
    if (got != static_cast<int>(size))
        throw FormatError(std::string("a chunk of the ") + filter
            + " filter is corrupt (an LZ4 block does not decode to " + std::to_string(size) + " bytes)");
}

// Bitshuffle's transpose undone for `n` elements (a multiple of 8) of `elementSize` bytes: the
// input holds, for each bit of each byte of an element, one bit plane of n / 8 bytes.
void bitUnshuffle(const std::byte* in, std::byte* out, std::size_t n, std::size_t elementSize)
{
    const std::size_t planeBytes = n / 8;
    std::memset(out, 0, n * elementSize);
    for (std::size_t byte = 0; byte < elementSize; ++byte)
        for (std::size_t bit = 0; bit < 8; ++bit) {
            const auto* plane = reinterpret_cast<const std::uint8_t*>(in) + (byte * 8 + bit) * planeBytes;
            for (std::size_t i = 0; i < n; ++i)
                if ((plane[i / 8] >> (i % 8)) & 1u)
                    out[i * elementSize + byte] |= std::byte(1u << bit);
        }
}

std::size_t defaultBlockElements(std::size_t elementSize) // bshuf_default_block_size
{
    const std::size_t block = (8192 / elementSize) / 8 * 8;
    return std::max<std::size_t>(block, 128);
}

} // namespace

std::vector<std::byte> decodeLz4Filter(const std::vector<std::byte>& in, std::size_t limit)
{
    if (in.size() < 12)
        throw FormatError("a chunk of the lz4 filter is shorter than its header");
    const std::uint64_t total = bigEndian(in.data(), 8);
    std::uint64_t block = bigEndian(in.data() + 8, 4);
    if (total > limit)
        throw FormatError("a chunk decoded by filter 32004 (lz4) would be larger than the " + std::to_string(limit)
            + " bytes of a chunk");
    if (block == 0 || block > total)
        block = total;
    std::vector<std::byte> out(static_cast<std::size_t>(total));
    std::size_t at = 12, done = 0;
    while (done < total) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block, total - done));
        if (in.size() - at < 4)
            throw FormatError("a chunk of the lz4 filter ends inside a block header");
        const std::size_t compressed = static_cast<std::size_t>(bigEndian(in.data() + at, 4));
        at += 4;
        if (compressed > in.size() - at)
            throw FormatError("a chunk of the lz4 filter has a block running past its end");
        if (compressed == want) // did not shrink: stored as it is
            std::memcpy(out.data() + done, in.data() + at, want);
        else
            lz4Block(in.data() + at, compressed, out.data() + done, want, "lz4");
        at += compressed;
        done += want;
    }
    return out;
}

std::vector<std::byte> decodeBitshuffleFilter(const std::vector<std::byte>& in, const Filter& f, std::size_t limit)
{
    const auto& cd = f.parameters;
    const std::size_t elementSize = cd.size() > 2 ? cd[2] : 0;
    const unsigned compression = cd.size() > 4 ? cd[4] : 0;
    if (elementSize == 0 || elementSize > 1024)
        throw FormatError("the bitshuffle filter's element size (" + std::to_string(elementSize) + ") is not usable");
    if (compression != 0 && compression != 2)
        throw FormatError("the bitshuffle filter's compression " + std::to_string(compression)
            + (compression == 3 ? " (zstd)" : "") + " is not supported");
    std::size_t at = 0, bytes = in.size(), blockElements = cd.size() > 3 ? cd[3] : 0;
    if (compression) {
        if (in.size() < 12)
            throw FormatError("a chunk of the bitshuffle filter is shorter than its header");
        bytes = static_cast<std::size_t>(std::min<std::uint64_t>(bigEndian(in.data(), 8), std::uint64_t(limit) + 1));
        blockElements = static_cast<std::size_t>(bigEndian(in.data() + 8, 4)) / elementSize; // stored in bytes
        at = 12;
    }
    if (bytes > limit)
        throw FormatError("a chunk decoded by filter 32008 (bitshuffle) would be larger than the "
            + std::to_string(limit) + " bytes of a chunk");
    if (blockElements == 0)
        blockElements = defaultBlockElements(elementSize);
    if (blockElements % 8 || blockElements > (std::size_t(1) << 28))
        throw FormatError("the bitshuffle filter's block size (" + std::to_string(blockElements) + ") is not usable");
    const std::size_t elements = bytes / elementSize;
    std::vector<std::byte> out(bytes), shuffled;
    std::size_t done = 0; // elements
    while (elements - done >= 8) {
        const std::size_t n = std::min(blockElements, (elements - done) / 8 * 8);
        const std::size_t blockBytes = n * elementSize;
        const std::byte* source = in.data() + at;
        if (compression) {
            if (in.size() - at < 4)
                throw FormatError("a chunk of the bitshuffle filter ends inside a block header");
            const std::size_t compressed = static_cast<std::size_t>(bigEndian(in.data() + at, 4));
            at += 4;
            if (compressed > in.size() - at)
                throw FormatError("a chunk of the bitshuffle filter has a block running past its end");
            shuffled.resize(blockBytes);
            lz4Block(in.data() + at, compressed, shuffled.data(), blockBytes, "bitshuffle");
            source = shuffled.data();
            at += compressed;
        } else {
            if (blockBytes > in.size() - at)
                throw FormatError("a chunk of the bitshuffle filter is shorter than its elements");
            at += blockBytes;
        }
        bitUnshuffle(source, out.data() + done * elementSize, n, elementSize);
        done += n;
    }
    const std::size_t rest = bytes - done * elementSize; // fewer than 8 elements and any odd bytes
    if (rest > in.size() - at)
        throw FormatError("a chunk of the bitshuffle filter is shorter than its elements");
    if (rest)
        std::memcpy(out.data() + done * elementSize, in.data() + at, rest);
    return out;
}

} // namespace ckpt::hdf5
