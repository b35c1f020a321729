#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
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
// instead of idling at every tensor boundary and every page the sweep faults in itself; and
// because the pages are mapped here (madvise MADV_POPULATE_READ) the sweep takes no page faults.
// The window keeps a file larger than memory from evicting what the sweep has not reached.
// A file truncated underneath only stops the read-ahead (the sweep reports it).
class MappedReadAhead {
public:
    static constexpr std::int64_t kDefaultWindow = std::int64_t(64) << 20;

    explicit MappedReadAhead(std::vector<MappedRange> ranges, std::int64_t window = kDefaultWindow);
    ~MappedReadAhead(); // stops after the piece being read and joins the thread
    MappedReadAhead(const MappedReadAhead&) = delete;
    MappedReadAhead& operator=(const MappedReadAhead&) = delete;

    // The sweep starts reading ranges[index] (it is done with every range before it).
    void reached(std::size_t index);

    // Whether the read-ahead reads all of ranges[index] before the sweep reaches it: true unless
    // it is larger than the window (the read-ahead stops `window` bytes into the range the sweep
    // is in; the sweep then asks for the rest itself, as StatsOptions::adviseReadAhead does).
    bool covers(std::size_t index) const;

    // Bytes read ahead so far (for tests).
    std::int64_t bytesRead() const;

private:
    void run();
    bool readPiece(const MappedRange& range, std::int64_t offset, std::int64_t bytes);

    std::vector<MappedRange> ranges_;
    std::vector<std::int64_t> startOf_; // bytes of the ranges before each one
    const std::int64_t window_;
    mutable std::mutex mutex_;
    std::condition_variable moved_;
    std::int64_t sweepAt_ = 0; // position of the sweep along the ranges, in bytes
    std::int64_t readTo_ = 0; // how far the read-ahead has got
    bool stop_ = false;
    std::thread thread_;
};

} // namespace ckpt
