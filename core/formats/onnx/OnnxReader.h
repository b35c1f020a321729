#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// ONNX models (.onnx): the graph's initializers as tensors, named as written ("fc1.weight",
// "onnx::MatMul_12"). raw_data is read in place from the model file, external data from the file
// beside the model that external_data names (never outside the model's directory); typed fields
// are decoded on first read. Metadata: ir_version, producer, opsets, graph name and, per
// initializer, the nodes that consume it ("<name>/consumers").
class OnnxReader final : public FormatReader {
public:
    std::string_view name() const override { return "ONNX"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
