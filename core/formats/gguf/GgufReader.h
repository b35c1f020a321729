#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// GGUF (llama.cpp / ggml) model files, versions 1 to 3: key/value metadata, tensors with their
// ggml type; plain types are read as they are, block-quantized ones dequantized to float32.
class GgufReader final : public FormatReader {
public:
    std::string_view name() const override { return "GGUF"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
