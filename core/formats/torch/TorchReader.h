#pragma once

#include "formats/FormatReader.h"
#include "io/ByteSource.h"

#include <memory>

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

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

// A torch.save zip held in part of another file (a tensor in a distributed checkpoint's .distcp),
// read as a checkpoint of its own; `where` names it in errors.
Checkpoint openTorchZipBytes(const std::string& where, std::shared_ptr<const ByteSource> bytes);

} // namespace ckpt
