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
    // Sets the checkpoint's path and format, lets the reader read(), and turns whatever it
    // throws into a CheckpointError naming the file and the reason: written once, here.
    Checkpoint open(const FileProbe& probe) const;

protected:
    // The reader's own work, on a checkpoint whose path and format are set (a reader may name
    // its format more precisely). Throws FormatError for a fault in the file's bytes, or
    // CheckpointError when the fault must name something else, such as a shard.
    virtual void read(const FileProbe& probe, Checkpoint& checkpoint) const = 0;
};

} // namespace ckpt
