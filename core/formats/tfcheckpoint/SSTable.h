#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ckpt {

// One key/value record of a LevelDB-format table.
struct SSTableEntry {
    std::string key;
    std::string value;
};

// Reads every record of a LevelDB-format table (the `.index` file of a TensorFlow bundle) held in
// memory: footer, index block, then each data block in order, with prefix-compressed keys rebuilt.
// Checks the footer magic, block checksums, handles, varints and key order against the bytes;
// snappy-compressed blocks are uncompressed; malformed tables throw FormatError saying what is wrong and where.
std::vector<SSTableEntry> readSSTable(std::span<const std::uint8_t> table);

inline constexpr std::uint64_t kSSTableMagic = 0xdb4775248b80fb57ull;
inline constexpr std::size_t kSSTableFooterSize = 48;

} // namespace ckpt
