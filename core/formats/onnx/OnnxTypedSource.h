#pragma once

#include "formats/onnx/OnnxProto.h"
#include "io/ByteSource.h"
#include "tensor/FlatTensorSource.h"

#include <memory>
#include <mutex>

namespace ckpt {

// An initializer whose values are in a TensorProto's typed field (float_data, int32_data,
// int64_data, double_data, uint64_data) rather than raw_data. The fields are decoded on the first
// read — they only hold small tensors in practice — following the ONNX rules: int32_data carries
// float16/bfloat16 as their uint16 bit patterns, float8 as uint8 bits, int8..uint16 and bool
// widened to int32; uint64_data carries uint32 and uint64.
class OnnxTypedSource final : public FlatTensorSource {
public:
    // `bytes` keeps the memory the runs point into alive. Throws FormatError when the field does
    // not fit the data type or holds a different number of values than the dims need.
    OnnxTypedSource(std::shared_ptr<const ByteSource> bytes, const OnnxTensor& tensor, DType dtype);

    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override;

private:
    void decode() const;

    std::shared_ptr<const ByteSource> bytes_;
    std::uint32_t field_;
    std::vector<OnnxTypedRun> runs_;
    mutable std::once_flag decoded_;
    mutable std::vector<std::byte> values_;
};

// Which typed field holds values of `dataType` (ONNX spec), e.g. 5 (int32_data) for FLOAT16.
std::uint32_t onnxTypedFieldFor(std::int32_t dataType);
// "float_data", "int32_data", ...
const char* onnxTypedFieldName(std::uint32_t field);

} // namespace ckpt
