#pragma once

#include <cstddef>
#include <type_traits>

namespace ckpt {

// Reading a memory-mapped file raises SIGBUS when the file is truncated underneath us (a
// training run saving over the checkpoint being viewed). Runs fn, which reads mapped bytes;
// returns false when such a read faulted, instead of letting the process die.
// fn must not throw and must not own resources (it is left by a long jump when it faults).
bool runMappedAccess(void (*fn)(void*), void* context);

// Asks the kernel to start reading these mapped bytes into the page cache now, without waiting
// (madvise MADV_WILLNEED): a sweep calls it for the bytes it reaches next, so that reading from
// disk overlaps the work on the bytes already there. Only a hint; errors are ignored.
void adviseWillNeed(const std::byte* mapped, std::size_t bytes);

template <typename F> bool runMappedAccess(F&& fn)
{
    return runMappedAccess([](void* f) { (*static_cast<std::remove_reference_t<F>*>(f))(); }, &fn);
}

} // namespace ckpt
