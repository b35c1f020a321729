#pragma once

#include "io/ByteSource.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

// Where each member's local header starts, read from the zip central directory (ZIP64 aware),
// in central-directory order (the order libzip indexes members in). libzip lists and inflates
// members but does not expose these offsets, which we need to read stored members in place.
struct ZipDirectoryEntry {
    std::string name; // raw bytes of the name
    std::uint64_t localHeaderOffset = 0;
};

std::vector<ZipDirectoryEntry> readZipCentralDirectory(const ByteSource& file);

// Offset of a member's data: its local header offset + 30 + name length + extra length.
std::uint64_t zipMemberDataOffset(const ByteSource& file, std::uint64_t localHeaderOffset);

} // namespace ckpt
