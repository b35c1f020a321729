#include "io/ReadRing.h"

#include <cstdlib>

namespace ckpt {

void ReadRing::Free::operator()(std::byte* p) const
{
    std::free(p);
}

ReadRing::ReadRing(std::uint64_t size, std::uint64_t alignment)
    : alignment_(alignment)
    , size_((size + alignment - 1) / alignment * alignment)
{
}

bool ReadRing::allocate()
{
    if (!buffer_)
        buffer_.reset(static_cast<std::byte*>(std::aligned_alloc(alignment_, size_)));
    return buffer_ != nullptr;
}

std::byte* ReadRing::take(std::size_t owner, std::uint64_t length)
{
    std::uint64_t start = 0;
    if (!buffer_ || !place(length, start))
        return nullptr;
    held_.push_back({ owner, start, length });
    return buffer_.get() + start;
}

void ReadRing::releaseBefore(std::size_t owner)
{
    while (!held_.empty() && held_.front().owner < owner)
        held_.pop_front();
}

void ReadRing::releaseNewest(std::size_t owner)
{
    if (!held_.empty() && held_.back().owner == owner)
        held_.pop_back();
}

// After the newest stretch, or from the ring's start when the oldest leaves room there.
bool ReadRing::place(std::uint64_t length, std::uint64_t& start) const
{
    if (length > size_)
        return false;
    if (held_.empty()) {
        start = 0;
        return true;
    }
    const std::uint64_t oldest = held_.front().start;
    const std::uint64_t newestEnd = held_.back().start + held_.back().length;
    if (newestEnd > oldest) { // not wrapped: room after the newest, or before the oldest
        if (newestEnd + length <= size_)
            start = newestEnd;
        else if (length <= oldest)
            start = 0;
        else
            return false;
        return true;
    }
    if (newestEnd + length > oldest) // wrapped: only between the newest and the oldest
        return false;
    start = newestEnd;
    return true;
}

} // namespace ckpt
