#include "numerics/Stats.h"

#include "base/CheckpointError.h"
#include "io/MappedAccess.h"
#include "numerics/Convert.h"
#include "numerics/CpuFeatures.h"
#include "numerics/FloatLimits.h"
#include "numerics/PairVector.h"
#include "numerics/StatsKernels.h"
#include "tensor/TensorChunks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>

namespace ckpt {

namespace {

// Data is read in chunks (one positioned read each) and converted to double in blocks small
// enough to stay in the L1 cache, so every pass after the read runs on cached values.
constexpr std::int64_t kChunkElements = 1 << 16;
constexpr std::int64_t kBlockElements = 2048;
constexpr std::int64_t kMaxRunElements = std::int64_t(1) << 22; // per-thread buffers of at most 32 MiB
constexpr int kLanes = 4; // independent accumulators, so the loops pipeline and vectorise

using namespace pairs;

// What a dtype's finite values are checked for besides their moments.
struct ValueLimits {
    double normal = 0; // the smallest normal magnitude: 0 < |x| < normal is denormal (0: none)
    bool checkHalf = false; // count the values float16 would make infinite
};

ValueLimits limitsOf(DType dtype)
{
    return { smallestNormal(dtype), widerThanFloat16(dtype) };
}

// min, max, sum, zero and denormal counts and a NaN/inf detector over one stream of pairs.
// Sums are of x - shift, the block's first value: a block's squared deviations are then
// sum(d^2) - sum(d)^2 / n, from the same sweep and without cancellation (a constant block gives 0).
struct PairAccumulator {
    Pair shift, normal;
    Pair lo = splat(std::numeric_limits<double>::infinity());
    Pair hi = -splat(std::numeric_limits<double>::infinity());
    Pair sum {}, squares {}, zero {}, denormal {}, check {};

    PairAccumulator(double s, double smallestNormal)
        : shift(splat(s))
        , normal(splat(smallestNormal))
    {
    }

    void add(Pair x)
    {
        lo = lesser(x, lo);
        hi = greater(x, hi);
        const Pair d = x - shift;
        sum += d;
        squares += d * d;
        zero += select(x == 0, splat(1.0), Pair {});
        denormal += select((x < normal) & (x > -normal) & (x != 0), splat(1.0), Pair {});
        check += x - x; // NaN from here on if x is NaN or inf
    }
};

// The block's moments by the portable SSE2 sweep; false when a value is NaN or inf.
template <typename T>
bool portableMoments(const T* v, std::int64_t n, double shift, double normal, kernels::FloatBlockMoments& out)
{
    PairAccumulator a(shift, normal), b(shift, normal); // two independent chains
    const std::int64_t whole = feedTwoChains(v, n, a, b);
    double total = 0, squares = 0, zeroCount = 0, denormalCount = 0, bad = 0;
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const PairAccumulator* p : { &a, &b })
        for (int l = 0; l < 2; ++l) {
            low = std::min(low, p->lo[l]);
            high = std::max(high, p->hi[l]);
            total += p->sum[l];
            squares += p->squares[l];
            zeroCount += p->zero[l];
            denormalCount += p->denormal[l];
            bad += p->check[l];
        }
    for (std::int64_t i = whole; i < n; ++i) {
        const double x = v[i];
        low = std::min(low, x);
        high = std::max(high, x);
        total += x - shift;
        squares += (x - shift) * (x - shift);
        zeroCount += x == 0;
        denormalCount += x != 0 && std::fabs(x) < normal;
        bad += x - x;
    }
    if (!(bad == 0))
        return false;
    out = { low, high, total, squares, static_cast<std::int64_t>(zeroCount), static_cast<std::int64_t>(denormalCount) };
    return true;
}

template <typename T> std::int64_t countBeyondHalf(const T* v, std::int64_t n)
{
    std::int64_t beyond = 0;
    for (std::int64_t i = 0; i < n; ++i)
        beyond += std::fabs(static_cast<double>(v[i])) >= kFloat16Overflow; // NaN: false
    return beyond;
}

// Moments of finite values, merged with Chan et al.'s parallel formula.
struct Moments {
    ValueLimits limits;
    std::int64_t count = 0, finite = 0, nan = 0, posInf = 0, negInf = 0, zeros = 0;
    std::int64_t denormals = 0, beyondHalf = 0; // of the finite values
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double mean = 0, m2 = 0;

