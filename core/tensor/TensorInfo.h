#pragma once

#include "tensor/DType.h"
#include "tensor/Shape.h"

#include <cstdint>
#include <string>

namespace ckpt {

// What is known about a tensor without reading its data.
struct TensorInfo {
    std::string name; // full name as its library wrote it: "hidden.weight", "dense/dense/kernel:0"
    DType dtype = DType::Float32;
    Shape shape;
    ByteOrder byteOrder = ByteOrder::Little; // order of the bytes on disk
    bool columnMajor = false; // stored in Fortran order on disk (values are always served row-major)
    std::string location; // where the data lives, for people: "offset 128", "dataset /hidden/weight"
    std::string encoding; // storage encoding when it is not plain dtype elements: "Q8_0" (GGUF
                          // block quantization, served dequantized as dtype); empty otherwise
    std::string unreadable; // why the data is refused or cannot be read (a source outside the
                            // checkpoint's folder, a corrupt chunk index); empty when readable

    std::int64_t numel() const { return shapeNumel(shape); }
    // "float32", or "Q8_0→float32" for an encoded tensor served as dtype.
    std::string dtypeLabel() const
    {
        return encoding.empty() ? std::string(dtypeName(dtype))
                                : encoding + "\xe2\x86\x92" + std::string(dtypeName(dtype));
    }
    // Saturates at INT64_MAX: a valid HDF5 dataset never written may declare more than 2^63 bytes.
    std::int64_t nbytes() const { return saturatingMul(numel(), static_cast<std::int64_t>(dtypeSize(dtype))); }
};

} // namespace ckpt
