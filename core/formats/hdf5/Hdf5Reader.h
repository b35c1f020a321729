#pragma once

#include "formats/FormatReader.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <vector>

namespace ckpt {

// Any HDF5 file: groups become the tree, numeric datasets tensors, attributes metadata.
// Recognises Keras save_weights / model.save layouts (layer_names / weight_names order)
// and our own native files (original names kept in a "tensor_name" attribute).
class Hdf5Reader final : public FormatReader {
public:
    std::string_view name() const override { return "HDF5"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

// Opens the HDF5 file at `path`, or the in-memory file `image` when given (`path` then only names
// it for libhdf5); `displayPath` is named in errors and is the checkpoint's path (they differ when
// the HDF5 file is a member of a .keras archive). `kerasConfig` is the model's config.json, used
// to name Keras 3 variables.
Checkpoint openHdf5File(const std::string& path, const std::string& displayPath, const std::vector<std::byte>* image,
    const nlohmann::json* kerasConfig);

} // namespace ckpt
