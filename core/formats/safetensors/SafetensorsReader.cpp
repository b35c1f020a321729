#include "formats/safetensors/SafetensorsReader.h"

#include "formats/safetensors/SafetensorsHeader.h"
#include "io/ContainedPath.h"
#include "tensor/CheckpointError.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

namespace ckpt {

bool SafetensorsReader::matches(const FileProbe& probe) const
{
    // Header length (little-endian u64, far below 2^40) then the JSON object's '{'.
    if (probe.head.size() < 9)
        return probe.head.size() >= 8 && probe.head[5] == 0 && probe.head[6] == 0 && probe.head[7] == 0;
    return probe.head[6] == 0 && probe.head[7] == 0 && probe.head[8] == '{';
}

Checkpoint SafetensorsReader::open(const FileProbe& probe) const
{
    Checkpoint c;
    c.path = probe.path;
    c.format = std::string(name());
    try {
        appendSafetensors(std::make_shared<FileByteSource>(probe.path), c);
    } catch (const FormatError& e) {
        throw CheckpointError(probe.path, e.what());
    }
    return c;
}

bool SafetensorsIndexReader::matches(const FileProbe& probe) const
{
    const std::string head(probe.head.begin(), probe.head.end());
    const auto first = head.find_first_not_of(" \t\r\n");
    return first != std::string::npos && head[first] == '{' && head.find("\"weight_map\"") != std::string::npos;
}

Checkpoint SafetensorsIndexReader::open(const FileProbe& probe) const
{
    constexpr std::uint64_t kMaxIndex = 64 << 20;
    if (probe.size > kMaxIndex)
        throw CheckpointError(probe.path, "index file is larger than 64 MiB");
    Checkpoint c;
    c.path = probe.path;
    c.format = std::string(name());
    const FileByteSource file(probe.path);
    const auto index = nlohmann::json::parse(file.readString(0, std::size_t(file.size())), nullptr, false);
    if (index.is_discarded() || !index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        throw CheckpointError(probe.path, "not a safetensors index: needs a \"weight_map\" object");
    std::vector<std::string> shards;
    std::map<std::string, std::string> shardOf;
    for (const auto& [tensor, shard] : index["weight_map"].items()) {
        if (!shard.is_string())
            throw CheckpointError(probe.path, "weight_map entry '" + tensor + "' is not a file name");
        const std::string s = shard.get<std::string>();
        if (s.find('/') != std::string::npos || s == "..")
            throw CheckpointError(probe.path, "shard '" + s + "' is not a file beside the index");
        if (std::find(shards.begin(), shards.end(), s) == shards.end())
            shards.push_back(s);
        shardOf[tensor] = s;
    }
    if (index.contains("metadata") && index["metadata"].is_object())
        for (const auto& [k, v] : index["metadata"].items())
            c.metadata["metadata/" + k] = v.is_string() ? v.get<std::string>() : v.dump();
    for (const auto& shard : shards) {
        Checkpoint part;
        try {
            const std::string shardPath = containedPath(probe.path, shard, "shard '" + shard + "'");
            appendSafetensors(std::make_shared<FileByteSource>(shardPath), part, shard);
        } catch (const FormatError& e) {
            throw CheckpointError(probe.path, std::string(e.what()).rfind("shard '", 0) == 0 ? std::string(e.what())
                                                                                              : "shard " + shard + ": " + e.what());
        } catch (const CheckpointError& e) {
            throw CheckpointError(probe.path, "shard " + shard + ": " + e.reason());
        }
        for (auto& t : part.tensors) {
            const auto it = shardOf.find(t.info.name);
            if (it == shardOf.end() || it->second != shard)
                continue; // listed in another shard by the index: the index decides
            c.tensors.push_back(std::move(t));
            shardOf.erase(it);
        }
        for (auto& [k, v] : part.metadata.items())
            c.metadata[k] = v;
    }
    if (!shardOf.empty())
        throw CheckpointError(probe.path, "tensor '" + shardOf.begin()->first + "' is not in its shard "
                                              + shardOf.begin()->second);
    return c;
}

} // namespace ckpt
