#pragma once

#include "formats/hdf5/Hdf5Handle.h"
#include "tensor/Shape.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ckpt::hdf5 {

// The grid positions (chunk origin / chunk size, per axis) of a chunked dataset's chunks that
// were written, sorted, each once; the others read as the fill value. HDF5 1.10 has no
// H5Dchunk_iter and H5Dget_chunk_info(i) walks the index up to i, so listing by index is
// quadratic: it is used up to kMaxListed chunks, beyond that each grid cell is probed with
// H5Dget_chunk_info_by_coord while the grid has at most kMaxProbed cells. nullopt when neither
// fits. Call with hdf5::mutex() held, on a dataset whose chunk index was walked in the guarded
// child (a cyclic index crashes libhdf5).
inline constexpr std::uint64_t kMaxListedChunks = 16384;
// How many chunks are stored (H5Dget_num_chunks), or nullopt when libhdf5 cannot say. Call with
// hdf5::mutex() held.
std::optional<std::uint64_t> storedChunkCount(hid_t dataset);
inline constexpr std::uint64_t kMaxProbedChunks = std::uint64_t(1) << 22;
std::optional<std::vector<std::vector<std::int64_t>>> storedChunkGrid(hid_t dataset, const Shape& shape,
    const std::vector<std::int64_t>& chunkDims, std::uint64_t maxListed = kMaxListedChunks,
    std::uint64_t maxProbed = kMaxProbedChunks);

// What a dataset reads as where nothing was written: its fill value in the memory type (zeros
// when none is defined). Call with hdf5::mutex() held. Throws FormatError when libhdf5 cannot
// convert it.
std::vector<std::byte> fillValue(hid_t dcpl, hid_t memoryType, std::size_t elementSize);

} // namespace ckpt::hdf5
