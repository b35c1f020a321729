#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// Any HDF5 file: groups become the tree, numeric datasets tensors, attributes metadata.
// Recognises Keras save_weights / model.save layouts (layer_names / weight_names order)
// and our own native files (original names kept in a "tensor_name" attribute).
class Hdf5Reader final : public FormatReader {
public:
    std::string_view name() const override { return "HDF5"; }
    bool matches(const FileProbe& probe) const override;
    Checkpoint open(const FileProbe& probe) const override;
};

} // namespace ckpt
