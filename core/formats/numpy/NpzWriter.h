#pragma once

#include "formats/FormatWriter.h"
#include "tensor/Tensor.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// The .npy descr of a dtype ("<f4", "|b1"), or nullopt when numpy has none (bfloat16, float8).
std::optional<std::string> npyDescr(DType dtype);

// The .npy header (magic, version, padded dict) for a C-order array of this dtype and shape.
std::string npyHeader(DType dtype, const Shape& shape);

// Writes an .npz as np.savez does: one NAME.npy member per tensor. Members are streamed from
// their sources while libzip writes the archive (one tensor in memory at a time, ZIP64 when
// large); atomic output. Throws CheckpointError naming the output or the tensor numpy cannot hold.
// Uses compress (np.savez_compressed: deflate), overwrite, sources, cancel and progress; npz has
// no place for metadata or an architecture.
void writeNpz(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options = {});

class NpzFormatWriter final : public FormatWriter {
public:
    std::string_view name() const override { return "npz"; }
    std::vector<std::string_view> extensions() const override { return { ".npz" }; }
    bool holds(DType dtype) const override { return npyDescr(dtype).has_value(); }
    bool compresses() const override { return true; }
    void write(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options) const override
    {
        writeNpz(path, tensors, options);
    }
};

} // namespace ckpt