    template <typename T> void add(const T* v, std::int64_t n)
    {
        if (!addAllFinite(v, n))
            addCarefully(v, n);
    }

    // The usual case, branch-free: returns false (having changed nothing) when a value is NaN or inf.
    template <typename T> bool addAllFinite(const T* v, std::int64_t n)
    {
        if (n == 0)
            return true;
        const double shift = static_cast<double>(v[0]);
        kernels::FloatBlockMoments block;
        bool finiteBlock;
        if constexpr (std::is_same_v<T, float>) {
            finiteBlock = cpuHasAvx2Fma()
                ? kernels::momentsOfFiniteFloats(v, n, shift, static_cast<float>(limits.normal), block)
                : portableMoments(v, n, shift, limits.normal, block);
        } else {
            finiteBlock = portableMoments(v, n, shift, limits.normal, block);
        }
        if (!finiteBlock)
            return false;
        addFinite(n, shift, block);
        // Only a block whose extremes reach float16's limit is looked at again (rare).
        if (limits.checkHalf && (block.max >= kFloat16Overflow || block.min <= -kFloat16Overflow))
            beyondHalf += countBeyondHalf(v, n);
        return true;
    }

    // n finite values, of which the block's sum and squares are of x - shift.
    void addFinite(std::int64_t n, double shift, const kernels::FloatBlockMoments& block)
    {
        min = std::min(min, block.min);
        max = std::max(max, block.max);
        zeros += block.zeros;
        denormals += block.denormals;
        count += n;
        const double shiftedMean = block.sum / static_cast<double>(n);
        merge(n, shift + shiftedMean, std::max(0.0, block.squares - block.sum * shiftedMean));
    }

    template <typename T> void addCarefully(const T* v, std::int64_t n)
    {
        count += n;
        double sum = 0;
        std::int64_t f = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const double x = v[i];
            if (std::isnan(x)) {
                ++nan;
            } else if (std::isinf(x)) {
                ++(x > 0 ? posInf : negInf);
            } else {
                ++f;
                sum += x;
                min = std::min(min, x);
                max = std::max(max, x);
                zeros += x == 0;
                denormals += x != 0 && std::fabs(x) < limits.normal;
                beyondHalf += limits.checkHalf && std::fabs(x) >= kFloat16Overflow;
            }
        }
        if (f == 0)
            return;
        const double chunkMean = sum / static_cast<double>(f);
        double chunkM2 = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            if (std::isfinite(v[i])) {
                const double d = static_cast<double>(v[i]) - chunkMean;
                chunkM2 += d * d;
            }
        }
        merge(f, chunkMean, chunkM2);
    }

    void merge(std::int64_t nb, double meanB, double m2B)
    {
        const std::int64_t na = finite;
        const std::int64_t nt = na + nb;
        const double delta = meanB - mean;
        mean += delta * static_cast<double>(nb) / static_cast<double>(nt);
        m2 += m2B + delta * delta * static_cast<double>(na) * static_cast<double>(nb) / static_cast<double>(nt);
        finite = nt;
    }

    // No values yet, with the same limits.
    Moments zero() const
    {
        Moments m;
        m.limits = limits;
        return m;
    }

    // Every value counted `repeat` times (a part standing for that many elements each).
    Moments repeated(std::int64_t repeat) const
    {
        Moments r = *this;
        for (std::int64_t* n :
            { &r.count, &r.finite, &r.nan, &r.posInf, &r.negInf, &r.zeros, &r.denormals, &r.beyondHalf })
            *n *= repeat; // at most the tensor's element count
        r.m2 *= static_cast<double>(repeat);
        return r;
    }

    void merge(const Moments& o)
    {
        count += o.count;
        nan += o.nan;
        posInf += o.posInf;
        negInf += o.negInf;
        zeros += o.zeros;
        denormals += o.denormals;
        beyondHalf += o.beyondHalf;
        min = std::min(min, o.min);
        max = std::max(max, o.max);
        if (o.finite > 0)
            merge(o.finite, o.mean, o.m2);
    }
};

