#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// A Keras 3 `.keras` file: a zip holding metadata.json, config.json and model.weights.h5.
// The weights are read with the HDF5 reader and named from the config (Keras3Names.h).
class KerasArchiveReader final : public FormatReader {
public:
    std::string_view name() const override { return "Keras archive"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
