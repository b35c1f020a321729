#pragma once

#include <optional>
#include <string>

namespace ckpt {

// The files of a TensorFlow bundle `<prefix>`: `<prefix>.index` and `<prefix>.data-SSSSS-of-NNNNN`.

// "model.ckpt.index" → "model.ckpt"; an index file under another name is its own prefix.
std::string bundlePrefix(const std::string& indexPath);
// "<prefix>.data-00001-of-00004" for shard 1 of 4.
std::string bundleShardPath(const std::string& prefix, int shard, int numShards);
// The index meant when the user names a bundle by its prefix ("mlp.params", which is not a file,
// while "mlp.params.index" is) or by one of its data shards; nothing otherwise.
std::optional<std::string> bundleIndexFor(const std::string& path);

} // namespace ckpt
