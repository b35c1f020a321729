#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// A checkpoint split into shards, opened through its index, as Hugging Face writes them:
// model.safetensors.index.json, pytorch_model.bin.index.json, flax_model.msgpack.index.json —
// {"metadata": {...}, "weight_map": {"tensor name": "shard file beside the index"}}. Each shard
// is opened by whichever reader matches it; the index decides which shard holds which tensor.
class ShardedIndexReader final : public FormatReader {
public:
    std::string_view name() const override { return "sharded checkpoint index"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
