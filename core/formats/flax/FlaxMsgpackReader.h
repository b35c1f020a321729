#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// A Flax/JAX checkpoint written by flax.serialization.to_bytes / msgpack_serialize
// (flax_model.msgpack): a msgpack map of nested dicts whose leaves are arrays stored as msgpack
// extension 1 (a msgpack (shape, dtype name, raw bytes) triple), numpy scalars as extension 3
// (dtype name, bytes), complex numbers as extension 2, and plain values. Tensors are named by
// their key path ("params/Dense_0/kernel") and read in place from the file.
class FlaxMsgpackReader final : public FormatReader {
public:
    std::string_view name() const override { return "Flax msgpack"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
