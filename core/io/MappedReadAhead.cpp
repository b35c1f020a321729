#include "io/MappedReadAhead.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ckpt {

namespace {

// Small enough that stopping waits little, large enough for the disk to stream.
constexpr std::int64_t kPieceBytes = std::int64_t(4) << 20;

std::uintptr_t pageSize()
{
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    return page;
}

} // namespace

MappedReadAhead::MappedReadAhead(std::vector<MappedRange> ranges, std::int64_t window)
    : ranges_(std::move(ranges))
    , window_(std::max<std::int64_t>(window, kPieceBytes))
{
    std::int64_t total = 0;
    for (const auto& r : ranges_) {
        startOf_.push_back(total);
        total += std::max<std::int64_t>(r.bytes, 0);
    }
    if (total > 0)
        thread_ = std::thread([this] { run(); });
}

MappedReadAhead::~MappedReadAhead()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    moved_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void MappedReadAhead::reached(std::size_t index)
{
    if (index >= ranges_.size())
        return;
    {
        std::lock_guard lock(mutex_);
        sweepAt_ = std::max(sweepAt_, startOf_[index]);
    }
    moved_.notify_all();
}

bool MappedReadAhead::covers(std::size_t index) const
{
    return index < ranges_.size() && ranges_[index].bytes <= window_;
}

std::int64_t MappedReadAhead::bytesRead() const
{
    std::lock_guard lock(mutex_);
    return readTo_;
}

void MappedReadAhead::run()
{
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
        const MappedRange& range = ranges_[i];
        for (std::int64_t offset = 0; offset < range.bytes;) {
            const std::int64_t at = startOf_[i] + offset;
            std::int64_t piece = std::min(kPieceBytes, range.bytes - offset);
            {
                std::unique_lock lock(mutex_);
                moved_.wait(lock, [&] { return stop_ || at < sweepAt_ + window_; });
                if (stop_)
                    return;
                if (at + piece <= sweepAt_) { // the sweep is past these bytes already: skip to it
                    offset = std::min(range.bytes, sweepAt_ - startOf_[i]);
                    readTo_ = startOf_[i] + offset;
                    continue;
                }
                piece = std::min(piece, sweepAt_ + window_ - at);
            }
            if (!readPiece(range, offset, piece))
                return;
            offset += piece;
            std::lock_guard lock(mutex_);
            readTo_ = startOf_[i] + offset;
        }
    }
}

// Maps the piece's pages in, reading them from disk when they are not in the page cache, and waits
// for them. False when that failed (bytes beyond the end of a truncated file): nothing more is read.
bool MappedReadAhead::readPiece(const MappedRange& range, std::int64_t offset, std::int64_t bytes)
{
    const auto first = reinterpret_cast<std::uintptr_t>(range.begin + offset);
    const auto begin = first & ~(pageSize() - 1);
    const auto end = first + static_cast<std::uintptr_t>(bytes);
    // Starting the reads of the piece and of the one after it first keeps the disk's queue full:
    // populating alone faults the pages in a few at a time, each waiting for its own small read.
    const std::int64_t following = std::min(2 * bytes, range.bytes - offset);
    ::madvise(reinterpret_cast<void*>(begin), first + static_cast<std::uintptr_t>(following) - begin, MADV_WILLNEED);
#ifdef MADV_POPULATE_READ
    if (::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ) == 0)
        return true;
    if (errno != EINVAL) // EINVAL: a kernel before 5.14, which does not know it
        return false;
#endif
    return true; // the reads were started above without waiting: better than nothing
}

} // namespace ckpt
