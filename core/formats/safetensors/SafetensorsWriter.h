#pragma once

#include "formats/FormatWriter.h"
#include "tensor/Tensor.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// The safetensors name of a dtype ("F32", "BF16", ...), or nullopt when the format has none.
std::optional<std::string> safetensorsDtypeName(DType dtype);

// Writes the tensors as the reference implementation does: an 8-byte little-endian header
// length, a JSON header padded with spaces to a multiple of 8 bytes, then the data, ordered by
// decreasing alignment and then by name, with no gaps. Streams each tensor; atomic output.
// Throws CheckpointError naming the output (or the tensor the format cannot hold). Uses
// overwrite, sources, metadata ("__metadata__"), cancel and progress; safetensors has no
// compression and no place for an architecture.
void writeSafetensors(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options = {});

class SafetensorsFormatWriter final : public FormatWriter {
public:
    std::string_view name() const override { return "safetensors"; }
    std::vector<std::string_view> extensions() const override { return { ".safetensors" }; }
    bool holds(DType dtype) const override { return safetensorsDtypeName(dtype).has_value(); }
    void write(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options) const override
    {
        writeSafetensors(path, tensors, options);
    }
};

} // namespace ckpt
