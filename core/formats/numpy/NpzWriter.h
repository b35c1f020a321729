#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

struct NpzWriteOptions {
    bool compress = false;                    // np.savez_compressed (deflate) instead of np.savez (stored)
    bool overwrite = false;
    std::vector<std::string> sources;         // files being read: never written over
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::int64_t bytesDone, std::int64_t bytesTotal)> progress;
};

// The .npy descr of a dtype ("<f4", "|b1"), or nullopt when numpy has none (bfloat16, float8).
std::optional<std::string> npyDescr(DType dtype);

// The .npy header (magic, version, padded dict) for a C-order array of this dtype and shape.
std::string npyHeader(DType dtype, const Shape& shape);

// Writes an .npz as np.savez does: one NAME.npy member per tensor. Members are streamed from
// their sources while libzip writes the archive (one tensor in memory at a time, ZIP64 when
// large); atomic output. Throws CheckpointError naming the output or the tensor numpy cannot hold.
void writeNpz(const std::string& path, const std::vector<Tensor>& tensors, const NpzWriteOptions& options = {});

} // namespace ckpt
