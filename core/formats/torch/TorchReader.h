#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// torch.save files, detected by content: the zip format (≥1.6: a zip with <root>/data.pkl and
// <root>/data/<key> storage records; format "PyTorch zip") and the legacy pre-1.6 format
// (a chain of pickles starting with torch's magic number; format "PyTorch legacy").
// Opening parses the pickle with our safe unpickler and the zip directory or storage
// record headers; tensor bytes are read on demand by offset.
class TorchReader final : public FormatReader {
public:
    std::string_view name() const override { return "PyTorch"; }
    bool matches(const FileProbe& probe) const override;
    Checkpoint open(const FileProbe& probe) const override;
};

} // namespace ckpt
