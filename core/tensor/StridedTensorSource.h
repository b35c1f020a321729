#pragma once

#include "io/ByteSource.h"
#include "tensor/TensorDataSource.h"

#include <memory>

namespace ckpt {

// Where a tensor's elements sit in a byte source: first element at byteOffset, then
// strides (in elements, one per axis, may be 0 for broadcast views) and the stored byte order.
struct StridedLayout {
    std::uint64_t byteOffset = 0;
    std::vector<std::int64_t> strides;
    ByteOrder byteOrder = ByteOrder::Little;

    static StridedLayout rowMajor(
        const Shape& shape, std::uint64_t byteOffset = 0, ByteOrder order = ByteOrder::Little);
    static StridedLayout columnMajor(
        const Shape& shape, std::uint64_t byteOffset = 0, ByteOrder order = ByteOrder::Little);
};

// A tensor stored as raw elements in a ByteSource (npy, safetensors, torch storages, MXNet, ...).
// The constructor checks that every element lies inside the source, so a hostile header can
// never make a read run past the end of the data.
class StridedTensorSource final : public TensorDataSource {
public:
    StridedTensorSource(std::shared_ptr<const ByteSource> bytes, DType dtype, Shape shape, StridedLayout layout);

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override;
    const std::byte* mappedElements() const override;
    // A stride-0 (broadcast) view: the view without its stride-0 axes, repeated.
    std::vector<RepeatedPart> repeatedParts() const override;

    bool isContiguousRowMajor() const { return contiguous_; }
    const StridedLayout& layout() const { return layout_; }
    const std::shared_ptr<const ByteSource>& bytes() const { return bytes_; }

private:
    void finish(std::byte* out, std::int64_t n) const; // byte swap when needed
    void readRun(std::uint64_t byteOffset, std::int64_t step, std::int64_t len, std::byte* dst,
        std::vector<std::byte>& scratch) const;

    std::shared_ptr<const ByteSource> bytes_;
    StridedLayout layout_;
    bool contiguous_ = false;
};

// Convenience: a row-major little/host-endian tensor held in memory.
std::shared_ptr<TensorDataSource> makeMemorySource(DType dtype, Shape shape, std::vector<std::byte> bytes);

// Reverses the bytes of each element (each half of a complex number) in place.
void swapByteOrder(DType dtype, std::byte* data, std::int64_t count);

} // namespace ckpt
