#include "formats/hdf5/Hdf5TensorSource.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5StoredChunks.h"
#include "tensor/BoxListSource.h"
#include "tensor/StridedTensorSource.h"

#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace ckpt {

using namespace hdf5;

Hdf5TensorSource::Hdf5TensorSource(
    DatasetRef dataset, Handle memoryType, DType dtype, Shape shape, std::string path, std::size_t elementAxes)
    : Hdf5ElementSource(dtype, std::move(shape), elementAxes)
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

namespace {

// The one solid block a virtual mapping selects, inside the dataset; nullopt for anything else
// (points, strided or unlimited selections, a block past the dataset's extent).
std::optional<TensorBox> solidBlock(hid_t space, const Shape& shape)
{
    const std::size_t rank = shape.size();
    const H5S_sel_type type = H5Sget_select_type(space);
    std::vector<hsize_t> lo(rank), hi(rank);
    if (H5Sget_simple_extent_ndims(space) != static_cast<int>(rank)
        || (type != H5S_SEL_HYPERSLABS && type != H5S_SEL_ALL) || H5Sget_select_bounds(space, lo.data(), hi.data()) < 0)
        return std::nullopt;
    TensorBox box { std::vector<std::int64_t>(rank), std::vector<std::int64_t>(rank) };
    for (std::size_t d = 0; d < rank; ++d) {
        if (hi[d] < lo[d] || hi[d] >= static_cast<hsize_t>(shape[d]))
            return std::nullopt;
        box.start[d] = static_cast<std::int64_t>(lo[d]);
        box.count[d] = static_cast<std::int64_t>(hi[d] - lo[d] + 1);
    }
    const hssize_t points = H5Sget_select_npoints(space);
    if (points < 0 || points != shapeNumel(box.count)) // inside the dataset: no overflow
        return std::nullopt;
    return box;
}

bool disjoint(const std::vector<TensorBox>& blocks)
{
    for (std::size_t a = 0; a < blocks.size(); ++a)
        for (std::size_t b = a + 1; b < blocks.size(); ++b) {
            bool apart = false;
            for (std::size_t d = 0; d < blocks[a].start.size() && !apart; ++d)
                apart = blocks[a].start[d] + blocks[a].count[d] <= blocks[b].start[d]
                    || blocks[b].start[d] + blocks[b].count[d] <= blocks[a].start[d];
            if (!apart)
                return false;
        }
    return true;
}

// The blocks a virtual dataset's mappings select, when each is one solid block inside it and no
// two overlap; nullopt otherwise. `mappedElements` gets how many elements the mappings select
// in any case (saturating), to judge whether reading every element is bounded.
std::optional<std::vector<TensorBox>> mappedBlocks(hid_t dcpl, const Shape& shape, std::int64_t& mappedElements)
{
    constexpr std::size_t kMaxMappings = 4096;
    std::size_t n = 0;
    mappedElements = std::numeric_limits<std::int64_t>::max();
    if (H5Pget_virtual_count(dcpl, &n) < 0)
        return std::nullopt;
    mappedElements = 0;
    std::vector<TensorBox> blocks;
    bool solid = n <= kMaxMappings;
    for (std::size_t i = 0; i < n; ++i) {
        Handle space(H5Pget_virtual_vspace(dcpl, i));
        const hssize_t points = space ? H5Sget_select_npoints(space.get()) : -1;
        mappedElements = points < 0 ? std::numeric_limits<std::int64_t>::max() : saturatingAdd(mappedElements, points);
        if (!solid || points == 0)
            continue;
        auto block = space ? solidBlock(space.get(), shape) : std::nullopt;
        solid = block.has_value();
        if (block)
            blocks.push_back(std::move(*block));
    }
    if (!solid || !disjoint(blocks))
        return std::nullopt;
    return blocks;
}

} // namespace

std::vector<RepeatedPart> Hdf5TensorSource::repeatedParts() const
{
    const std::int64_t numel = shapeNumel(datasetShape()); // the dataset's elements: fill values and blocks count them
    if (numel <= 1)
        return {};
    std::vector<TensorBox> blocks;
    std::vector<std::byte> fill;
    try {
        std::lock_guard lock(hdf5::mutex());
        const Handle dataset = dataset_.open(path_);
        Handle dcpl(H5Dget_create_plist(dataset.get()));
        const H5D_layout_t layout = dcpl ? H5Pget_layout(dcpl.get()) : H5D_LAYOUT_ERROR;
        if (layout == H5D_CONTIGUOUS && H5Pget_external_count(dcpl.get()) == 0
            && H5Dget_storage_size(dataset.get()) == 0) {
            // never written: libhdf5 allocates contiguous storage late
            fill = fillValue(dcpl.get(), memoryType_.get(), elementBytes());
        } else if (layout == H5D_VIRTUAL) {
            std::int64_t mappedElements = 0;
            auto mapped = mappedBlocks(dcpl.get(), datasetShape(), mappedElements);
            if (!mapped && numel > (std::int64_t(1) << 32) && mappedElements < numel / 16)
                throw CheckpointError(path_,
                    "dataset " + dataset_.path + ": its virtual mappings select " + std::to_string(mappedElements)
                        + " of its " + std::to_string(numel)
                        + " elements in a way that can only be read element by element; the rest would be the fill "
                          "value read for ever");
            if (!mapped)
                return {};
            blocks = std::move(*mapped);
            fill = fillValue(dcpl.get(), memoryType_.get(), elementBytes());
        } else {
            return {};
        }
    } catch (const FormatError& e) {
        throw CheckpointError(path_, "dataset " + dataset_.path + ": " + e.what());
    }
    std::int64_t covered = 0;
    for (const auto& b : blocks)
        covered += shapeNumel(b.count); // disjoint blocks inside the dataset: at most numel
    if (covered >= numel)
        return {};
    std::vector<RepeatedPart> parts;
    for (auto& b : blocks)
        b = withWholeElements(std::move(b));
    if (!blocks.empty())
        parts.push_back({ std::make_shared<BoxListSource>(shared_from_this(), std::move(blocks)), 1 });
    parts.push_back({ makeMemorySource(dtype(), Shape { elementValues() }, std::move(fill)), numel - covered });
    return parts;
}

// A contiguous dataset that stores nothing reads as its fill value, written here: libhdf5's own
// read of such a dataset crashes (a null copy) when a damaged file says it is allocated after all
// (found by fuzz_keras on a Keras archive's in-memory HDF5 image).
bool Hdf5TensorSource::fillIfNeverWritten(hid_t dataset, std::span<const std::int64_t> count, std::byte* out) const
{
    Handle dcpl(H5Dget_create_plist(dataset));
    if (!dcpl || H5Pget_layout(dcpl.get()) != H5D_CONTIGUOUS || H5Pget_external_count(dcpl.get()) != 0
        || H5Dget_storage_size(dataset) != 0)
        return false;
    std::vector<std::byte> fill;
    try {
        fill = fillValue(dcpl.get(), memoryType_.get(), elementBytes());
    } catch (const FormatError& e) {
        throw CheckpointError(path_, "dataset " + dataset_.path + ": " + e.what());
    }
    const std::int64_t n = shapeNumel(Shape(count.begin(), count.end()));
    for (std::int64_t i = 0; i < n; ++i)
        std::memcpy(out + static_cast<std::size_t>(i) * fill.size(), fill.data(), fill.size());
    return true;
}

void Hdf5TensorSource::readElements(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    std::lock_guard lock(hdf5::mutex());
    const Handle dataset = dataset_.open(path_);
    if (fillIfNeverWritten(dataset.get(), count, out))
        return;
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
