#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// MXNet NDArray list files (mx.nd.save, npx.save in 1.x, Gluon save_parameters / save_params,
// Module checkpoints): the 0x112 header, then per-array records in the legacy, V1, V2 or V3
// encoding, then the optional names. Dense arrays only; sparse ones are a clear error.
class MxnetReader final : public FormatReader {
public:
    std::string_view name() const override { return "MXNet"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
