#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// One .safetensors file: an 8-byte header length, then a JSON header ('{' first).
class SafetensorsReader final : public FormatReader {
public:
    std::string_view name() const override { return "safetensors"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
