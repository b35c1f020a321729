#include "formats/tfcheckpoint/TfCheckpointReader.h"

#include "base/CheckpointError.h"
#include "formats/tfcheckpoint/BundleFiles.h"
#include "formats/tfcheckpoint/BundleProto.h"
#include "formats/tfcheckpoint/BundleTensorSource.h"
#include "formats/tfcheckpoint/SSTable.h"
#include "io/ContainedPath.h"

#include <filesystem>
#include <map>
#include <set>

namespace ckpt {

namespace {

constexpr std::uint64_t kMaxIndexBytes = std::uint64_t(1) << 30;
constexpr std::int32_t kMaxShards = 99999; // the file names have five digits
const std::string kKerasSuffix = "/.ATTRIBUTES/VARIABLE_VALUE";

std::span<const std::uint8_t> asBytes(const std::vector<std::byte>& v)
{
    return { reinterpret_cast<const std::uint8_t*>(v.data()), v.size() };
}

// The name shown for a key: Keras/TF2 "<path>/.ATTRIBUTES/VARIABLE_VALUE" becomes "<path>" unless
// that would collide with another key.
std::string displayName(const std::string& key, const std::set<std::string>& keys)
{
    if (key.size() <= kKerasSuffix.size()
        || key.compare(key.size() - kKerasSuffix.size(), kKerasSuffix.size(), kKerasSuffix) != 0)
        return key;
    std::string name = key.substr(0, key.size() - kKerasSuffix.size());
    return keys.count(name) ? key : name;
}

// Opens each data shard once, when a tensor first needs it.
class Shards {
public:
    Shards(std::string indexPath, std::string prefix, int count)
        : indexPath_(std::move(indexPath))
        , prefix_(std::move(prefix))
        , count_(count)
    {
    }

