#include "base/ParallelFor.h"

#include "base/Cancelled.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ckpt {

void parallelFor(
    std::size_t n, int threads, const std::function<void(std::size_t)>& fn, const std::atomic<bool>* cancel)
{
    parallelForEachWorker(
        n, threads, [&fn] { return fn; }, cancel);
}

void parallelForEachWorker(std::size_t n, int threads,
    const std::function<std::function<void(std::size_t)>()>& makeWorker, const std::atomic<bool>* cancel)
{
    const std::size_t cores = threads > 0 ? std::size_t(threads) : std::max(1u, std::thread::hardware_concurrency());
    const std::size_t used = std::clamp<std::size_t>(cores, 1, std::max<std::size_t>(n, 1));
    std::atomic<std::size_t> next { 0 };
    std::atomic<bool> stop { false };
    std::size_t failedAt = n;
    std::exception_ptr error;
    std::mutex mutex;
    auto worker = [&] {
        std::function<void(std::size_t)> fn;
        try {
            fn = makeWorker();
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!error)
                error = std::current_exception();
            stop = true;
            return;
        }
        for (std::size_t i; !stop && (i = next.fetch_add(1)) < n;) {
            if (cancel && cancel->load())
                break;
            try {
                fn(i);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (i < failedAt) {
                    failedAt = i;
                    error = std::current_exception();
                }
                stop = true;
            }
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < used; ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
    if (cancel && cancel->load())
        throw Cancelled();
}

} // namespace ckpt
