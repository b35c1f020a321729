#include "formats/hdf5/Hdf5StoredChunks.h"

#include "base/CheckpointError.h"

#include <algorithm>

namespace ckpt::hdf5 {

namespace {

// Chunks along each axis; 0 when the grid has more than `limit` cells.
std::vector<std::int64_t> gridExtent(
    const Shape& shape, const std::vector<std::int64_t>& chunkDims, std::uint64_t limit, bool& fits)
{
    std::vector<std::int64_t> extent(shape.size());
    std::uint64_t cells = 1;
    fits = true;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 0)
            return extent;
        extent[d] = (shape[d] - 1) / chunkDims[d] + 1;
        if (static_cast<std::uint64_t>(extent[d]) > limit / cells)
            fits = false;
        else
            cells *= static_cast<std::uint64_t>(extent[d]);
    }
    return extent;
}

std::optional<std::vector<std::vector<std::int64_t>>> listByIndex(
    hid_t dataset, hsize_t stored, const Shape& shape, const std::vector<std::int64_t>& chunkDims)
{
    Handle space(H5Dget_space(dataset));
    std::vector<std::vector<std::int64_t>> grid;
    std::vector<hsize_t> offset(shape.size());
    for (hsize_t i = 0; i < stored; ++i) {
        unsigned mask = 0;
        haddr_t address = HADDR_UNDEF;
        hsize_t size = 0;
        if (H5Dget_chunk_info(dataset, space.get(), i, offset.data(), &mask, &address, &size) < 0)
            return std::nullopt;
        std::vector<std::int64_t> cell(shape.size());
        for (std::size_t d = 0; d < shape.size(); ++d) {
            // An index entry off the grid or outside the dataset is never read: skip it.
            if (offset[d] % static_cast<hsize_t>(chunkDims[d]) != 0 || offset[d] >= static_cast<hsize_t>(shape[d]))
                goto next;
            cell[d] = static_cast<std::int64_t>(offset[d]) / chunkDims[d];
        }
        grid.push_back(std::move(cell));
    next:;
    }
    return grid;
}

std::optional<std::vector<std::vector<std::int64_t>>> listByProbing(
    hid_t dataset, const std::vector<std::int64_t>& extent, const std::vector<std::int64_t>& chunkDims)
{
    std::vector<std::vector<std::int64_t>> grid;
    std::vector<std::int64_t> cell(extent.size(), 0);
    std::vector<hsize_t> offset(extent.size());
    for (;;) {
        for (std::size_t d = 0; d < cell.size(); ++d)
            offset[d] = static_cast<hsize_t>(cell[d] * chunkDims[d]);
        unsigned mask = 0;
        haddr_t address = HADDR_UNDEF;
        hsize_t size = 0;
        if (H5Dget_chunk_info_by_coord(dataset, offset.data(), &mask, &address, &size) < 0)
            return std::nullopt;
        if (address != HADDR_UNDEF)
            grid.push_back(cell);
        std::size_t d = cell.size();
        while (d-- > 0) {
            if (++cell[d] < extent[d])
                break;
            cell[d] = 0;
        }
        if (d == std::size_t(-1))
            return grid;
    }
}

} // namespace

std::optional<std::uint64_t> storedChunkCount(hid_t dataset)
{
    Handle space(H5Dget_space(dataset));
    hsize_t stored = 0;
    if (!space || H5Dget_num_chunks(dataset, space.get(), &stored) < 0)
        return std::nullopt;
    return stored;
}

std::optional<std::vector<std::vector<std::int64_t>>> storedChunkGrid(hid_t dataset, const Shape& shape,
    const std::vector<std::int64_t>& chunkDims, std::uint64_t maxListed, std::uint64_t maxProbed)
{
    if (shape.empty() || chunkDims.size() != shape.size())
        return std::nullopt;
    Handle space(H5Dget_space(dataset));
    hsize_t stored = 0;
    if (!space || H5Dget_num_chunks(dataset, space.get(), &stored) < 0)
        return std::nullopt;
    bool probeable = false;
    const auto extent = gridExtent(shape, chunkDims, maxProbed, probeable);
    std::optional<std::vector<std::vector<std::int64_t>>> grid;
    if (stored <= maxListed)
        grid = listByIndex(dataset, stored, shape, chunkDims);
    else if (probeable)
        grid = listByProbing(dataset, extent, chunkDims);
    if (grid) {
        std::sort(grid->begin(), grid->end());
        grid->erase(std::unique(grid->begin(), grid->end()), grid->end());
    }
    return grid;
}

std::vector<std::byte> fillValue(hid_t dcpl, hid_t memoryType, std::size_t elementSize)
{
    std::vector<std::byte> fill(elementSize, std::byte { 0 });
    H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
    if (H5Pfill_value_defined(dcpl, &defined) >= 0 && defined != H5D_FILL_VALUE_UNDEFINED
        && H5Pget_fill_value(dcpl, memoryType, fill.data()) < 0)
        throw FormatError("cannot read its fill value: " + lastError());
    return fill;
}

} // namespace ckpt::hdf5
