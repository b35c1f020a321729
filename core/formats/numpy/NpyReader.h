#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// A single .npy file (np.save). A numeric array is one tensor named "array" (the file name
// is not used, so the name does not depend on how the file is called); an object array holding
// a pickled dict or list gives one tensor per array, named by its key or list index.
class NpyReader final : public FormatReader {
public:
    std::string_view name() const override { return "NumPy .npy"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
