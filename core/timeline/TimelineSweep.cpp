#include "timeline/TimelineSweep.h"

#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "base/ParallelFor.h"
#include "io/MappedAccess.h"
#include "numerics/Convert.h"
#include "numerics/PairVector.h"
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

// Each chunk is converted to float64 in blocks small enough that the three sides stay in the L1
// cache while every pass over them runs.
constexpr std::int64_t kBlockElements = 1024;
constexpr std::int64_t kMaxRunElements = std::int64_t(1) << 22; // one compressed storage unit, as the stats do

// Each loop keeps two chains of pair accumulators, so it pipelines without reassociating a sum
// (which would change the result).
using namespace pairs;

// Lanes summed in a fixed order: chain a's, then chain b's.
double total(Pair a, Pair b)
{
    return (a[0] + a[1]) + (b[0] + b[1]);
}

// A block's mean and squared deviations from it, the second pass on values still in the cache.
template <typename T> void finishMoments(const T* v, std::int64_t n, double sum, ValueSums& out)
{
    out.mean = sum / double(n);
    Pair da {}, db {};
    const Pair mean = splat(out.mean);
    const std::int64_t whole = n - n % 4;
    for (std::int64_t i = 0; i < whole; i += 4) {
        Pair x, y;
        loadPairs(v + i, x, y);
        x -= mean;
        y -= mean;
        da += x * x;
        db += y * y;
    }
    double m2 = total(da, db);
    for (std::int64_t i = whole; i < n; ++i) {
        const double d = double(v[i]) - out.mean;
        m2 += d * d;
    }
    out.m2 = m2;
}

// One chain of the value sums.
struct ValueChain {
    Pair sum {}, squares {}, check {};
    Pair lo = splat(std::numeric_limits<double>::infinity()), hi = -splat(std::numeric_limits<double>::infinity());
    PairMask zeros {};

    void add(Pair x)
    {
        sum += x;
        squares += x * x;
        lo = lesser(x, lo);
        hi = greater(x, hi);
        zeros -= x == 0; // a true comparison is -1
        check += x - x; // NaN from here on if x is NaN or inf
    }
};