struct BinMapper {
    double lo, hi;
    int bins;
    double scale;
    // False when the first sweep found only finite values: the second then skips the check.
    // Should the file change in between, a NaN or inf still lands inside the counts.
    bool routeNonFinite;
    BinMapper(double l, double h, int b, bool mayHoldNonFinite)
        : lo(l)
        , hi(h)
        , bins(b)
        , scale(static_cast<double>(b) / (h - l))
        , routeNonFinite(mayHoldNonFinite)
    {
    }
    // counts holds kLanes interleaved histograms (counts[bin * kLanes + lane]) plus one more bin
    // that collects NaN and inf, so consecutive values in the same bin do not wait on each other.
    std::size_t countsSize() const { return (static_cast<std::size_t>(bins) + 1) * kLanes; }

    template <typename T> void add(const T* v, std::int64_t n, std::int64_t* counts) const
    {
        static_assert(kLanes == 4, "the AVX2 sweep interleaves four histograms");
        if constexpr (std::is_same_v<T, float>) {
            if (cpuHasAvx2Fma()) {
                kernels::binFloats(v, n, lo, scale, bins, routeNonFinite, counts);
                return;
            }
        }
        using Index = std::int32_t __attribute__((vector_size(2 * sizeof(std::int32_t))));
        const Pair first = splat(lo), width = splat(scale), last = splat(static_cast<double>(bins - 1));
        const Pair overflow = splat(static_cast<double>(bins));
        auto bins2 = [&](Pair x) {
            Pair b = (x - first) * width;
            b = lesser(greater(b, Pair {}), last); // NaN and inf are sent to the overflow bin below
            if (routeNonFinite)
                b = select((x - x) == 0, b, overflow);
            return __builtin_convertvector(b, Index);
        };
        const std::int64_t whole = n - n % 4;
        for (std::int64_t i = 0; i < whole; i += 4) {
            Pair x, y;
            loadPairs(v + i, x, y);
            const Index a = bins2(x), b = bins2(y);
            ++counts[a[0] * kLanes];
            ++counts[a[1] * kLanes + 1];
            ++counts[b[0] * kLanes + 2];
            ++counts[b[1] * kLanes + 3];
        }
        for (std::int64_t i = whole; i < n; ++i)
            ++counts[bins2(splat(static_cast<double>(v[i])))[0] * kLanes];
    }

    // Adds the interleaved counts (without the NaN/inf bin) to a histogram's.
    void collect(const std::vector<std::int64_t>& counts, std::vector<std::int64_t>& into) const
    {
        for (std::size_t i = 0; i < static_cast<std::size_t>(bins) * kLanes; ++i)
            into[i / kLanes] += counts[i];
    }
};

// From a cold page cache, faulting pages in one by one leaves the disk idle while a chunk is
// computed: each chunk taken asks for the one kReadAheadBytes further on, so reads stay ahead.
constexpr std::int64_t kReadAheadBytes = std::int64_t(32) << 20;

void adviseAhead(const ChunkPlan& plan, std::int64_t chunk, const std::byte* mapped, std::int64_t elem)
{
    const std::int64_t chunkBytes = plan.chunkElements * elem;
    const std::int64_t ahead = std::max<std::int64_t>(1, kReadAheadBytes / std::max<std::int64_t>(chunkBytes, 1));
    // The first chunk asks for the whole window; each later one for the chunk at its far end.
    for (std::int64_t c = chunk == 0 ? 1 : chunk + ahead; c <= chunk + ahead && c < plan.chunks(); ++c)
        adviseWillNeed(mapped + plan.first(c) * elem, std::size_t(plan.count(c) * elem));
}

