#pragma once

#include "tensor/TensorInfo.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ckpt {

class TensorDataSource;

// Elements of a tensor (in any order and shape) each standing for `repeat` of its elements.
struct RepeatedPart {
    std::shared_ptr<const TensorDataSource> elements;
    std::int64_t repeat = 1;
};

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
    virtual void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const = 0;

    // `count` consecutive elements in row-major order from flat index `first`.
    // The default splits the range into boxes; contiguous sources override it.
    virtual void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const;

    // All elements in row-major order and host byte order, where they already sit in memory
    // (a mapped file, a buffer), or nullptr. Bytes of a mapped file may vanish if the file is
    // truncated: read them only inside runMappedAccess (io/MappedAccess.h).
    virtual const std::byte* mappedElements() const { return nullptr; }

    // The tensor's elements as a multiset of repeated parts, when it stores far fewer elements than
    // it declares (a stride-0 view; an HDF5 dataset whose chunks were never written, which read as
    // its fill value), so that statistics cost what is stored, not what is declared. Empty: every
    // element must be read. Parts read this source's storage: use them while it lives.
    virtual std::vector<RepeatedPart> repeatedParts() const { return {}; }

    // How many consecutive elements (in row-major order, from a multiple of it) come out of one
    // unit of storage, such as a compressed chunk, or 0. Readers that split the work by flat
    // ranges align them to it, so that no two threads decode the same unit.
    virtual std::int64_t storageRunElements() const { return 0; }

protected:
    void checkBox(std::span<const std::int64_t> start, std::span<const std::int64_t> count) const;
    void checkFlat(std::int64_t first, std::int64_t count) const;

private:
    void readFlatFrom(std::vector<std::int64_t>& prefix, std::int64_t first, std::int64_t count, std::byte*& out) const;

    DType dtype_;
    Shape shape_;
};

} // namespace ckpt
