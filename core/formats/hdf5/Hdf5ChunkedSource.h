#pragma once

#include "formats/hdf5/Hdf5DatasetRef.h"
#include "formats/hdf5/Hdf5ElementSource.h"
#include "formats/hdf5/Hdf5Filters.h"
#include "formats/hdf5/Hdf5Handle.h"
#include "tensor/BoxListSource.h"

#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// Reads a chunked dataset one stored chunk at a time: libhdf5 finds a chunk (H5Dget_chunk_storage_size)
// and hands over its stored bytes (H5Dread_chunk); the chunk's place and size are checked against
// the file, its filters are undone here (hdf5/Hdf5Filters.h) and its length checked, so a chunk
// whose size or filter mask lies is an error instead of a read past libhdf5's buffer. Chunks never
// written read as the fill value without touching the file. The chunk index itself must have been
// walked in a guarded child first (see Hdf5Reader): a cyclic index crashes libhdf5.
// Chunks are grids of dataset elements; `elementAxes`: see Hdf5ElementSource.
class Hdf5ChunkedSource final : public Hdf5ElementSource, public std::enable_shared_from_this<Hdf5ChunkedSource> {
public:
    // Throws CheckpointError when the dataset's chunking cannot be read this way.
    Hdf5ChunkedSource(hdf5::DatasetRef dataset, hdf5::Handle memoryType, DType dtype, Shape shape, std::string path,
        std::uint64_t fileSize, std::size_t elementAxes = 0);
    ~Hdf5ChunkedSource() override;

    // When chunks were never written: the stored chunks' elements, and the fill value repeated
    // for the rest. Throws CheckpointError when the stored chunks are too many to list.
    std::vector<RepeatedPart> repeatedParts() const override;
    // A chunk's values when chunks span every axis but the first (1-D datasets among them).
    std::int64_t storageRunElements() const override;

private:
    void readElements(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override;
    using Chunk = std::shared_ptr<const std::vector<std::byte>>; // nullptr: never written (fill value)
    struct StoredChunks {
        bool readEverything = true; // enough is stored that reading all of it is bounded anyway
        std::vector<TensorBox> boxes; // else: the stored chunks' parts inside the dataset
        std::int64_t elements = 0;
    };
    StoredChunks listStoredChunks() const;
    Chunk chunkAt(hid_t dataset, const std::vector<std::int64_t>& grid) const;
    Chunk loadChunk(hid_t dataset, const std::vector<std::int64_t>& grid) const;
    Chunk readThroughLibhdf5(
        hid_t dataset, const std::vector<hsize_t>& offset, unsigned mask, const std::string& where) const;
    bool isPartialEdge(const std::vector<std::int64_t>& grid) const;
    void copyPart(const Chunk& chunk, const std::vector<std::int64_t>& grid, std::span<const std::int64_t> start,
        std::span<const std::int64_t> count, std::byte* out) const;

    hdf5::DatasetRef dataset_; // opened for each read
    hdf5::Handle memoryType_;
    hdf5::Handle fileType_;
    bool convert_ = false; // libhdf5 converts the stored type (big-endian, or not a native layout)
    std::string path_;
    std::string datasetPath_; // "dataset /dense/kernel", for errors
    std::uint64_t fileSize_;
    std::vector<std::int64_t> chunkDims_;
    std::size_t elementSize_; // one dataset element in memory: every value of an array member
    std::size_t fileElementSize_; // as stored, before libhdf5 converts it
    std::size_t chunkBytes_;
    std::vector<hdf5::Filter> pipeline_;
    bool decodedByLibhdf5_ = false; // n-bit, scale-offset or szip in the pipeline
    bool unfilteredEdges_ = false; // partial edge chunks are stored without the filters
    std::vector<std::byte> fill_; // one dataset element

    mutable std::mutex storedMutex_;
    mutable std::optional<StoredChunks> stored_;

    // The most recently decoded chunks, up to kCacheBytes (always the last one). A chunk being
    // decoded is in the cache already, as a future: a second thread asking for it waits instead
    // of decoding it again.
    static constexpr std::size_t kCacheBytes = 8 << 20;
    mutable std::mutex cacheMutex_;
    mutable std::list<std::pair<std::vector<std::int64_t>, std::shared_future<Chunk>>> cache_;
    mutable std::size_t cachedBytes_ = 0;
};

} // namespace ckpt
