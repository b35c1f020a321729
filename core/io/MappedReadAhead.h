#pragma once

#include "io/ReadRing.h"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ckpt {

// Mapped bytes a sweep will read, in the order it reads them.
struct MappedRange {
    const std::byte* begin = nullptr;
    std::int64_t bytes = 0;
};

// Reads the ranges of mapped files a sweep of many tensors is about to read into memory, in the
// sweep's order, on a thread of its own and at most `window` bytes ahead of where the sweep says it
// is. From a cold page cache the disk then streams as it does for dd while the sweep computes,
// instead of idling at every tensor boundary and every page the sweep faults in itself.
// A range that fits the window and is mostly not in the page cache is read past it (O_DIRECT,
// into a buffer of its own the sweep then reads instead of the mapping): filling the page cache
// and mapping its pages cost the kernel several times the processor time of the direct read, on
// cores the sweep needs. Other ranges are read into the page cache and mapped here (madvise
// MADV_POPULATE_READ), so that the sweep takes no page faults. The window keeps a file larger than
// memory from evicting what the sweep has not reached. A file truncated underneath only stops
// the read-ahead (the sweep reports it).
class MappedReadAhead {
public:
    static constexpr std::int64_t kDefaultWindow = std::int64_t(64) << 20;

    explicit MappedReadAhead(std::vector<MappedRange> ranges, std::int64_t window = kDefaultWindow);
    ~MappedReadAhead(); // stops after the piece being read and joins the thread
    MappedReadAhead(const MappedReadAhead&) = delete;
    MappedReadAhead& operator=(const MappedReadAhead&) = delete;

    // The sweep starts reading ranges[index] (it is done with every range before it).
    void reached(std::size_t index);

    // reached(index), then ranges[index]'s bytes where they were read directly, or nullptr: read
    // them through the mapping. Waits until the read-ahead has decided, and for a direct read to
    // end. The bytes stay valid until the sweep reaches a later range, or the read-ahead ends.
    const std::byte* take(std::size_t index);

    // Whether the read-ahead reads all of ranges[index] before the sweep reaches it: true unless
    // it is larger than the window (the read-ahead stops `window` bytes into the range the sweep
    // is in; the sweep then asks for the rest itself, as StatsOptions::adviseReadAhead does).
    bool covers(std::size_t index) const;

    // Bytes read ahead so far (for tests).
    std::int64_t bytesRead() const;
    // Bytes of the ranges read directly so far (for tests and benchmarks).
    std::int64_t bytesReadDirectly() const;

private:
    struct Slot {
        bool decided = false; // the read-ahead is past the choice for this range
        const std::byte* data = nullptr; // a direct read: the range's bytes, in ring_
    };

    void run();
    bool stopping() const;
    void decide(std::size_t index);
    void releaseBefore(std::size_t index); // under mutex_
    bool readDirectly(std::size_t index);
    bool readMapped(std::size_t index);
    bool readPiece(const MappedRange& range, std::int64_t offset, std::int64_t bytes);
    int directFileFor(const std::byte* p, std::uint64_t& offset);

    std::vector<MappedRange> ranges_;
    std::vector<std::int64_t> startOf_; // bytes of the ranges before each one
    const std::int64_t window_;
    mutable std::mutex mutex_;
    std::condition_variable moved_; // the sweep moved on, or stop
    std::condition_variable decided_; // a range was decided, or the read-ahead ended
    std::vector<Slot> slots_;
    std::size_t sweepIndex_ = 0;
    std::int64_t sweepAt_ = 0; // position of the sweep along the ranges, in bytes
    std::int64_t readTo_ = 0; // how far the read-ahead has got
    ReadRing ring_; // where direct reads land, about the window's size (under mutex_)
    std::int64_t direct_ = 0;
    bool stop_ = false;
    bool ended_ = false;
    struct OpenedFile {
        const std::byte* mapping;
        std::uint64_t size;
        int fd; // opened with O_DIRECT, or -1: the file cannot be read that way
    };
    std::vector<OpenedFile> files_; // used by the read-ahead's thread only
    std::thread thread_;
};

} // namespace ckpt
