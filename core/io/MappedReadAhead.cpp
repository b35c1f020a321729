#include "io/MappedReadAhead.h"

#include "io/MappedFiles.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ckpt {

namespace {

// Small enough that stopping waits little, large enough for the disk to stream.
constexpr std::int64_t kPieceBytes = std::int64_t(4) << 20;
// Direct reads start and end on multiples of this (every disk's logical block divides it).
constexpr std::uint64_t kDirectAlignment = 4096;
// Each direct read (a multiple of the alignment): the disk streams, and stopping waits little.
constexpr std::uint64_t kDirectPieceBytes = std::uint64_t(8) << 20;

std::uintptr_t pageSize()
{
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    return page;
}

// Whether the range's pages are in the page cache already (mapping them is then cheaper than
// reading them again past it), judged by a few of them: mincore on every page costs more than
// the sweep over a cached range.
bool cached(const MappedRange& range)
{
    const auto first = reinterpret_cast<std::uintptr_t>(range.begin);
    const auto last = first + static_cast<std::uintptr_t>(range.bytes) - 1;
    constexpr int kSamples = 5;
    for (int s = 0; s < kSamples; ++s) {
        const auto at = (first + (last - first) / (kSamples - 1) * static_cast<std::uintptr_t>(s)) & ~(pageSize() - 1);
        unsigned char resident = 0;
        if (::mincore(reinterpret_cast<void*>(at), pageSize(), &resident) == 0 && !(resident & 1))
            return false;
    }
    return true;
}

} // namespace

MappedReadAhead::MappedReadAhead(std::vector<MappedRange> ranges, std::int64_t window)
    : ranges_(std::move(ranges))
    , window_(std::max<std::int64_t>(window, kPieceBytes))
    , slots_(ranges_.size())
    , ring_(static_cast<std::uint64_t>(window_) + 2 * kDirectAlignment, kDirectAlignment)
{
    std::int64_t total = 0;
    for (const auto& r : ranges_) {
        startOf_.push_back(total);
        total += std::max<std::int64_t>(r.bytes, 0);
    }
    if (total > 0)
        thread_ = std::thread([this] {
            run();
            std::lock_guard lock(mutex_);
            ended_ = true;
            decided_.notify_all();
        });
    else
        ended_ = true;
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
    for (const OpenedFile& f : files_)
        if (f.fd >= 0)
            ::close(f.fd);
}

void MappedReadAhead::releaseBefore(std::size_t index)
{
    ring_.releaseBefore(index);
    for (std::size_t i = sweepIndex_; i < index && i < slots_.size(); ++i)
        slots_[i].data = nullptr;
}

void MappedReadAhead::reached(std::size_t index)
{
    if (index >= ranges_.size())
        return;
    {
        std::lock_guard lock(mutex_);
        if (index > sweepIndex_) {
            releaseBefore(index);
            sweepIndex_ = index;
        }
        sweepAt_ = std::max(sweepAt_, startOf_[index]);
    }
    moved_.notify_all();
}

const std::byte* MappedReadAhead::take(std::size_t index)
{
    reached(index);
    if (index >= ranges_.size())
        return nullptr;
    std::unique_lock lock(mutex_);
    decided_.wait(lock, [&] { return ended_ || slots_[index].decided; });
    return slots_[index].data;
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

bool MappedReadAhead::stopping() const
{
    std::lock_guard lock(mutex_);
    return stop_;
}

std::int64_t MappedReadAhead::bytesReadDirectly() const
{
    std::lock_guard lock(mutex_);
    return direct_;
}

void MappedReadAhead::decide(std::size_t index)
{
    {
        std::lock_guard lock(mutex_);
        slots_[index].decided = true;
    }
    decided_.notify_all();
}

void MappedReadAhead::run()
{
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
        if (ranges_[i].bytes > 0 && ranges_[i].bytes <= window_ && readDirectly(i))
            continue;
        decide(i); // through the mapping
        if (!readMapped(i))
            return;
    }
}

// The file of a mapped byte opened for direct reads (each mapping once), and p's offset in it.
int MappedReadAhead::directFileFor(const std::byte* p, std::uint64_t& offset)
{
    for (const OpenedFile& f : files_)
        if (p >= f.mapping && p < f.mapping + f.size) {
            offset = static_cast<std::uint64_t>(p - f.mapping);
            return f.fd;
        }
    const DirectFile d = openDirect(p);
    if (!d.mapping)
        return -1; // not a registered mapping (in memory): nothing to read
    files_.push_back({ d.mapping, d.mappingSize, d.fd });
    offset = d.offset;
    return d.fd;
}

// Range i read past the page cache into the ring, once the ring has room for it.
// False, having read nothing, when it should go through the mapping (cached already, a
// file without direct reads, the sweep past it) or the read failed (a truncated file: the sweep
// then finds that out through the mapping, and says so).
bool MappedReadAhead::readDirectly(std::size_t i)
{
    const MappedRange& range = ranges_[i];
    std::uint64_t offset = 0;
    const int fd = directFileFor(range.begin, offset);
    if (fd < 0 || cached(range))
        return false;
    const std::uint64_t first = offset & ~(kDirectAlignment - 1);
    const std::uint64_t end = offset + static_cast<std::uint64_t>(range.bytes);
    const std::uint64_t length = (end - first + kDirectAlignment - 1) & ~(kDirectAlignment - 1);
    std::byte* buffer = nullptr;
    {
        std::unique_lock lock(mutex_);
        if (!ring_.allocate())
            return false;
        moved_.wait(lock, [&] { return stop_ || sweepIndex_ > i || (buffer = ring_.take(i, length)); });
        if (!buffer)
            return false;
    }
    std::uint64_t done = 0;
    while (done < end - first) {
        const std::uint64_t step = std::min<std::uint64_t>(length - done, kDirectPieceBytes);
        const ssize_t r = ::pread(fd, buffer + done, step, static_cast<off_t>(first + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || stopping())
            break;
        done += static_cast<std::uint64_t>(r);
    }
    const bool complete = done >= end - first;
    {
        std::lock_guard lock(mutex_);
        if (complete && sweepIndex_ <= i) {
            slots_[i].data = buffer + (offset - first);
            direct_ += range.bytes;
            readTo_ = startOf_[i] + range.bytes;
        } else {
            ring_.releaseNewest(i); // not read (or no longer wanted): the stretch is free again
        }
    }
    if (!complete)
        return false;
    decide(i);
    return true;
}

// Range i mapped in piece by piece, at most the window ahead of the sweep. False when a piece
// could not be (bytes beyond the end of a truncated file) or on stop: nothing more is read.
bool MappedReadAhead::readMapped(std::size_t i)
{
    const MappedRange& range = ranges_[i];
    for (std::int64_t offset = 0; offset < range.bytes;) {
        const std::int64_t at = startOf_[i] + offset;
        std::int64_t piece = std::min(kPieceBytes, range.bytes - offset);
        {
            std::unique_lock lock(mutex_);
            moved_.wait(lock, [&] { return stop_ || at < sweepAt_ + window_; });
            if (stop_)
                return false;
            if (at + piece <= sweepAt_) { // the sweep is past these bytes already: skip to it
                offset = std::min(range.bytes, sweepAt_ - startOf_[i]);
                readTo_ = startOf_[i] + offset;
                continue;
            }
            piece = std::min(piece, sweepAt_ + window_ - at);
        }
        if (!readPiece(range, offset, piece))
            return false;
        offset += piece;
        std::lock_guard lock(mutex_);
        readTo_ = startOf_[i] + offset;
    }
    return true;
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
