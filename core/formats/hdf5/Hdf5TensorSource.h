#pragma once

#include "formats/hdf5/Hdf5DatasetRef.h"
#include "formats/hdf5/Hdf5ElementSource.h"

#include <memory>
#include <string>

namespace ckpt {

// Reads a dataset through libhdf5 hyperslab selections, so only the requested box is read
// (and only the chunks it touches are decompressed). `elementAxes`: see Hdf5ElementSource.
class Hdf5TensorSource final : public Hdf5ElementSource, public std::enable_shared_from_this<Hdf5TensorSource> {
public:
    Hdf5TensorSource(hdf5::DatasetRef dataset, hdf5::Handle memoryType, DType dtype, Shape shape, std::string path,
        std::size_t elementAxes = 0);
    ~Hdf5TensorSource() override;

    // A contiguous dataset never written (libhdf5 allocates it late): its fill value, repeated. A
    // virtual dataset whose mappings are disjoint blocks covering part of it: the blocks, and the
    // fill value for the rest.
    std::vector<RepeatedPart> repeatedParts() const override;

private:
    void readElements(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;
    bool fillIfNeverWritten(hid_t dataset, std::span<const std::int64_t> count, std::byte* out) const;

    hdf5::DatasetRef dataset_; // opened for each read
    hdf5::Handle memoryType_;
    std::string path_;
};

} // namespace ckpt