// Runs the tensor through per-thread state: each thread makes a State, feeds it chunks of raw
// elements (host order) with body(state, bytes, count), and hands it to merge(state) (serialised)
// at the end.
template <typename State, typename Body, typename Merge>
void forEachChunkInParallel(const Tensor& tensor, const StatsOptions& options, double progressBase, double progressSpan,
    const State& initial, Body body, Merge merge)
{
    // Ranges follow the storage's own units when it has them (one compressed chunk each, so that
    // the threads never decode the same one), within reason for the per-thread buffer.
    const ChunkPlan plan
        = planChunks(tensor, ChunkShape { .targetElements = kChunkElements, .maxStorageRun = kMaxRunElements });
    const std::int64_t chunks = plan.chunks();
    const int threads = static_cast<int>(std::clamp<std::int64_t>(
        options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency()), 1,
        std::max<std::int64_t>(chunks, 1)));
    std::atomic<std::int64_t> next { 0 }, done { 0 };
    std::atomic<bool> failed { false };
    std::exception_ptr error;
    std::mutex mutex;
    // Data already in memory (a mapped .npy, .safetensors, .pt) is read in place; the rest is
    // copied chunk by chunk with positioned reads.
    const std::byte* mapped = tensor.data->mappedElements();
    auto worker = [&](int id) {
        const auto elem = static_cast<std::int64_t>(dtypeSize(tensor.info.dtype));
        std::vector<std::byte> raw(
            mapped ? 0 : static_cast<std::size_t>(std::min(plan.numel, plan.chunkElements) * elem));
        State state = initial;
        try {
            for (std::int64_t c; (c = next.fetch_add(1)) < chunks;) {
                if (failed || (options.cancel && options.cancel->load()))
                    break;
                const std::int64_t first = plan.first(c);
                const std::int64_t count = plan.count(c);
                const std::byte* chunk = mapped ? mapped + first * elem : raw.data();
                if (mapped && options.adviseReadAhead)
                    adviseAhead(plan, c, mapped, elem);
                auto run = [&] { body(state, chunk, count); };
                if (!mapped) {
                    tensor.data->readFlat(first, count, raw.data());
                    run();
                } else if (!runMappedAccess(run)) {
                    throw FormatError("the file was truncated while it was being read");
                }
                const auto finished = ++done;
                if (id == 0 && options.progress) // progress is reported on the calling thread only
                    options.progress(
                        progressBase + progressSpan * static_cast<double>(finished) / static_cast<double>(chunks));
            }
            std::lock_guard lock(mutex);
            merge(state);
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!error)
                error = std::current_exception();
            failed = true;
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker, t);
    worker(0);
    for (auto& t : pool)
        t.join();
    if (error)
        std::rethrow_exception(error);
    if (options.cancel && options.cancel->load())
        throw Cancelled();
    if (options.progress)
        options.progress(progressBase + progressSpan);
}

// forEachChunkInParallel with the values as numbers: body(state, values, count) gets blocks small enough
// for the L1 cache, of float32 (as stored, or widened from 16 and 8-bit floats) or float64 (the rest).
template <typename State, typename Body, typename Merge>
void forEachBlock(const Tensor& tensor, const StatsOptions& options, double progressBase, double progressSpan,
    const State& initial, Body body, Merge merge)
{
    const DType dtype = tensor.info.dtype;
    const auto elem = static_cast<std::int64_t>(dtypeSize(dtype));
    auto blocks = [&](State& state, const std::byte* chunk, std::int64_t count) {
        double doubles[kBlockElements];
        float floats[kBlockElements];
        for (std::int64_t b = 0; b < count; b += kBlockElements) {
            const std::int64_t len = std::min(kBlockElements, count - b);
            const std::byte* block = chunk + b * elem;
            if (dtype == DType::Float32 && reinterpret_cast<std::uintptr_t>(block) % alignof(float) == 0) {
                body(state, reinterpret_cast<const float*>(block), len);
            } else if (dtype == DType::Float32) { // at an odd offset in its file
                std::memcpy(floats, block, static_cast<std::size_t>(len) * sizeof(float));
                body(state, static_cast<const float*>(floats), len);
            } else if (convertToFloat(dtype, block, len, floats)) {
                body(state, static_cast<const float*>(floats), len);
            } else {
                convertToDouble(dtype, block, len, doubles);
                body(state, static_cast<const double*>(doubles), len);
            }
        }
    };
    forEachChunkInParallel(tensor, options, progressBase, progressSpan, initial, blocks, merge);
}

