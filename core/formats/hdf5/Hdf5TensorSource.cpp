#include "formats/hdf5/Hdf5TensorSource.h"

#include "tensor/CheckpointError.h"

#include <vector>

namespace ckpt {

using namespace hdf5;

Hdf5TensorSource::Hdf5TensorSource(DatasetRef dataset, Handle memoryType, DType dtype, Shape shape, std::string path)
    : TensorDataSource(dtype, std::move(shape))
    , dataset_(std::move(dataset))
    , memoryType_(std::move(memoryType))
    , path_(std::move(path))
{
}

Hdf5TensorSource::~Hdf5TensorSource()
{
    std::lock_guard lock(hdf5::mutex());
    memoryType_.reset();
    dataset_.file.reset();
}

void Hdf5TensorSource::readBox(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    checkBox(start, count);
    for (auto c : count)
        if (c == 0)
            return;
    std::lock_guard lock(hdf5::mutex());
    const Handle dataset = dataset_.open(path_);
    herr_t status;
    if (start.empty()) {
        status = H5Dread(dataset.get(), memoryType_.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
    } else {
        std::vector<hsize_t> offset(start.begin(), start.end()), extent(count.begin(), count.end());
        Handle fileSpace(H5Dget_space(dataset.get()));
        H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, offset.data(), nullptr, extent.data(), nullptr);
        Handle memSpace(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr));
        status = H5Dread(dataset.get(), memoryType_.get(), memSpace.get(), fileSpace.get(), H5P_DEFAULT, out);
    }
    if (status < 0) {
        const std::string why = lastError();
        throw CheckpointError(
            path_, "cannot read dataset data: " + (why.empty() ? std::string("libhdf5 gave no reason") : why));
    }
}

} // namespace ckpt
