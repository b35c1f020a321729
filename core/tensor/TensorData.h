#pragma once

#include "tensor/Tensor.h"

#include <cstring>
#include <vector>

namespace ckpt {

// A tensor's elements in memory: row-major, host byte order.
struct TensorData {
    DType dtype = DType::Float32;
    Shape shape;
    std::vector<std::byte> bytes;

    std::int64_t numel() const { return shapeNumel(shape); }
    template <typename T> const T* as() const { return reinterpret_cast<const T*>(bytes.data()); }
    template <typename T> T* as() { return reinterpret_cast<T*>(bytes.data()); }
};

// Reads every element. Throws CheckpointError when the tensor is larger than maxBytes
// (the caller should stream instead) or when reading fails.
TensorData readTensor(const Tensor& tensor, std::int64_t maxBytes = std::int64_t(16) << 30);
// Reads the box [start, start + count).
TensorData readBox(
    const Tensor& tensor, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& count);

// A float32/float64/... buffer wrapped as TensorData (for the MLP, tests and the demo).
template <typename T> TensorData makeTensorData(DType dtype, Shape shape, const std::vector<T>& values)
{
    TensorData d { dtype, std::move(shape), std::vector<std::byte>(values.size() * sizeof(T)) };
    if (!values.empty())
        std::memcpy(d.bytes.data(), values.data(), d.bytes.size());
    return d;
}

// A Tensor whose data is the given in-memory buffer.
Tensor makeMemoryTensor(std::string name, TensorData data);

} // namespace ckpt
