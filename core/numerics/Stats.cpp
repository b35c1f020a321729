#include "numerics/Stats.h"

#include "numerics/Convert.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

namespace ckpt {

namespace {

constexpr std::int64_t kChunkElements = 1 << 20;

// Moments of one chunk of finite values, merged with Chan et al.'s parallel formula.
struct Moments {
    std::int64_t count = 0, finite = 0, nan = 0, posInf = 0, negInf = 0, zeros = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double mean = 0, m2 = 0;

    void add(const double* v, std::int64_t n)
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
            }
        }
        if (f == 0)
            return;
        const double chunkMean = sum / static_cast<double>(f);
        double chunkM2 = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            if (std::isfinite(v[i])) {
                const double d = v[i] - chunkMean;
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

    void merge(const Moments& o)
    {
        count += o.count;
        nan += o.nan;
        posInf += o.posInf;
        negInf += o.negInf;
        zeros += o.zeros;
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
    BinMapper(double l, double h, int b)
        : lo(l), hi(h), bins(b), scale(static_cast<double>(b) / (h - l))
    {
    }
    void add(const double* v, std::int64_t n, std::int64_t* counts) const
    {
        for (std::int64_t i = 0; i < n; ++i) {
            const double x = v[i];
            if (!std::isfinite(x))
                continue;
            auto b = static_cast<std::int64_t>((x - lo) * scale);
            b = std::clamp<std::int64_t>(b, 0, bins - 1);
            ++counts[b];
        }
    }
};

// Runs body(firstElement, count, values) over the tensor in chunks, on several threads.
template <typename Body>
void forEachChunk(const Tensor& tensor, const StatsOptions& options, double progressBase,
                  double progressSpan, Body body)
{
    const std::int64_t n = tensor.info.numel();
    const std::int64_t chunks = (n + kChunkElements - 1) / kChunkElements;
    const int threads = static_cast<int>(std::clamp<std::int64_t>(
        options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency()), 1,
        std::max<std::int64_t>(chunks, 1)));
    std::atomic<std::int64_t> next{0}, done{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex errorMutex;
    auto worker = [&](int id) {
        const auto elem = static_cast<std::int64_t>(dtypeSize(tensor.info.dtype));
        std::vector<std::byte> raw(static_cast<std::size_t>(std::min(n, kChunkElements) * elem));
        std::vector<double> values(static_cast<std::size_t>(std::min(n, kChunkElements)));
        try {
            for (std::int64_t c; (c = next.fetch_add(1)) < chunks;) {
                if (failed || (options.cancel && options.cancel->load()))
                    return;
                const std::int64_t first = c * kChunkElements;
                const std::int64_t count = std::min(kChunkElements, n - first);
                tensor.data->readFlat(first, count, raw.data());
                convertToDouble(tensor.info.dtype, raw.data(), count, values.data());
                body(values.data(), count);
                const auto finished = ++done;
                if (id == 0 && options.progress) // progress is reported on the calling thread only
                    options.progress(progressBase + progressSpan * static_cast<double>(finished) / static_cast<double>(chunks));
            }
        } catch (...) {
            std::lock_guard lock(errorMutex);
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

Histogram makeHistogram(double lo, double hi, int bins)
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
    h.edges.resize(static_cast<std::size_t>(bins) + 1);
    for (int i = 0; i <= bins; ++i)
        h.edges[static_cast<std::size_t>(i)] = lo + (hi - lo) * static_cast<double>(i) / bins;
    h.counts.assign(static_cast<std::size_t>(bins), 0);
    return h;
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
    const double nan = std::numeric_limits<double>::quiet_NaN();
    s.min = m.finite ? m.min : nan;
    s.max = m.finite ? m.max : nan;
    s.mean = m.finite ? m.mean : nan;
    s.std = m.finite ? std::sqrt(m.m2 / static_cast<double>(m.finite)) : nan;
    return s;
}

} // namespace

TensorStats computeStats(const Tensor& tensor, const StatsOptions& options)
{
    Moments total;
    std::mutex mutex;
    // Merging happens once per chunk of 1M elements, so a mutex costs nothing.
    forEachChunk(tensor, options, 0.0, 0.5, [&](const double* v, std::int64_t n) {
        Moments m;
        m.add(v, n);
        std::lock_guard lock(mutex);
        total.merge(m);
    });
    TensorStats s = finish(total);
    s.histogram = makeHistogram(s.min, s.max, options.bins);
    if (s.finite == 0)
        return s;
    const BinMapper mapper(s.histogram.edges.front(), s.histogram.edges.back(), options.bins);
    forEachChunk(tensor, options, 0.5, 0.5, [&](const double* v, std::int64_t n) {
        std::vector<std::int64_t> local(static_cast<std::size_t>(mapper.bins), 0);
        mapper.add(v, n, local.data());
        std::lock_guard lock(mutex);
        for (std::size_t i = 0; i < local.size(); ++i)
            s.histogram.counts[i] += local[i];
    });
    return s;
}

TensorStats computeStats(const double* values, std::int64_t n, int bins)
{
    Moments m;
    for (std::int64_t first = 0; first < n; first += kChunkElements)
        m.add(values + first, std::min(kChunkElements, n - first));
    TensorStats s = finish(m);
    s.histogram = makeHistogram(s.min, s.max, bins);
    if (s.finite > 0) {
        const BinMapper mapper(s.histogram.edges.front(), s.histogram.edges.back(), bins);
        mapper.add(values, n, s.histogram.counts.data());
    }
    return s;
}

} // namespace ckpt
