#include "timeline/TimelineSweep.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "io/MappedAccess.h"
#include "numerics/Convert.h"
#include "tensor/StoredElements.h"
#include "tensor/TensorChunks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace ckpt {

namespace {

// The vectors below never cross this file's boundary, so how an AVX-less build would pass them
// between translation units (GCC's -Wpsabi note) does not matter.
#pragma GCC diagnostic ignored "-Wpsabi"

// Each chunk is converted to float64 in blocks small enough that the three sides stay in the L1
// cache while every pass over them runs.
constexpr std::int64_t kBlockElements = 1024;
constexpr std::int64_t kMaxRunElements = std::int64_t(1) << 22; // one compressed storage unit, as the stats do

// Four doubles as one GCC/Clang vector: four independent accumulators, so the loops pipeline and
// vectorise without reassociating a sum (which would change the result).
using Quad = double __attribute__((vector_size(4 * sizeof(double))));
using QuadMask = std::int64_t __attribute__((vector_size(4 * sizeof(double))));

Quad load(const double* p)
{
    Quad x;
    std::memcpy(&x, p, sizeof x);
    return x;
}

Quad splat(double x)
{
    return Quad { x, x, x, x };
}

double total(Quad q)
{
    return (q[0] + q[1]) + (q[2] + q[3]);
}

// A block's mean and squared deviations from it, the second pass on values still in the cache.
void finishMoments(const double* v, std::int64_t n, double sum, ValueSums& out)
{
    out.mean = sum / double(n);
    Quad deviations {};
    const Quad mean = splat(out.mean);
    const std::int64_t whole = n - n % 4;
    for (std::int64_t i = 0; i < whole; i += 4) {
        const Quad d = load(v + i) - mean;
        deviations += d * d;
    }
    double m2 = total(deviations);
    for (std::int64_t i = whole; i < n; ++i)
        m2 += (v[i] - out.mean) * (v[i] - out.mean);
    out.m2 = m2;
}

// The usual block, without a branch per element: false (out untouched) when a value is NaN or inf.
bool finiteValues(const double* v, std::int64_t n, ValueSums& out)
{
    Quad sum {}, squares {}, check {};
    Quad lo = splat(std::numeric_limits<double>::infinity()), hi = -lo;
    QuadMask zeros {};
    const std::int64_t whole = n - n % 4;
    for (std::int64_t i = 0; i < whole; i += 4) {
        const Quad x = load(v + i);
        sum += x;
        squares += x * x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        zeros -= x == 0; // a true comparison is -1
        check += x - x; // NaN from here on if x is NaN or inf
    }
    double s = total(sum), sq = total(squares), bad = total(check);
    double low = std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3]));
    double high = std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]));
    std::int64_t zeroCount = zeros[0] + zeros[1] + zeros[2] + zeros[3];
    for (std::int64_t i = whole; i < n; ++i) {
        s += v[i];
        sq += v[i] * v[i];
        low = std::min(low, v[i]);
        high = std::max(high, v[i]);
        zeroCount += v[i] == 0;
        bad += v[i] - v[i];
    }
    if (!(bad == 0))
        return false;
    ValueSums block;
    block.count = block.finite = n;
    block.zeros = zeroCount;
    block.sumSquares = sq;
    block.min = low;
    block.max = high;
    finishMoments(v, n, s, block);
    out = block;
    return true;
}

// A block with NaN or inf in it: they are counted, the rest summed.
ValueSums valuesCarefully(const double* v, std::int64_t n)
{
    ValueSums block;
    block.count = n;
    double sum = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double x = v[i];
        if (!std::isfinite(x)) {
            block.nan += std::isnan(x);
            block.inf += std::isinf(x);
            continue;
        }
        ++block.finite;
        block.zeros += x == 0;
        sum += x;
        block.sumSquares += x * x;
        block.min = std::min(block.min, x);
        block.max = std::max(block.max, x);
    }
    if (block.finite == 0)
        return block;
    block.mean = sum / double(block.finite);
    for (std::int64_t i = 0; i < n; ++i)
        if (std::isfinite(v[i]))
            block.m2 += (v[i] - block.mean) * (v[i] - block.mean);
    return block;
}