    std::shared_ptr<const FileByteSource> get(int shard, const std::string& tensor)
    {
        if (shard >= count_)
            throw FormatError("tensor '" + tensor + "' is in shard " + std::to_string(shard)
                + " but the header says there are " + std::to_string(count_) + " shards");
        auto& file = open_[shard];
        if (!file) {
            const std::string path = bundleShardPath(prefix_, shard, count_);
            std::error_code ec;
            if (!std::filesystem::exists(path, ec))
                throw CheckpointError(indexPath_, "data shard " + path + " is missing (it holds '" + tensor + "')");
            try {
                const std::string name = std::filesystem::path(path).filename().string();
                file = std::make_shared<FileByteSource>(containedPath(indexPath_, name, "data shard " + name));
            } catch (const FormatError& e) {
                throw CheckpointError(indexPath_, e.what());
            } catch (const CheckpointError& e) {
                throw CheckpointError(indexPath_, std::string("cannot read data shard ") + e.what());
            }
        }
        return file;
    }

private:
    std::string indexPath_;
    std::string prefix_;
    int count_;
    std::map<int, std::shared_ptr<const FileByteSource>> open_;
};

std::string describe(const BundleEntry& e)
{
    return tensorFlowTypeName(e.dtype) + " " + shapeToString(e.shape) + ", " + std::to_string(e.size) + " bytes";
}

struct Contents {
    Checkpoint& checkpoint;
    Shards& shards;
    bool bigEndian;
    std::int64_t slicePieces = 0;
};

void addEntry(Contents& c, const std::string& key, const std::string& name, const BundleEntry& e)
{
    auto& meta = c.checkpoint.metadata;
    if (e.sliceCount > 0) {
        meta[name] = "<partitioned variable, " + tensorFlowTypeName(e.dtype) + " " + shapeToString(e.shape) + " in "
            + std::to_string(e.sliceCount) + " slices: partitioned variables are not supported>";
        return;
    }
    if (e.dtype == kTfString) {
        meta[name] = "<string tensor " + shapeToString(e.shape) + ", " + std::to_string(e.size) + " bytes>";
        return;
    }
    const auto dtype = dtypeFromTensorFlow(e.dtype);
    if (!dtype || e.unknownRank) {
        meta[name] = "<" + describe(e) + (e.unknownRank ? ", unknown rank" : "") + ": not supported>";
        return;
    }
    const std::int64_t expected = checkedMul(shapeNumel(e.shape), std::int64_t(dtypeSize(*dtype)));
    if (expected != e.size)
        throw FormatError(
            "entry '" + key + "' (" + describe(e) + ") should hold " + std::to_string(expected) + " bytes");
    auto shard = c.shards.get(e.shardId, key);
    if (std::uint64_t(e.offset) > shard->size() || std::uint64_t(e.size) > shard->size() - std::uint64_t(e.offset))
        throw CheckpointError(shard->path(),
            "tensor '" + key + "' (" + std::to_string(e.size) + " bytes at offset " + std::to_string(e.offset)
                + ") runs past the end of the shard (" + std::to_string(shard->size()) + " bytes; truncated?)");
    Tensor t;
    t.info.name = name;
    t.info.dtype = *dtype;
    t.info.shape = e.shape;
    t.info.byteOrder = c.bigEndian ? ByteOrder::Big : ByteOrder::Little;
    t.info.location = std::filesystem::path(shard->path()).filename().string() + ", offset " + std::to_string(e.offset);
    t.data = std::make_shared<BundleTensorSource>(
        shard, name, *dtype, e.shape, std::uint64_t(e.offset), t.info.byteOrder, e.maskedCrc32c);
    if (name != key)
        meta[name + "/key"] = key;
    c.checkpoint.tensors.push_back(std::move(t));
}

} // namespace

bool TfCheckpointReader::matches(const FileProbe& probe) const
{
    // A complete table ends with the magic; a truncated one still starts with the header entry
    // (key "", a short BundleHeaderProto value starting with field 1, 2 or 3).
    const auto& t = probe.tail;
    if (t.size() >= 8) {
        std::uint64_t magic = 0;
        for (std::size_t i = 0; i < 8; ++i)
            magic |= std::uint64_t(t[t.size() - 8 + i]) << (8 * i);
        if (magic == kSSTableMagic)
            return true;
    }
    const auto& h = probe.head;
    return h.size() >= 4 && h[0] == 0 && h[1] == 0 && h[2] > 0 && h[2] < 0x80
        && (h[3] == 0x08 || h[3] == 0x10 || h[3] == 0x1a);
}

void TfCheckpointReader::read(const FileProbe& probe, Checkpoint& ckpt) const
{
    FileByteSource index(probe.path);
    if (index.size() > kMaxIndexBytes)
        throw FormatError("an index of " + std::to_string(index.size()) + " bytes is implausibly large");
    const auto bytes = index.readVector(0, std::size_t(index.size()));
    const auto records = readSSTable(asBytes(bytes));
    if (records.empty() || !records.front().key.empty())
        throw FormatError("the table has no bundle header (its first key should be empty)");
    const BundleHeader header = parseBundleHeader(records.front().value);
    if (records.size() > 1 && (header.numShards < 1 || header.numShards > kMaxShards))
        throw FormatError("the bundle header says there are " + std::to_string(header.numShards) + " data shards");
    ckpt.metadata["__tf_bundle__/num_shards"] = header.numShards;
    ckpt.metadata["__tf_bundle__/endianness"] = header.bigEndian ? "big" : "little";
    ckpt.metadata["__tf_bundle__/version"] = header.producer;

    std::set<std::string> keys;
    for (const auto& r : records)
        keys.insert(r.key);
    Shards shards(probe.path, bundlePrefix(probe.path), header.numShards);
    Contents contents { ckpt, shards, header.bigEndian };
    // Every entry is parsed before any shard is opened, so a broken index is reported as such.
    std::vector<std::pair<const std::string*, BundleEntry>> entries;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& key = records[i].key;
        if (key.front() == '\0') { // one piece of a partitioned variable, under an encoded slice key
            ++contents.slicePieces;
            continue;
        }
        try {
            entries.emplace_back(&key, parseBundleEntry(records[i].value));
        } catch (const FormatError& e) {
            throw FormatError("entry '" + key + "': " + e.what());
        }
    }
    for (const auto& [key, entry] : entries)
        addEntry(contents, *key, displayName(*key, keys), entry);
    if (contents.slicePieces > 0)
        ckpt.metadata["__tf_bundle__/slice_pieces"] = contents.slicePieces;
}

} // namespace ckpt
