#include "open/ShardedIndexReader.h"

#include "base/CheckpointError.h"
#include "io/ByteSource.h"
#include "io/ContainedPath.h"
#include "open/ReaderRegistry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <unordered_set>

namespace ckpt {

namespace {

constexpr std::uint64_t kMaxIndexBytes = 64 << 20;
constexpr std::size_t kMaxShards = 65536;

// A shard is a checkpoint file of a format we read — never another index (an index naming
// itself would recurse).
Checkpoint openShard(const std::string& shardPath, const ShardedIndexReader& index)
{
    const FileProbe probe = FileProbe::read(shardPath);
    if (index.matches(probe))
        throw FormatError("is itself an index");
    for (const auto& reader : allReaders())
        if (reader->name() != index.name() && reader->matches(probe))
            return reader->open(probe);
    throw FormatError("is not a checkpoint file of a format we read");
}

} // namespace

bool ShardedIndexReader::matches(const FileProbe& probe) const
{
    const std::string head(probe.head.begin(), probe.head.end());
    const auto first = head.find_first_not_of(" \t\r\n");
    return first != std::string::npos && head[first] == '{' && head.find("\"weight_map\"") != std::string::npos;
}

void ShardedIndexReader::read(const FileProbe& probe, Checkpoint& c) const
{
    if (probe.size > kMaxIndexBytes)
        throw FormatError("index file is larger than 64 MiB");
    const FileByteSource file(probe.path);
    const auto index = nlohmann::json::parse(file.readString(0, std::size_t(file.size())), nullptr, false);
    if (index.is_discarded() || !index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        throw FormatError("not a checkpoint index: needs a \"weight_map\" object");
    std::vector<std::string> shards;
    std::unordered_set<std::string> shardSet;
    std::map<std::string, std::string> shardOf;
    for (const auto& [tensor, shard] : index["weight_map"].items()) {
        if (!shard.is_string())
            throw FormatError("weight_map entry '" + tensor + "' is not a file name");
        const std::string s = shard.get<std::string>();
        if (s.find('/') != std::string::npos || s == "..")
            throw FormatError("shard '" + s + "' is not a file beside the index");
        if (shardSet.insert(s).second)
            shards.push_back(s);
        if (shards.size() > kMaxShards)
            throw FormatError("the index names more than " + std::to_string(kMaxShards) + " shards");
        shardOf[tensor] = s;
    }
    if (index.contains("metadata") && index["metadata"].is_object())
        for (const auto& [k, v] : index["metadata"].items())
            c.metadata["metadata/" + k] = v.is_string() ? v.get<std::string>() : v.dump();
    std::string format;
    for (const auto& shard : shards) {
        Checkpoint part;
        try {
            part = openShard(containedPath(probe.path, shard, "shard '" + shard + "'"), *this);
        } catch (const CheckpointError& e) {
            throw CheckpointError(probe.path, "shard " + shard + ": " + e.reason());
        } catch (const std::exception& e) {
            const std::string why = e.what();
            throw CheckpointError(probe.path, why.rfind("shard '", 0) == 0 ? why : "shard " + shard + " " + why);
        }
        if (format.empty())
            format = part.format;
        for (auto& t : part.tensors) {
            const auto it = shardOf.find(t.info.name);
            if (it == shardOf.end() || it->second != shard)
                continue; // listed in another shard by the index: the index decides
            t.info.location = shard + ", " + t.info.location;
            c.tensors.push_back(std::move(t));
            shardOf.erase(it);
        }
        for (auto& [k, v] : part.metadata.items())
            c.metadata[k] = v;
    }
    if (!shardOf.empty())
        throw FormatError("tensor '" + shardOf.begin()->first + "' is not in its shard " + shardOf.begin()->second);
    c.format = (format.empty() ? std::string("checkpoint") : format) + " (sharded)";
}

} // namespace ckpt