ValueSums blockValues(const double* v, std::int64_t n)
{
    ValueSums block;
    if (!finiteValues(v, n, block))
        block = valuesCarefully(v, n);
    return block;
}

// Both blocks finite, without a branch per element: false (out untouched) otherwise.
bool finitePairs(const double* a, const double* b, std::int64_t n, PairSums& out)
{
    Quad difference {}, dot {}, aa {}, bb {}, check {};
    const std::int64_t whole = n - n % 4;
    for (std::int64_t i = 0; i < whole; i += 4) {
        const Quad x = load(a + i), y = load(b + i), d = x - y;
        difference += d * d;
        dot += x * y;
        aa += x * x;
        bb += y * y;
        check += (x - x) + (y - y);
    }
    PairSums block { total(difference), total(dot), total(aa), total(bb) };
    double bad = total(check);
    for (std::int64_t i = whole; i < n; ++i) {
        const double d = a[i] - b[i];
        block.differenceSquares += d * d;
        block.dot += a[i] * b[i];
        block.aSquares += a[i] * a[i];
        block.bSquares += b[i] * b[i];
        bad += (a[i] - a[i]) + (b[i] - b[i]);
    }
    if (!(bad == 0))
        return false;
    out = block;
    return true;
}

PairSums pairsCarefully(const double* a, const double* b, std::int64_t n)
{
    PairSums block;
    for (std::int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
            continue;
        const double d = a[i] - b[i];
        block.differenceSquares += d * d;
        block.dot += a[i] * b[i];
        block.aSquares += a[i] * a[i];
        block.bSquares += b[i] * b[i];
    }
    return block;
}

PairSums blockPairs(const double* a, const double* b, std::int64_t n)
{
    PairSums block;
    if (!finitePairs(a, b, n, block))
        block = pairsCarefully(a, b, n);
    return block;
}

// A piece of work: elements [first, first + count) of one job.
struct Chunk {
    std::size_t job = 0;
    std::int64_t first = 0, count = 0;
};

std::vector<Chunk> chunksOf(const std::vector<SweepJob>& jobs, std::int64_t chunkElements)
{
    std::vector<Chunk> chunks;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const ChunkPlan plan = planChunks(*jobs[j].tensors[SweepJob::Current],
            ChunkShape { .targetElements = chunkElements, .maxStorageRun = kMaxRunElements });
        for (std::int64_t c = 0; c < plan.chunks(); ++c)
            chunks.push_back({ j, plan.first(c), plan.count(c) });
    }
    return chunks;
}

// One thread's buffers for the sides that are not mapped in memory.
struct ChunkReader {
    std::array<std::vector<std::byte>, 3> raw;

    // The chunk's bytes on each side (null for a missing side): in place when mapped, else read.
    std::array<const std::byte*, 3> bytes(const SweepJob& job, const Chunk& chunk)
    {
        std::array<const std::byte*, 3> out {};
        for (int side = 0; side < 3; ++side) {
            const Tensor* t = job.tensors[side];
            if (!t)
                continue;
            const std::size_t elem = dtypeSize(t->info.dtype);
            if (const std::byte* mapped = t->data->mappedElements()) {
                out[side] = mapped + std::size_t(chunk.first) * elem;
                continue;
            }
            raw[side].resize(std::size_t(chunk.count) * elem);
            try {
                t->data->readFlat(chunk.first, chunk.count, raw[side].data());
            } catch (const std::exception& e) {
                throw CheckpointError(job.files[side], job.name + ": " + e.what());
            }
            out[side] = raw[side].data();
        }
        return out;
    }
};

// Sums one chunk block by block (merged in order). Touches mapped memory, so it neither throws
// nor owns anything (see runMappedAccess).
void sumChunk(const SweepJob& job, const Chunk& chunk, const std::array<const std::byte*, 3>& bytes, SweepSums& sums)
{
    double values[3][kBlockElements];
    for (std::int64_t b = 0; b < chunk.count; b += kBlockElements) {
        const std::int64_t n = std::min(kBlockElements, chunk.count - b);
        for (int side = 0; side < 3; ++side)
            if (const Tensor* t = job.tensors[side])
                convertToDouble(
                    t->info.dtype, bytes[side] + std::size_t(b) * dtypeSize(t->info.dtype), n, values[side]);
        sums.values.merge(blockValues(values[SweepJob::Current], n));
        if (job.tensors[SweepJob::Previous])
            sums.previous.merge(blockPairs(values[SweepJob::Current], values[SweepJob::Previous], n));
        if (job.tensors[SweepJob::First])
            sums.first.merge(blockPairs(values[SweepJob::Current], values[SweepJob::First], n));
    }
}

