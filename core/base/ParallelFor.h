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

// The same where each thread needs its own state (buffers): makeWorker() is called once on each
// thread and returns that thread's fn.
void parallelForEachWorker(std::size_t n, int threads,
    const std::function<std::function<void(std::size_t)>()>& makeWorker, const std::atomic<bool>* cancel = nullptr);

} // namespace ckpt
