#pragma once

#include "formats/FileProbe.h"
#include "tensor/Checkpoint.h"

#include <string_view>

namespace ckpt {

// One reader per on-disk format. A reader is chosen by content: matches() looks at the
// probe's magic bytes (never the file extension); open() reads metadata only, leaving
// tensor data to each tensor's TensorDataSource.
class FormatReader {
public:
    virtual ~FormatReader() = default;
    virtual std::string_view name() const = 0; // "HDF5", "safetensors", ...
    virtual bool matches(const FileProbe& probe) const = 0;
    // Throws CheckpointError naming the file and the reason.
    virtual Checkpoint open(const FileProbe& probe) const = 0;
};

} // namespace ckpt