TensorStats finish(const Moments& m)
{
    TensorStats s;
    s.count = m.count;
    s.finite = m.finite;
    s.nan = m.nan;
    s.posInf = m.posInf;
    s.negInf = m.negInf;
    s.zeros = m.zeros;
    s.denormals = m.denormals;
    s.beyondHalf = m.beyondHalf;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    s.min = m.finite ? m.min : nan;
    s.max = m.finite ? m.max : nan;
    s.mean = m.finite ? m.mean : nan;
    s.std = m.finite ? std::sqrt(m.m2 / static_cast<double>(m.finite)) : nan;
    return s;
}

// Elements of at most 16 bits take at most 65536 distinct bit patterns: one pass counts each
// pattern, and every statistic and the histogram follow exactly from the counts. This halves the
// reading (and the decompression) of the two-pass way, and needs no conversion.
bool countable(DType dtype)
{
    return dtypeSize(dtype) <= 2 && !isComplex(dtype);
}

using PatternCounts = std::vector<std::uint64_t>;

// Counts into kLanes interleaved tables for bytes, so runs of one value (zeros) do not wait on
// their own increments; 16-bit patterns use one table (four would not fit the cache).
void countPatterns(PatternCounts& counts, const std::byte* p, std::int64_t n, std::size_t size)
{
    if (size == 1) {
        const auto* b = reinterpret_cast<const std::uint8_t*>(p);
        const std::int64_t whole = n - n % kLanes;
        for (std::int64_t i = 0; i < whole; i += kLanes)
            for (int lane = 0; lane < kLanes; ++lane)
                ++counts[std::size_t(b[i + lane]) * kLanes + std::size_t(lane)];
        for (std::int64_t i = whole; i < n; ++i)
            ++counts[std::size_t(b[i]) * kLanes];
        return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
        std::uint16_t v;
        std::memcpy(&v, p + 2 * i, 2);
        ++counts[v];
    }
}

