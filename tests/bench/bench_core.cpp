// In-process timings of the core (no process start-up): opening checkpoints, reading a 100 x 100
// window, statistics + histogram. Prints one line per measurement; tests/bench/run.sh calls it.
//   bench_core open FILE...        best of 5 openCheckpoint() calls
//   bench_core window FILE NAME    100 x 100 windows at 20 positions of a 2-D tensor
//   bench_core stats FILE NAME     computeStats with 256 bins, best of 3
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

using namespace ckpt;

namespace {

double seconds(const std::function<void()>& f)
{
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double best(int runs, const std::function<void()>& f)
{
    double b = 1e300;
    for (int i = 0; i < runs; ++i)
        b = std::min(b, seconds(f));
    return b;
}

const Tensor& find(const Checkpoint& c, const std::string& name)
{
    if (const Tensor* t = c.find(name))
        return *t;
    throw std::runtime_error("no tensor " + name + " in " + c.path);
}

} // namespace

int main(int argc, char** argv)
{
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_core open FILE... | window FILE NAME | stats FILE NAME\n");
        return 2;
    }
    try {
        if (args[0] == "open") {
            for (std::size_t i = 1; i < args.size(); ++i) {
                std::size_t tensors = 0;
                const double t = best(5, [&] { tensors = openCheckpoint(args[i]).tensors.size(); });
                std::printf("open %s: %zu tensors in %.2f ms\n", args[i].c_str(), tensors, t * 1e3);
            }
        } else if (args[0] == "window" && args.size() == 3) {
            const Checkpoint c = openCheckpoint(args[1]);
            const Tensor& t = find(c, args[2]);
            const std::int64_t rows = t.info.shape.at(0), cols = t.info.shape.at(1);
            std::vector<double> times;
            for (int i = 0; i < 20; ++i) {
                const std::int64_t r = (rows - 100) * i / 19, col = (cols - 100) * ((i * 7) % 20) / 19;
                times.push_back(seconds([&] { readBox(t, { r, col }, { 100, 100 }); }));
            }
            std::sort(times.begin(), times.end());
            std::printf("window 100x100 of %lldx%lld: median %.3f ms, worst %.3f ms (one read each, 20 positions)\n",
                static_cast<long long>(rows), static_cast<long long>(cols), times[10] * 1e3, times.back() * 1e3);
        } else if (args[0] == "stats" && args.size() == 3) {
            const Checkpoint c = openCheckpoint(args[1]);
            const Tensor& t = find(c, args[2]);
            TensorStats s;
            const double time = best(3, [&] { s = computeStats(t); });
            const double gb = double(t.info.numel() * std::int64_t(dtypeSize(t.info.dtype))) / 1e9;
            std::printf("stats %s (%s, %lld elements): %.1f ms, %.2f GB/s, %.0f Melem/s\n", args[1].c_str(),
                std::string(dtypeName(t.info.dtype)).c_str(), static_cast<long long>(t.info.numel()), time * 1e3,
                gb / time, double(t.info.numel()) / time / 1e6);
        } else {
            std::fprintf(stderr, "unknown command %s\n", args[0].c_str());
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