SweepSums sweepChunk(const SweepJob& job, const Chunk& chunk, ChunkReader& reader)
{
    const std::array<const std::byte*, 3> bytes = reader.bytes(job, chunk);
    SweepSums sums;
    if (!runMappedAccess([&] { sumChunk(job, chunk, bytes, sums); }))
        throw CheckpointError(job.files[SweepJob::Current], "the file was truncated while it was being read");
    return sums;
}

void requireReadable(const SweepJob& job)
{
    for (int side = 0; side < 3; ++side)
        if (const Tensor* t = job.tensors[side]) {
            try {
                requireElementwiseReadable(*t);
            } catch (const CheckpointError&) {
                throw;
            } catch (const std::exception& e) {
                throw CheckpointError(job.files[side], job.name + ": " + e.what());
            }
        }
}

// Runs sweepChunk over every chunk on `threads` threads; each result lands in its chunk's slot.
// The first failure (by chunk) is rethrown once every thread has stopped.
std::vector<SweepSums> sweepInParallel(
    const std::vector<SweepJob>& jobs, const std::vector<Chunk>& chunks, int threads, const std::atomic<bool>* cancel)
{
    std::vector<SweepSums> results(chunks.size());
    std::atomic<std::size_t> next { 0 };
    std::atomic<bool> stop { false };
    std::mutex mutex;
    std::size_t failedChunk = chunks.size();
    std::exception_ptr error;
    auto worker = [&] {
        ChunkReader reader;
        for (std::size_t c; !stop && (c = next.fetch_add(1)) < chunks.size();) {
            if (cancel && cancel->load())
                break;
            try {
                results[c] = sweepChunk(jobs[chunks[c].job], chunks[c], reader);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (c < failedChunk) {
                    failedChunk = c;
                    error = std::current_exception();
                }
                stop = true;
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
    if (cancel && cancel->load())
        throw Cancelled();
    return results;
}

int threadCount(int wanted, std::size_t chunks)
{
    const std::size_t cores = wanted > 0 ? std::size_t(wanted) : std::max(1u, std::thread::hardware_concurrency());
    return int(std::clamp<std::size_t>(cores, 1, std::max<std::size_t>(chunks, 1)));
}

} // namespace

void ValueSums::merge(const ValueSums& other)
{
    count += other.count;
    zeros += other.zeros;
    nan += other.nan;
    inf += other.inf;
    sumSquares += other.sumSquares;
    min = std::min(min, other.min);
    max = std::max(max, other.max);
    if (other.finite == 0)
        return;
    const double total = double(finite + other.finite), delta = other.mean - mean;
    m2 += other.m2 + delta * delta * double(finite) * double(other.finite) / total;
    mean += delta * double(other.finite) / total;
    finite += other.finite;
}

void PairSums::merge(const PairSums& other)
{
    differenceSquares += other.differenceSquares;
    dot += other.dot;
    aSquares += other.aSquares;
    bSquares += other.bSquares;
}

double PairSums::change() const
{
    return std::sqrt(differenceSquares) / std::sqrt(bSquares);
}

double PairSums::cosine() const
{
    return dot / (std::sqrt(aSquares) * std::sqrt(bSquares));
}

std::vector<SweepSums> sweepTensors(const std::vector<SweepJob>& jobs, const SweepOptions& options)
{
    for (const SweepJob& job : jobs)
        requireReadable(job);
    const std::vector<Chunk> chunks = chunksOf(jobs, options.chunkElements);
    const std::vector<SweepSums> perChunk
        = sweepInParallel(jobs, chunks, threadCount(options.threads, chunks.size()), options.cancel);
    std::vector<SweepSums> sums(jobs.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) { // in chunk order: the same sums on any number of threads
        SweepSums& into = sums[chunks[c].job];
        into.values.merge(perChunk[c].values);
        into.previous.merge(perChunk[c].previous);
        into.first.merge(perChunk[c].first);
    }
    return sums;
}

} // namespace ckpt
