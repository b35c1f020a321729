#pragma once

#include "tensor/TensorInfo.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace ckpt {

// Reads a tensor's elements on demand. Output is always in logical row-major order and host
// byte order, dtypeSize(dtype) bytes per element. Implementations throw FormatError or
// CheckpointError on I/O problems and must be safe to call from several threads at once.
class TensorDataSource {
public:
    explicit TensorDataSource(DType dtype, Shape shape)
        : dtype_(dtype)
        , shape_(std::move(shape))
    {
    }
    virtual ~TensorDataSource() = default;

    DType dtype() const { return dtype_; }
    const Shape& shape() const { return shape_; }

    // The box [start, start + count) along every axis. start/count have one entry per axis.
    virtual void readBox(std::span<const std::int64_t> start, std::span<const std::int64_t> count,
                         std::byte* out) const = 0;

    // `count` consecutive elements in row-major order from flat index `first`.
    // The default splits the range into boxes; contiguous sources override it.
    virtual void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const;

    // All elements in row-major order and host byte order, where they already sit in memory
    // (a mapped file, a buffer), or nullptr. Bytes of a mapped file may vanish if the file is
    // truncated: read them only inside runMappedAccess (io/MappedAccess.h).
    virtual const std::byte* mappedElements() const { return nullptr; }

protected:
    void checkBox(std::span<const std::int64_t> start, std::span<const std::int64_t> count) const;
    void checkFlat(std::int64_t first, std::int64_t count) const;

private:
    void readFlatFrom(std::vector<std::int64_t>& prefix, std::int64_t first, std::int64_t count,
                      std::byte*& out) const;

    DType dtype_;
    Shape shape_;
};

} // namespace ckpt
