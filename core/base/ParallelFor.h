#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace ckpt {

// Runs fn(i) for every i in [0, n), each index once, on `threads` threads (0: one per core; the
// calling thread is one of them), indices handed out in order. After a failure no new index
// starts; the exception of the lowest failing index is rethrown once all threads have stopped.
// Throws Cancelled when *cancel became true.
void parallelFor(
    std::size_t n, int threads, const std::function<void(std::size_t)>& fn, const std::atomic<bool>* cancel = nullptr);

} // namespace ckpt
