#include "formats/tfcheckpoint/SSTable.h"

#include "base/CheckpointError.h"
#include "codec/Crc32c.h"
#include "codec/ProtoWire.h"

#include <snappy.h>

namespace ckpt {

namespace {

constexpr std::size_t kBlockTrailerSize = 5; // compression type byte + masked crc32c
constexpr std::size_t kMaxKeyBytes = 1 << 16;
// TensorFlow's table blocks hold about 4 KiB (options.block_size) before compression.
constexpr std::size_t kMaxBlockBytes = std::size_t(64) << 20;

std::uint32_t u32le(const std::uint8_t* p)
{
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

std::string hex32(std::uint32_t v)
{
    static const char* digits = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4)
        s += digits[(v >> shift) & 15];
    return s;
}

// Snappy's length prefix says what a block uncompresses to; it is checked against a bound before
// anything is allocated (TensorFlow's blocks hold about 4 KiB, so 64 MiB is generous).
std::vector<std::uint8_t> unsnappy(std::span<const std::uint8_t> block, const std::string& where, std::uint64_t& budget)
{
    const char* in = reinterpret_cast<const char*>(block.data());
    std::size_t length = 0;
    if (!snappy::GetUncompressedLength(in, block.size(), &length))
        throw FormatError(where + " is snappy-compressed but its length prefix is corrupt");
    if (length > kMaxBlockBytes)
        throw FormatError(where + " claims to uncompress to " + std::to_string(length) + " bytes, more than "
            + std::to_string(kMaxBlockBytes >> 20) + " MiB");
    // All blocks together: TensorFlow's protos compress a few times at most; a table whose blocks
    // expand far beyond that would make its records (64 bytes each) cost hundreds of times the file.
    if (length > budget)
        throw FormatError(where
            + " uncompresses beyond 8 times the table's size (and 16 MiB): the blocks' "
              "records would take too much memory");
    budget -= length;
    std::vector<std::uint8_t> out(length);
    if (!snappy::RawUncompress(in, block.size(), reinterpret_cast<char*>(out.data())))
        throw FormatError(where + " is snappy-compressed but corrupt");
    return out;
}

struct BlockHandle {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

BlockHandle readHandle(std::span<const std::uint8_t> bytes, std::size_t& pos)
{
    BlockHandle h;
    h.offset = ProtoWire::readVarint(bytes, pos);
    h.size = ProtoWire::readVarint(bytes, pos);
    return h;
}

// The contents of the block at `handle` (without its trailer), after checking its place and its
// checksum, uncompressed when TensorFlow compressed it with snappy (its table writer's default, so
// many SavedModel variables have snappy blocks). `end` is where blocks must stop (the footer).
std::vector<std::uint8_t> blockAt(std::span<const std::uint8_t> table, const BlockHandle& h, std::uint64_t end,
    const char* what, std::uint64_t& inflateBudget)
{
    const std::string where = std::string(what) + " block at offset " + std::to_string(h.offset) + " ("
        + std::to_string(h.size) + " bytes)";
    if (h.offset > end || h.size > end - h.offset || kBlockTrailerSize > end - h.offset - h.size)
        throw FormatError(where + " lies outside the table (" + std::to_string(end)
            + " bytes before the footer; truncated or corrupt index?)");
    const auto block = table.subspan(std::size_t(h.offset), std::size_t(h.size));
    const std::uint8_t type = table[std::size_t(h.offset + h.size)];
    if (type != 0 && type != 1)
        throw FormatError(where + " has unknown compression type " + std::to_string(type));
    const std::uint32_t stored = crc32cUnmask(u32le(&table[std::size_t(h.offset + h.size + 1)]));
    const std::uint32_t actual = crc32cExtend(crc32c(block.data(), block.size()), &type, 1);
    if (stored != actual)
        throw FormatError(
            where + " is corrupt: its checksum is " + hex32(actual) + " but the table records " + hex32(stored));
    if (type == 0)
        return { block.begin(), block.end() };
    return unsnappy(block, where, inflateBudget);
}

// Appends the block's records to `out`. `keyBudget` bounds the bytes all rebuilt keys may take, so
// a hostile table cannot grow keys quadratically through prefix sharing.
void readBlock(std::span<const std::uint8_t> block, std::uint64_t blockOffset, std::vector<SSTableEntry>& out,
    std::uint64_t& keyBudget)
{
    const std::string where = "block at offset " + std::to_string(blockOffset);
    if (block.size() < 4)
        throw FormatError(
            where + " is too small (" + std::to_string(block.size()) + " bytes) to hold its restart count");
    const std::uint32_t restarts = u32le(&block[block.size() - 4]);
    if (restarts == 0 || restarts > (block.size() - 4) / 4)
        throw FormatError(where + " claims " + std::to_string(restarts) + " restart points in "
            + std::to_string(block.size()) + " bytes");
    const std::size_t entriesEnd = block.size() - 4 - 4 * std::size_t(restarts);
    for (std::uint32_t r = 0; r < restarts; ++r)
        if (u32le(&block[entriesEnd + 4 * r]) > entriesEnd)
            throw FormatError(where + ": restart point " + std::to_string(r) + " lies outside its entries");
    const auto entries = block.first(entriesEnd);
    std::string key = out.empty() ? std::string() : out.back().key;
    bool first = true;
    std::size_t pos = 0;
    while (pos < entries.size()) {
        const std::size_t start = pos;
        const std::uint64_t shared = ProtoWire::readVarint(entries, pos);
        const std::uint64_t unshared = ProtoWire::readVarint(entries, pos);
        const std::uint64_t valueLen = ProtoWire::readVarint(entries, pos);
        const std::string at = where + ", entry at offset " + std::to_string(start);
        if (first && shared != 0)
            throw FormatError(at + " shares a prefix with nothing (the first entry of a block is a restart point)");
        if (shared > key.size())
            throw FormatError(
                at + " shares " + std::to_string(shared) + " bytes with a key of " + std::to_string(key.size()));
        if (unshared > entries.size() - pos || valueLen > entries.size() - pos - unshared)
            throw FormatError(at + " runs past the end of its block");
        if (shared + unshared > kMaxKeyBytes || shared + unshared > keyBudget)
            throw FormatError(at + " has an implausibly long key (" + std::to_string(shared + unshared) + " bytes)");
        keyBudget -= shared + unshared;
        std::string next = key.substr(0, std::size_t(shared));
        next.append(reinterpret_cast<const char*>(&entries[pos]), std::size_t(unshared));
        pos += std::size_t(unshared);
        if (!out.empty() && !(out.back().key < next))
            throw FormatError(at + ": key '" + next + "' is not after the previous key '" + out.back().key
                + "' (keys must be unique and sorted)");
        out.push_back({ next, std::string(reinterpret_cast<const char*>(&entries[pos]), std::size_t(valueLen)) });
        pos += std::size_t(valueLen);
        key = std::move(next);
        first = false;
    }
}

} // namespace

std::vector<SSTableEntry> readSSTable(std::span<const std::uint8_t> table)
{
    if (table.size() < kSSTableFooterSize)
        throw FormatError("the table is " + std::to_string(table.size()) + " bytes, too small for its "
            + std::to_string(kSSTableFooterSize) + "-byte footer (truncated index?)");
    const std::size_t footerAt = table.size() - kSSTableFooterSize;
    const auto footer = table.subspan(footerAt);
    const std::uint64_t magic = std::uint64_t(u32le(&footer[40])) | std::uint64_t(u32le(&footer[44])) << 32;
    if (magic != kSSTableMagic)
        throw FormatError("the table footer has no magic number (the last 8 bytes should be 57fb808b247547db; "
                          "truncated or not a TensorFlow index?)");
    std::size_t pos = 0;
    const auto handles = footer.first(40);
    const BlockHandle metaindex = readHandle(handles, pos);
    const BlockHandle index = readHandle(handles, pos);
    (void)metaindex; // always empty in TensorFlow bundles

    std::uint64_t inflateBudget = 8 * std::uint64_t(table.size()) + (16u << 20);
    std::vector<SSTableEntry> dataHandles;
    std::uint64_t indexBudget = 64 * std::uint64_t(table.size()) + (1u << 20);
    readBlock(blockAt(table, index, footerAt, "index", inflateBudget), index.offset, dataHandles, indexBudget);

    std::vector<SSTableEntry> records;
    std::uint64_t keyBudget = 64 * std::uint64_t(table.size()) + (1u << 20);
    std::uint64_t nextFree = 0; // data blocks follow each other: a handle may not point back
    for (const auto& h : dataHandles) {
        std::size_t p = 0;
        const std::span<const std::uint8_t> value(
            reinterpret_cast<const std::uint8_t*>(h.value.data()), h.value.size());
        const BlockHandle handle = readHandle(value, p);
        if (handle.offset < nextFree)
            throw FormatError("index entry '" + h.key + "' points to offset " + std::to_string(handle.offset)
                + ", inside the previous data block (which ends at " + std::to_string(nextFree) + ")");
        readBlock(blockAt(table, handle, footerAt, "data", inflateBudget), handle.offset, records, keyBudget);
        nextFree = handle.offset + handle.size + kBlockTrailerSize;
    }
    return records;
}

} // namespace ckpt
