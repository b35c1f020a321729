#include "formats/numpy/ZipCentralDirectory.h"

#include "base/CheckpointError.h"

#include <algorithm>

namespace ckpt {

namespace {

std::uint64_t le(const std::byte* p, int n)
{
    std::uint64_t v = 0;
    for (int i = n; i-- > 0;)
        v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::uint32_t kEnd64Signature = 0x06064b50;
constexpr std::uint32_t kEnd64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kCentralSignature = 0x02014b50;
constexpr std::uint32_t kLocalSignature = 0x04034b50;

struct DirectoryPosition {
    std::uint64_t entries = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

DirectoryPosition findDirectory(const ByteSource& file)
{
    const std::uint64_t fileSize = file.size();
    if (fileSize < 22)
        throw FormatError("zip archive too short for an end-of-central-directory record");
    const std::uint64_t window = std::min<std::uint64_t>(fileSize, 22 + 65535);
    const auto tail = file.readVector(fileSize - window, static_cast<std::size_t>(window));
    std::size_t at = tail.size() - 22 + 1;
    do {
        --at;
        if (le(tail.data() + at, 4) == kEndSignature)
            break;
    } while (at > 0);
    if (le(tail.data() + at, 4) != kEndSignature)
        throw FormatError("no zip end-of-central-directory record");
    const std::byte* end = tail.data() + at;
    DirectoryPosition d { le(end + 10, 2), le(end + 16, 4), le(end + 12, 4) };
    const std::uint64_t endOffset = fileSize - window + at;
    if ((d.entries == 0xffff || d.offset == 0xffffffff || d.size == 0xffffffff) && endOffset >= 20) {
        const auto locator = file.readVector(endOffset - 20, 20);
        if (le(locator.data(), 4) == kEnd64LocatorSignature) {
            const auto end64 = file.readVector(le(locator.data() + 8, 8), 56);
            if (le(end64.data(), 4) != kEnd64Signature)
                throw FormatError("bad ZIP64 end-of-central-directory record");
            d = { le(end64.data() + 32, 8), le(end64.data() + 48, 8), le(end64.data() + 40, 8) };
        }
    }
    if (d.offset > fileSize || d.size > fileSize - d.offset || d.entries > d.size / 46)
        throw FormatError("zip central directory lies outside the file");
    return d;
}

} // namespace

std::vector<ZipDirectoryEntry> readZipCentralDirectory(const ByteSource& file)
{
    const DirectoryPosition d = findDirectory(file);
    const auto dir = file.readVector(d.offset, static_cast<std::size_t>(d.size));
    std::vector<ZipDirectoryEntry> entries;
    std::size_t pos = 0;
    for (std::uint64_t i = 0; i < d.entries; ++i) {
        if (dir.size() - pos < 46 || le(dir.data() + pos, 4) != kCentralSignature)
            throw FormatError("corrupt zip central directory entry " + std::to_string(i));
        const std::byte* e = dir.data() + pos;
        const std::uint64_t nameLen = le(e + 28, 2), extraLen = le(e + 30, 2), commentLen = le(e + 32, 2);
        if (dir.size() - pos - 46 < nameLen + extraLen + commentLen)
            throw FormatError("corrupt zip central directory entry " + std::to_string(i));
        ZipDirectoryEntry entry;
        entry.name.assign(reinterpret_cast<const char*>(e + 46), nameLen);
        entry.localHeaderOffset = le(e + 42, 4);
        if (entry.localHeaderOffset == 0xffffffff) {
            // ZIP64 extra field: the 64-bit values present are those whose 32-bit field is all ones.
            std::size_t skip = (le(e + 24, 4) == 0xffffffff ? 8 : 0) + (le(e + 20, 4) == 0xffffffff ? 8 : 0);
            const std::byte* x = e + 46 + nameLen;
            const std::byte* xEnd = x + extraLen;
            bool found = false;
            while (xEnd - x >= 4) {
                const std::uint64_t id = le(x, 2), len = le(x + 2, 2);
                if (static_cast<std::uint64_t>(xEnd - x - 4) < len)
                    break;
                if (id == 1 && len >= skip + 8) {
                    entry.localHeaderOffset = le(x + 4 + skip, 8);
                    found = true;
                    break;
                }
                x += 4 + len;
            }
            if (!found)
                throw FormatError("zip member '" + entry.name + "' lacks its ZIP64 offset");
        }
        entries.push_back(std::move(entry));
        pos += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
}

std::uint64_t zipMemberDataOffset(const ByteSource& file, std::uint64_t localHeaderOffset)
{
    const auto header = file.readVector(localHeaderOffset, 30);
    if (le(header.data(), 4) != kLocalSignature)
        throw FormatError("no zip local header at offset " + std::to_string(localHeaderOffset));
    return localHeaderOffset + 30 + le(header.data() + 26, 2) + le(header.data() + 28, 2);
}

} // namespace ckpt
