#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

namespace ckpt {

// One aligned buffer that reads land in one after another and are let go of oldest first (a
// sweep's order), each a stretch of the ring for as long as it is held. Reusing it spares the
// kernel a page fault and a zeroed page for every 4 KiB that fresh memory for each read would
// cost. Not thread-safe: its owner serialises the calls.
class ReadRing {
public:
    // Room for `size` bytes (rounded up to the alignment), allocated by allocate().
    ReadRing(std::uint64_t size, std::uint64_t alignment);

    // Allocates the ring once (a sweep over cached files never needs it); false: no memory.
    bool allocate();
    // A stretch of `length` bytes held for `owner` (owners increase from call to call), or
    // nullptr while the stretches held leave no room (or before allocate()).
    std::byte* take(std::size_t owner, std::uint64_t length);
    // Lets go of every stretch held for an owner before `owner`.
    void releaseBefore(std::size_t owner);
    // Lets go of the newest stretch if it is owner's (a read that did not happen).
    void releaseNewest(std::size_t owner);

private:
    struct Free {
        void operator()(std::byte* p) const;
    };
    struct Held {
        std::size_t owner;
        std::uint64_t start, length;
    };
    bool place(std::uint64_t length, std::uint64_t& start) const;

    const std::uint64_t alignment_, size_;
    std::unique_ptr<std::byte, Free> buffer_;
    std::deque<Held> held_; // oldest first
};

} // namespace ckpt
