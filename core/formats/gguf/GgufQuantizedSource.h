#pragma once

#include "formats/gguf/GgmlDequantize.h"
#include "formats/gguf/GgmlTypes.h"
#include "io/ByteSource.h"
#include "tensor/FlatTensorSource.h"

#include <memory>

namespace ckpt {

// A block-quantized GGUF tensor served as float32: the blocks covering a requested range are
// read and dequantized on demand, so a slice of a large tensor costs only its blocks. Types we
// have no dequantizer for throw "dequantization of Q2_K is not supported" when read.
class GgufQuantizedSource final : public FlatTensorSource {
public:
    // byteOffset: the tensor's first block in `bytes`; the caller checked that every block fits.
    GgufQuantizedSource(
        std::shared_ptr<const ByteSource> bytes, GgmlType type, Shape shape, std::uint64_t byteOffset, bool bigEndian);

    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override;

private:
    std::shared_ptr<const ByteSource> bytes_;
    GgmlType type_;
    std::uint64_t byteOffset_;
    bool bigEndian_;
    DequantizeBlocks dequantize_;
};

} // namespace ckpt
