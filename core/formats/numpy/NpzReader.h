#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// A NumPy .npz: a zip archive whose members are all .npy files (np.savez stores them,
// np.savez_compressed deflates them). Tensors are named by member name without ".npy".
// Zips holding anything else (PyTorch data.pkl, Keras config.json) are not ours.
class NpzReader final : public FormatReader {
public:
    std::string_view name() const override { return "NumPy .npz"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
