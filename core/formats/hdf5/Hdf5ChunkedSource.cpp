#include "formats/hdf5/Hdf5ChunkedSource.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5StoredChunks.h"
#include "formats/hdf5/Hdf5Types.h"
#include "tensor/BoxListSource.h"
#include "tensor/StridedTensorSource.h"

#include <algorithm>
#include <cstring>

namespace ckpt {

using namespace hdf5;

namespace {

// What one chunk may need in memory. Writers keep chunks small (h5py at most 1 MiB, libhdf5's
// chunk cache 1 MiB), but deflate compresses zeros about 1000:1, so a small file can declare
// huge chunks: a margin plus twice the file.
std::uint64_t chunkLimit(std::uint64_t fileSize)
{
    return (std::uint64_t(64) << 20) + 2 * fileSize;
}

} // namespace

Hdf5ChunkedSource::Hdf5ChunkedSource(DatasetRef dataset, Handle memoryType, DType dtype, Shape shape, std::string path,
    std::uint64_t fileSize, std::size_t elementAxes)
    : Hdf5ElementSource(dtype, std::move(shape), elementAxes)
    , dataset_(std::move(dataset))
    , memoryType_(std::move(memoryType))
    , path_(std::move(path))
    , datasetPath_("dataset " + dataset_.path)
    , fileSize_(fileSize)
{
    std::lock_guard lock(hdf5::mutex());
    const Handle opened = dataset_.open(path_);
    fileType_ = Handle(H5Dget_type(opened.get()));
    Handle dcpl(H5Dget_create_plist(opened.get()));
    const int rank = static_cast<int>(datasetShape().size());
    std::vector<hsize_t> dims(datasetShape().size());
    if (!fileType_ || !dcpl || rank == 0 || H5Pget_chunk(dcpl.get(), rank, dims.data()) != rank)
        throw CheckpointError(path_, datasetPath_ + ": cannot read its chunking");
    elementSize_ = elementBytes();
    fileElementSize_ = H5Tget_size(fileType_.get());
    if (fileElementSize_ == 0)
        throw CheckpointError(path_, datasetPath_ + ": its element size does not match its type");
    if (fileElementSize_ > std::size_t(kMaxArrayBytes))
        throw CheckpointError(
            path_, datasetPath_ + ": its records are larger than " + std::to_string(kMaxArrayBytes >> 20) + " MiB");
    std::uint64_t bytes = fileElementSize_;
    for (hsize_t d : dims) {
        if (d == 0 || d > chunkLimit(fileSize_) || bytes * d > chunkLimit(fileSize_))
            throw CheckpointError(path_,
                datasetPath_ + ": its chunks are larger than " + std::to_string(chunkLimit(fileSize_) >> 20)
                    + " MiB (64 MiB and twice the file)");
        bytes *= d;
        chunkDims_.push_back(static_cast<std::int64_t>(d));
    }
    chunkBytes_ = static_cast<std::size_t>(bytes);
    convert_ = H5Tequal(fileType_.get(), memoryType_.get()) <= 0;
    pipeline_ = filterPipeline(dcpl.get());
    for (const auto& f : pipeline_)
        if (f.id == H5Z_FILTER_NBIT || f.id == H5Z_FILTER_SCALEOFFSET || f.id == H5Z_FILTER_SZIP)
            decodedByLibhdf5_ = H5Zfilter_avail(f.id) > 0;
    // Variable-length members (strings in a record) take a different size on disk than the type
    // says: only libhdf5 knows where a chunk's elements are.
    decodedByLibhdf5_ = decodedByLibhdf5_ || hasVariableLength(fileType_.get());
    // libhdf5 then undoes the whole pipeline itself: only with its own filters (its plugin
    // loading is off, see disableLibhdf5Plugins), never with a plugin's decoder.
    if (decodedByLibhdf5_)
        for (const auto& f : pipeline_)
            if (f.id < H5Z_FILTER_DEFLATE || f.id > H5Z_FILTER_SCALEOFFSET)
                throw CheckpointError(path_,
                    datasetPath_ + ": filter " + std::to_string(f.id)
                        + " together with n-bit, scale-offset, szip or variable-length data is not supported");
    unsigned options = 0;
    unfilteredEdges_ = H5Pget_chunk_opts(dcpl.get(), &options) >= 0 && (options & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS);
    try {
        fill_ = fillValue(dcpl.get(), memoryType_.get(), elementSize_);
    } catch (const FormatError& e) {
        throw CheckpointError(path_, datasetPath_ + ": " + e.what());
    }
}

Hdf5ChunkedSource::~Hdf5ChunkedSource()
{
    std::lock_guard lock(hdf5::mutex());
    fileType_.reset();
    memoryType_.reset();
    dataset_.file.reset();
}

void Hdf5ChunkedSource::readElements(
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    const std::size_t rank = start.size();
    if (rank == 0)
        return;
    std::vector<std::int64_t> first(rank), last(rank), grid(rank);
    for (std::size_t d = 0; d < rank; ++d) {
        first[d] = start[d] / chunkDims_[d];
        last[d] = (start[d] + count[d] - 1) / chunkDims_[d];
    }
    grid = first;
    Handle dataset;
    {
        std::lock_guard lock(hdf5::mutex());
        dataset = dataset_.open(path_);
    }
    for (;;) {
        copyPart(chunkAt(dataset.get(), grid), grid, start, count, out);
        std::size_t d = rank;
        while (d-- > 0) { // the next chunk of the box, last axis fastest
            if (++grid[d] <= last[d])
                break;
            grid[d] = first[d];
        }
        if (d == std::size_t(-1))
            return;
    }
}

std::vector<RepeatedPart> Hdf5ChunkedSource::repeatedParts() const
{
    std::lock_guard lock(storedMutex_);
    if (!stored_)
        stored_ = listStoredChunks(); // once: listing may cost seconds, and every bin count asks again
    if (stored_->readEverything)
        return {};
    std::vector<RepeatedPart> parts;
    if (!stored_->boxes.empty())
        parts.push_back({ std::make_shared<BoxListSource>(shared_from_this(), stored_->boxes), 1 });
    parts.push_back({ makeMemorySource(dtype(), Shape { elementValues() }, fill_),
        shapeNumel(datasetShape()) - stored_->elements });
    return parts;
}

Hdf5ChunkedSource::StoredChunks Hdf5ChunkedSource::listStoredChunks() const
{
    const std::int64_t numel = shapeNumel(datasetShape());
    std::optional<std::vector<std::vector<std::int64_t>>> grid;
    {
        std::lock_guard lock(hdf5::mutex());
        const Handle dataset = dataset_.open(path_);
        // Reading every element costs at most 16 times what is stored when the stored chunks could
        // hold a sixteenth of the dataset: then nothing is listed (a dataset written in full too).
        const auto count = storedChunkCount(dataset.get());
        const double chunkElements = static_cast<double>(chunkBytes_ / fileElementSize_);
        if (!count || static_cast<double>(*count) * chunkElements * 16 >= static_cast<double>(numel))
            return { true, {}, 0 };
        grid = storedChunkGrid(dataset.get(), datasetShape(), chunkDims_);
    }
    if (!grid)
        throw CheckpointError(path_,
            datasetPath_ + ": more than " + std::to_string(kMaxListedChunks)
                + " of its chunks are stored in a grid of more than " + std::to_string(kMaxProbedChunks)
                + " chunks; the chunks never written (the fill value) cannot be told apart in reasonable time");
    StoredChunks stored { false, {}, 0 };
    for (const auto& cell : *grid) {
        TensorBox box { std::vector<std::int64_t>(cell.size()), std::vector<std::int64_t>(cell.size()) };
        for (std::size_t d = 0; d < cell.size(); ++d) {
            box.start[d] = cell[d] * chunkDims_[d];
            box.count[d] = std::min(chunkDims_[d], datasetShape()[d] - box.start[d]);
        }
        stored.elements += shapeNumel(box.count); // distinct chunks inside the dataset: at most numel
        stored.boxes.push_back(withWholeElements(std::move(box)));
    }
    return stored;
}

// Copies the part of a chunk that lies in the box, one run along the last axis at a time.
void Hdf5ChunkedSource::copyPart(const Chunk& chunk, const std::vector<std::int64_t>& grid,
    std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const
{
    const std::size_t rank = grid.size();
    std::vector<std::int64_t> lo(rank), hi(rank);
    for (std::size_t d = 0; d < rank; ++d) {
        lo[d] = std::max(start[d], grid[d] * chunkDims_[d]);
        hi[d] = std::min(start[d] + count[d], (grid[d] + 1) * chunkDims_[d]);
    }
    const std::size_t run = static_cast<std::size_t>(hi[rank - 1] - lo[rank - 1]) * elementSize_;
    std::vector<std::int64_t> at = lo;
    for (;;) {
        std::int64_t inChunk = 0, inBox = 0;
        for (std::size_t d = 0; d < rank; ++d) {
            inChunk = inChunk * chunkDims_[d] + (at[d] - grid[d] * chunkDims_[d]);
            inBox = inBox * count[d] + (at[d] - start[d]);
        }
        std::byte* dst = out + static_cast<std::size_t>(inBox) * elementSize_;
        if (chunk) {
            std::memcpy(dst, chunk->data() + static_cast<std::size_t>(inChunk) * elementSize_, run);
        } else {
            for (std::size_t b = 0; b < run; b += elementSize_)
                std::memcpy(dst + b, fill_.data(), elementSize_);
        }
        std::size_t d = rank - 1;
        while (d-- > 0) {
            if (++at[d] < hi[d])
                break;
            at[d] = lo[d];
        }
        if (d == std::size_t(-1))
            return;
    }
}

Hdf5ChunkedSource::Chunk Hdf5ChunkedSource::chunkAt(hid_t dataset, const std::vector<std::int64_t>& grid) const
{
    std::promise<Chunk> loading;
    {
        std::unique_lock lock(cacheMutex_);
        for (auto it = cache_.begin(); it != cache_.end(); ++it) {
            if (it->first == grid) {
                cache_.splice(cache_.begin(), cache_, it);
                auto decoded = cache_.front().second;
                lock.unlock();
                return decoded.get(); // waits while another thread decodes it; rethrows its error
            }
        }
        cache_.emplace_front(grid, loading.get_future().share());
        cachedBytes_ += (chunkBytes_ / fileElementSize_) * elementSize_;
        while (cache_.size() > 1 && cachedBytes_ > kCacheBytes) {
            cachedBytes_ -= (chunkBytes_ / fileElementSize_) * elementSize_;
            cache_.pop_back();
        }
    }
    try {
        Chunk chunk = loadChunk(dataset, grid);
        loading.set_value(chunk);
        return chunk;
    } catch (...) {
        loading.set_exception(std::current_exception());
        std::lock_guard lock(cacheMutex_); // the next read tries again
        for (auto it = cache_.begin(); it != cache_.end(); ++it)
            if (it->first == grid) {
                cachedBytes_ -= (chunkBytes_ / fileElementSize_) * elementSize_;
                cache_.erase(it);
                break;
            }
        throw;
    }
}

std::int64_t Hdf5ChunkedSource::storageRunElements() const
{
    for (std::size_t d = 1; d < chunkDims_.size(); ++d)
        if (chunkDims_[d] != datasetShape()[d])
            return 0;
    return saturatingMul(static_cast<std::int64_t>(chunkBytes_ / fileElementSize_), elementValues());
}

bool Hdf5ChunkedSource::isPartialEdge(const std::vector<std::int64_t>& grid) const
{
    for (std::size_t d = 0; d < grid.size(); ++d)
        if ((grid[d] + 1) * chunkDims_[d] > datasetShape()[d])
            return true;
    return false;
}

Hdf5ChunkedSource::Chunk Hdf5ChunkedSource::loadChunk(hid_t dataset, const std::vector<std::int64_t>& grid) const
{
    std::vector<hsize_t> offset(grid.size());
    for (std::size_t d = 0; d < grid.size(); ++d)
        offset[d] = static_cast<hsize_t>(grid[d] * chunkDims_[d]);
    std::string where = datasetPath_ + ": the chunk at (";
    for (std::size_t d = 0; d < offset.size(); ++d)
        where += (d ? ", " : "") + std::to_string(offset[d]);
    where += ")";
    std::vector<std::byte> stored;
    unsigned mask = 0;
    {
        std::lock_guard lock(hdf5::mutex());
        // The stored size by a B-tree lookup (H5Dget_chunk_info_by_coord walks every chunk of
        // the index in HDF5 1.10: quadratic over a dataset); a chunk never written stores none.
        hsize_t size = 0;
        if (H5Dget_chunk_storage_size(dataset, offset.data(), &size) < 0) {
            // "chunk storage is not allocated": never written. Any other failure is asked again
            // the slow way, which tells an unwritten chunk from an unreadable index.
            const bool unwritten = lastError().find("not allocated") != std::string::npos;
            haddr_t address = HADDR_UNDEF;
            if (!unwritten && H5Dget_chunk_info_by_coord(dataset, offset.data(), &mask, &address, &size) < 0)
                throw CheckpointError(path_, "cannot find " + where + ": " + lastError());
            if (unwritten || address == HADDR_UNDEF)
                return nullptr; // the fill value
        }
        if (size == 0)
            return nullptr; // never written: the fill value
        if (size > fileSize_)
            throw CheckpointError(path_,
                where + " claims " + std::to_string(size) + " bytes, more than the whole file ("
                    + std::to_string(fileSize_) + " bytes)");
        stored.resize(static_cast<std::size_t>(size));
        std::uint32_t readMask = 0;
        if (H5Dread_chunk(dataset, H5P_DEFAULT, offset.data(), &readMask, stored.data()) < 0)
            throw CheckpointError(path_, "cannot read " + where + ": " + lastError());
        mask = readMask;
    }
    if (decodedByLibhdf5_)
        return readThroughLibhdf5(dataset, offset, mask, where);
    std::vector<std::byte> data;
    try {
        if (unfilteredEdges_ && isPartialEdge(grid))
            mask = ~0u; // stored without its filters (H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS)
        data = decodeChunk(std::move(stored), pipeline_, mask, chunkBytes_);
    } catch (const FormatError& e) {
        throw CheckpointError(path_, where + ": " + e.what());
    }
    if (convert_) {
        // libhdf5 converts in place, in a buffer that holds the larger of both types; a member
        // picked out of a record needs a background buffer of the result too.
        const std::size_t elements = chunkBytes_ / fileElementSize_;
        data.resize(elements * std::max(fileElementSize_, elementSize_));
        std::vector<std::byte> background(elements * elementSize_);
        std::lock_guard lock(hdf5::mutex());
        if (H5Tconvert(fileType_.get(), memoryType_.get(), elements, data.data(), background.data(), H5P_DEFAULT) < 0)
            throw CheckpointError(path_, "cannot convert " + where + ": " + lastError());
        data.resize(elements * elementSize_);
    }
    return std::make_shared<const std::vector<std::byte>>(std::move(data));
}

// N-bit, scale-offset and szip are libhdf5's own filters, with no public decoder: the chunk,
// checked against the file above, is read by H5Dread of its own region. A chunk that claims to
// skip filters is refused, since libhdf5 would copy a whole chunk out of a shorter one.
Hdf5ChunkedSource::Chunk Hdf5ChunkedSource::readThroughLibhdf5(
    hid_t dataset, const std::vector<hsize_t>& offset, unsigned mask, const std::string& where) const
{
    if (mask != 0)
        throw CheckpointError(path_,
            where + " skips some of its filters (mask " + std::to_string(mask)
                + "), which libhdf5 cannot be trusted with for n-bit, scale-offset or szip data");
    const std::size_t rank = offset.size();
    std::vector<hsize_t> chunkDims(rank), count(rank), zero(rank, 0);
    for (std::size_t d = 0; d < rank; ++d) {
        chunkDims[d] = static_cast<hsize_t>(chunkDims_[d]);
        count[d] = std::min<hsize_t>(chunkDims[d], static_cast<hsize_t>(datasetShape()[d]) - offset[d]);
    }
    auto data = std::make_shared<std::vector<std::byte>>((chunkBytes_ / fileElementSize_) * elementSize_);
    std::lock_guard lock(hdf5::mutex());
    Handle fileSpace(H5Dget_space(dataset));
    Handle memSpace(H5Screate_simple(static_cast<int>(rank), chunkDims.data(), nullptr));
    if (!fileSpace || !memSpace
        || H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, offset.data(), nullptr, count.data(), nullptr) < 0
        || H5Sselect_hyperslab(memSpace.get(), H5S_SELECT_SET, zero.data(), nullptr, count.data(), nullptr) < 0
        || H5Dread(dataset, memoryType_.get(), memSpace.get(), fileSpace.get(), H5P_DEFAULT, data->data()) < 0)
        throw CheckpointError(path_, "cannot read " + where + ": " + lastError());
    return data;
}

} // namespace ckpt
