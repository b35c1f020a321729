#pragma once

#include "tensor/BoxListSource.h"
#include "tensor/TensorDataSource.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace ckpt {

// What the HDF5 data sources share: a tensor whose leading axes are the dataset's and whose
// trailing axes, if any, are those of an array member of its records (member {v: float32[2][3]}
// of a record dataset of shape (N,) is the tensor (N, 2, 3), as h5py's record["v"]). libhdf5
// reads whole dataset elements, each holding all of the member's values, so the sources read
// boxes of the dataset; a box that takes only part of the trailing axes is cut out of whole
// elements here.
class Hdf5ElementSource : public TensorDataSource {
public:
    void readBox(std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const final;

protected:
    // The shape's last `elementAxes` axes are held by each dataset element (0: one value each).
    Hdf5ElementSource(DType dtype, Shape shape, std::size_t elementAxes);

    // The dataset box [start, start + count), one entry per dataset axis, inside the dataset and
    // not empty: elementValues() values per element, in row-major order.
    virtual void readElements(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const = 0;

    const Shape& datasetShape() const { return datasetShape_; }
    // Values per dataset element: 1, or the product of an array member's dims.
    std::int64_t elementValues() const { return elementValues_; }
    // Bytes of one dataset element in memory.
    std::size_t elementBytes() const { return elementBytes_; }
    // A box of the dataset as a box of the tensor: all of each element's values.
    TensorBox withWholeElements(TensorBox datasetBox) const;

private:
    void readPartsOfElements(std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out,
        std::size_t axis) const;

    Shape datasetShape_;
    std::int64_t elementValues_;
    std::size_t elementBytes_;
};

} // namespace ckpt