TensorStats statsFromCounts(DType dtype, const PatternCounts& counts, int bins)
{
    // The value of every pattern that occurs (host order: the bytes of the pattern, little-endian).
    const std::size_t size = dtypeSize(dtype);
    std::vector<double> values(counts.size(), 0);
    for (std::size_t p = 0; p < counts.size(); ++p) {
        if (!counts[p])
            continue;
        std::byte bytes[2];
        const std::uint16_t pattern = static_cast<std::uint16_t>(p);
        std::memcpy(bytes, &pattern, size);
        values[p] = elementToDouble(dtype, bytes);
    }
    Moments m;
    m.limits = limitsOf(dtype);
    long double sum = 0;
    for (std::size_t p = 0; p < counts.size(); ++p) {
        const auto c = static_cast<std::int64_t>(counts[p]);
        if (c == 0)
            continue;
        const double v = values[p];
        m.count += c;
        if (std::isnan(v)) {
            m.nan += c;
        } else if (std::isinf(v)) {
            (v > 0 ? m.posInf : m.negInf) += c;
        } else {
            m.finite += c;
            m.zeros += v == 0 ? c : 0;
            m.denormals += v != 0 && std::fabs(v) < m.limits.normal ? c : 0;
            m.beyondHalf += m.limits.checkHalf && std::fabs(v) >= kFloat16Overflow ? c : 0;
            m.min = std::min(m.min, v);
            m.max = std::max(m.max, v);
            sum += static_cast<long double>(v) * c;
        }
    }
    if (m.finite > 0) {
        const long double mean = sum / m.finite;
        long double m2 = 0;
        for (std::size_t p = 0; p < counts.size(); ++p)
            if (counts[p] && std::isfinite(values[p]))
                m2 += (values[p] - mean) * (values[p] - mean) * static_cast<long double>(counts[p]);
        m.mean = static_cast<double>(mean);
        m.m2 = static_cast<double>(m2);
    }
    TensorStats s = finish(m);
    s.histogram = emptyHistogram(s.min, s.max, bins);
    if (s.finite == 0)
        return s;
    // The bin of each value exactly as BinMapper computes it for the values themselves.
    const double lo = s.histogram.edges.front(), scale = static_cast<double>(bins) / (s.histogram.edges.back() - lo);
    for (std::size_t p = 0; p < counts.size(); ++p) {
        if (!counts[p] || !std::isfinite(values[p]))
            continue;
        const double b = std::min(std::max((values[p] - lo) * scale, 0.0), static_cast<double>(bins - 1));
        s.histogram.counts[static_cast<std::size_t>(static_cast<std::int32_t>(b))]
            += static_cast<std::int64_t>(counts[p]);
    }
    return s;
}

} // namespace

Histogram emptyHistogram(double lo, double hi, int bins)
{
    Histogram h;
    bins = std::max(bins, 1);
    if (!(lo <= hi)) { // no finite values
        lo = 0;
        hi = 1;
    }
    if (lo == hi) { // numpy's convention for a single value
        lo -= 0.5;
        hi += 0.5;
    }
    // numpy.linspace's arithmetic, so that the edges are numpy's to the last bit.
    const double step = (hi - lo) / bins;
    h.edges.resize(static_cast<std::size_t>(bins) + 1);
    for (int i = 0; i < bins; ++i)
        h.edges[static_cast<std::size_t>(i)] = static_cast<double>(i) * step + lo;
    h.edges.back() = hi;
    h.counts.assign(static_cast<std::size_t>(bins), 0);
    return h;
}

void addToHistogram(Histogram& h, const double* values, std::int64_t n)
{
    const auto bins = static_cast<std::int64_t>(h.counts.size());
    if (bins == 0)
        return;
    const double lo = h.edges.front(), hi = h.edges.back();
    const double norm = static_cast<double>(bins) / (hi - lo);
    for (std::int64_t i = 0; i < n; ++i) {
        const double v = values[i];
        if (!std::isfinite(v) || v < lo || v > hi)
            continue;
        // numpy's _search_sorted-free path: the scaled index, then one step either way where
        // rounding put the value beside its bin.
        auto bin = std::min<std::int64_t>(static_cast<std::int64_t>((v - lo) * norm), bins - 1);
        if (v < h.edges[static_cast<std::size_t>(bin)])
            --bin;
        else if (bin != bins - 1 && v >= h.edges[static_cast<std::size_t>(bin) + 1])
            ++bin;
        ++h.counts[static_cast<std::size_t>(bin)];
    }
}

// The tensor as parts (each standing for `repeat` elements); one part of repeat 1 when it has none.
std::vector<std::pair<Tensor, std::int64_t>> partsOf(const Tensor& tensor)
{
    std::vector<std::pair<Tensor, std::int64_t>> parts;
    for (const RepeatedPart& p : tensor.data->repeatedParts()) {
        Tensor t;
        t.info.name = tensor.info.name;
        t.info.dtype = tensor.info.dtype;
        t.info.shape = p.elements->shape();
        t.data = p.elements;
        parts.emplace_back(std::move(t), p.repeat);
    }
    if (parts.empty())
        parts.emplace_back(tensor, 1);
    return parts;
}

