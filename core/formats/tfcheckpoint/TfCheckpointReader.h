#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// TensorFlow checkpoint bundles (tf.train.Saver V2, tf.train.Checkpoint, Keras save_weights
// without .h5): the `.index` table of BundleEntryProto records and the `.data-SSSSS-of-NNNNN`
// shards beside it. Keras/TF2 keys lose their "/.ATTRIBUTES/VARIABLE_VALUE" suffix (the key is kept
// in metadata "<name>/key"); string tensors and partitioned variables are listed in metadata.
class TfCheckpointReader final : public FormatReader {
public:
    std::string_view name() const override { return "TensorFlow checkpoint"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