// The usual block, without a branch per element: false (out untouched) when a value is NaN or inf.
template <typename T> bool finiteValues(const T* v, std::int64_t n, ValueSums& out)
{
    ValueChain a, b;
    const std::int64_t whole = feedTwoChains(v, n, a, b);
    double s = total(a.sum, b.sum), sq = total(a.squares, b.squares), bad = total(a.check, b.check);
    double low = std::min(std::min(a.lo[0], a.lo[1]), std::min(b.lo[0], b.lo[1]));
    double high = std::max(std::max(a.hi[0], a.hi[1]), std::max(b.hi[0], b.hi[1]));
    std::int64_t zeroCount = a.zeros[0] + a.zeros[1] + b.zeros[0] + b.zeros[1];
    for (std::int64_t i = whole; i < n; ++i) {
        const double x = v[i];
        s += x;
        sq += x * x;
        low = std::min(low, x);
        high = std::max(high, x);
        zeroCount += x == 0;
        bad += x - x;
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
template <typename T> ValueSums valuesCarefully(const T* v, std::int64_t n)
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
    for (std::int64_t i = 0; i < n; ++i) {
        const double d = double(v[i]) - block.mean;
        if (std::isfinite(v[i]))
            block.m2 += d * d;
    }
    return block;
}

template <typename T> ValueSums blockValues(const T* v, std::int64_t n)
{
    ValueSums block;
    if (!finiteValues(v, n, block))
        block = valuesCarefully(v, n);
    return block;
}

// One chain of the sums of a pair of blocks.
struct PairChain {
    Pair difference {}, dot {}, aa {}, bb {}, check {};

    void add(Pair x, Pair y)
    {
        const Pair d = x - y;
        difference += d * d;
        dot += x * y;
        aa += x * x;
        bb += y * y;
        check += (x - x) + (y - y); // NaN from here on if x or y is NaN or inf
    }
};

// Both blocks finite, without a branch per element: false (out untouched) otherwise.
template <typename A, typename B> bool finitePairs(const A* a, const B* b, std::int64_t n, PairSums& out)
{
    PairChain p, q;
    const std::int64_t whole = n - n % 4;
    for (std::int64_t i = 0; i < whole; i += 4) {
        Pair a0, a1, b0, b1;
        loadPairs(a + i, a0, a1);
        loadPairs(b + i, b0, b1);
        p.add(a0, b0);
        q.add(a1, b1);
    }
    PairSums block { total(p.difference, q.difference), total(p.dot, q.dot), total(p.aa, q.aa), total(p.bb, q.bb) };
    double bad = total(p.check, q.check);
    for (std::int64_t i = whole; i < n; ++i) {
        const double x = a[i], y = b[i], d = x - y;
        block.differenceSquares += d * d;
        block.dot += x * y;
        block.aSquares += x * x;
        block.bSquares += y * y;
        bad += (x - x) + (y - y);
    }
    if (!(bad == 0))
        return false;
    out = block;
    return true;
}

template <typename A, typename B> PairSums pairsCarefully(const A* a, const B* b, std::int64_t n)
{
    PairSums block;
    for (std::int64_t i = 0; i < n; ++i) {
        const double x = a[i], y = b[i], d = x - y;
        if (!std::isfinite(x) || !std::isfinite(y))
            continue;
        block.differenceSquares += d * d;
        block.dot += x * y;
        block.aSquares += x * x;
        block.bSquares += y * y;
    }
    return block;
}

template <typename A, typename B> PairSums blockPairs(const A* a, const B* b, std::int64_t n)
{
    PairSums block;
    if (!finitePairs(a, b, n, block))
        block = pairsCarefully(a, b, n);
    return block;
}

// One chain of the sums of the current block against a reference block, once both are known
// finite: ||current||^2 is then the values' own sum of squares.
struct ReferenceChain {
    Pair difference {}, dot {}, squares {}, check {};

    void add(Pair x, Pair y)
    {
        const Pair d = x - y;
        difference += d * d;
        dot += x * y;
        squares += y * y;
        check += y - y;
    }
};

// The usual block from the third step on, in one loop rather than three (the current values are
// loaded and widened once): current, previous and first all finite and n a multiple of 4, else
// false with nothing summed.
template <typename C, typename P, typename F>
bool finiteTriple(const C* c, const P* p, const F* f, std::int64_t n, SweepSums& out)
{
    if (n % 4 != 0)
        return false;
    ValueChain values;
    ReferenceChain previous, first;
    for (std::int64_t i = 0; i < n; i += 4) {
        Pair c0, c1, p0, p1, f0, f1;
        loadPairs(c + i, c0, c1);
        loadPairs(p + i, p0, p1);
        loadPairs(f + i, f0, f1);
        values.add(c0);
        previous.add(c0, p0);
        first.add(c0, f0);
        values.add(c1);
        previous.add(c1, p1);
        first.add(c1, f1);
    }
    const Pair check = values.check + previous.check + first.check;
    if (!(check[0] + check[1] == 0))
        return false;
    ValueSums block;
    block.count = block.finite = n;
    block.zeros = values.zeros[0] + values.zeros[1];
    block.sumSquares = values.squares[0] + values.squares[1];
    block.min = std::min(values.lo[0], values.lo[1]);
    block.max = std::max(values.hi[0], values.hi[1]);
    finishMoments(c, n, values.sum[0] + values.sum[1], block);
    out.values.merge(block);
    for (auto [chain, into] : { std::pair { &previous, &out.previous }, { &first, &out.first } })
        into->merge(PairSums { chain->difference[0] + chain->difference[1], chain->dot[0] + chain->dot[1],
            block.sumSquares, chain->squares[0] + chain->squares[1] });
    return true;
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

// One side's block: float32 read where it is stored (aligned, the usual case), anything else
// converted to float64 into `buffer`; neither for a side that is not there.
struct SideBlock {
    const float* floats = nullptr;
    const double* doubles = nullptr;

    bool present() const { return floats || doubles; }

    template <typename F> void visit(F f) const
    {
        if (floats)
            f(floats);
        else
            f(doubles);
    }
};

SideBlock sideBlock(const Tensor& t, const std::byte* chunk, std::int64_t b, std::int64_t n, double* buffer)
{
    const DType dtype = t.info.dtype;
    const std::byte* block = chunk + std::size_t(b) * dtypeSize(dtype);
    if (dtype == DType::Float32 && reinterpret_cast<std::uintptr_t>(block) % alignof(float) == 0)
        return { reinterpret_cast<const float*>(block), nullptr };
    convertToDouble(dtype, block, n, buffer);
    return { nullptr, buffer };
}

// All three sides in one loop (finiteTriple); false when the block needs the side-by-side sums.
bool sumBlockTogether(const std::array<SideBlock, 3>& sides, std::int64_t n, SweepSums& sums)
{
    if (!sides[SweepJob::Previous].present() || !sides[SweepJob::First].present())
        return false;
    bool done = false;
    sides[SweepJob::Current].visit([&](auto current) {
        sides[SweepJob::Previous].visit([&](auto previous) {
            sides[SweepJob::First].visit([&](auto first) { done = finiteTriple(current, previous, first, n, sums); });
        });
    });
    return done;
}

// The values, then each reference beside them, each with its own NaN/inf check.
void sumBlockSideBySide(const std::array<SideBlock, 3>& sides, std::int64_t n, SweepSums& sums)
{
    sides[SweepJob::Current].visit([&](auto current) {
        sums.values.merge(blockValues(current, n));
        if (sides[SweepJob::Previous].present())
            sides[SweepJob::Previous].visit(
                [&](auto previous) { sums.previous.merge(blockPairs(current, previous, n)); });
        if (sides[SweepJob::First].present())
            sides[SweepJob::First].visit([&](auto first) { sums.first.merge(blockPairs(current, first, n)); });
    });
}

// Sums one chunk block by block (merged in order). Touches mapped memory, so it neither throws
// nor owns anything (see runMappedAccess).
void sumChunk(const SweepJob& job, const Chunk& chunk, const std::array<const std::byte*, 3>& bytes, SweepSums& sums)
{
    double buffers[3][kBlockElements];
    for (std::int64_t b = 0; b < chunk.count; b += kBlockElements) {
        const std::int64_t n = std::min(kBlockElements, chunk.count - b);
        std::array<SideBlock, 3> sides;
        for (int side = 0; side < 3; ++side)
            if (const Tensor* t = job.tensors[side])
                sides[side] = sideBlock(*t, bytes[side], b, n, buffers[side]);
        if (!sumBlockTogether(sides, n, sums))
            sumBlockSideBySide(sides, n, sums);
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
    parallelForEachWorker(
        chunks.size(), threads,
        [&] {
            auto reader = std::make_shared<ChunkReader>(); // one per thread
            return [&, reader](std::size_t c) { results[c] = sweepChunk(jobs[chunks[c].job], chunks[c], *reader); };
        },
        cancel);
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