TensorStats computeStats(const Tensor& tensor, const StatsOptions& options)
{
    // Work is bounded by the elements stored: a broadcast view or a dataset of fill values is
    // read as its distinct parts, each counted as often as it repeats.
    const auto parts = partsOf(tensor);
    std::int64_t stored = 0;
    for (const auto& [part, repeat] : parts)
        stored += std::max<std::int64_t>(part.info.numel(), 1);
    // One bin over [min, max] holds every finite value: the histogram then needs no second pass.
    const bool histogramPass = options.bins > 1;
    // Progress runs over the passes and all parts, in proportion to the elements each reads.
    double done = 0;
    auto share = [&](const Tensor& part) { // of all the reading, over every pass
        return std::max<std::int64_t>(part.info.numel(), 1) / static_cast<double>(stored);
    };
    auto span = [&](const Tensor& part) { return (histogramPass ? 0.5 : 1.0) * share(part); }; // of one pass

    if (countable(tensor.info.dtype)) {
        const std::size_t size = dtypeSize(tensor.info.dtype);
        const std::size_t tables = size == 1 ? std::size_t(kLanes) : 1;
        PatternCounts total(std::size_t(1) << (8 * size), 0);
        for (const auto& [part, repeat] : parts) {
            forEachChunkInParallel(
                part, options, done, share(part), PatternCounts(total.size() * tables, 0),
                [size](
                    PatternCounts& counts, const std::byte* p, std::int64_t n) { countPatterns(counts, p, n, size); },
                [&, repeat = repeat](const PatternCounts& counts) {
                    for (std::size_t i = 0; i < counts.size(); ++i)
                        total[i / tables] += counts[i] * static_cast<std::uint64_t>(repeat);
                });
            done += share(part);
        }
        return statsFromCounts(tensor.info.dtype, total, std::max(options.bins, 1));
    }

    Moments total;
    total.limits = limitsOf(tensor.info.dtype);
    for (const auto& [part, repeat] : parts) {
        Moments partMoments = total.zero();
        forEachBlock(
            part, options, done, span(part), total.zero(),
            [](Moments& m, const auto* v, std::int64_t n) { m.add(v, n); },
            [&](const Moments& m) { partMoments.merge(m); });
        total.merge(partMoments.repeated(repeat));
        done += span(part);
    }
    TensorStats s = finish(total);
    s.histogram = emptyHistogram(s.min, s.max, options.bins);
    if (s.finite == 0)
        return s;
    if (!histogramPass) {
        s.histogram.counts[0] = s.finite;
        return s;
    }
    const BinMapper mapper(s.histogram.edges.front(), s.histogram.edges.back(), options.bins, s.finite < s.count);
    for (const auto& [part, repeat] : parts) {
        std::vector<std::int64_t> partCounts(s.histogram.counts.size(), 0);
        forEachBlock(
            part, options, done, span(part), std::vector<std::int64_t>(mapper.countsSize(), 0),
            [&](std::vector<std::int64_t>& counts, const auto* v, std::int64_t n) { mapper.add(v, n, counts.data()); },
            [&](const std::vector<std::int64_t>& counts) { mapper.collect(counts, partCounts); });
        for (std::size_t b = 0; b < partCounts.size(); ++b)
            s.histogram.counts[b] += partCounts[b] * repeat;
        done += span(part);
    }
    return s;
}

TensorStats computeStats(const double* values, std::int64_t n, int bins)
{
    Moments m;
    for (std::int64_t first = 0; first < n; first += kChunkElements)
        m.add(values + first, std::min(kChunkElements, n - first));
    TensorStats s = finish(m);
    s.histogram = emptyHistogram(s.min, s.max, bins);
    if (s.finite > 0) {
        const BinMapper mapper(s.histogram.edges.front(), s.histogram.edges.back(), bins, s.finite < s.count);
        std::vector<std::int64_t> counts(mapper.countsSize(), 0);
        mapper.add(values, n, counts.data());
        mapper.collect(counts, s.histogram.counts);
    }
    return s;
}

} // namespace ckpt
