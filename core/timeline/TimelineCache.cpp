#include "timeline/TimelineCache.h"

#include "base/BoundedJson.h"
#include "output/AtomicOutput.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace ckpt {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
constexpr std::size_t kHeaderBytes = 64 << 10;
constexpr std::uintmax_t kMaxEntryBytes = std::uintmax_t(64) << 20;
constexpr int kFormat = 1; // bump when the metrics or their meaning change

std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t n)
{
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * kFnvPrime;
    return h;
}

std::uint64_t fnv(std::uint64_t h, const std::string& s)
{
    return fnv(fnv(h, s.data(), s.size()), "\0", 1);
}

template <typename T> std::uint64_t fnvValue(std::uint64_t h, T v)
{
    return fnv(h, &v, sizeof v);
}

// Path, size, modification time and the first 64 KiB of a regular file.
std::uint64_t fileKey(std::uint64_t h, const fs::path& path)
{
    std::error_code ec;
    h = fnv(h, path.string());
    h = fnvValue(h, fs::file_size(path, ec));
    h = fnvValue(h, fs::last_write_time(path, ec).time_since_epoch().count());
    std::ifstream in(path, std::ios::binary);
    std::string head(kHeaderBytes, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    return fnv(h, head.data(), std::size_t(std::max<std::streamsize>(in.gcount(), 0)));
}

// A checkpoint folder (a Hugging Face checkpoint-500/): the keys of its files, in name order.
std::uint64_t memberKey(std::uint64_t h, const std::string& path)
{
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    if (!fs::is_directory(absolute, ec))
        return fileKey(h, absolute);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(absolute, ec))
        if (entry.is_regular_file(ec) && files.size() < 10000)
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
        h = fileKey(h, f);
    return h;
}

nlohmann::json number(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

double numberOf(const nlohmann::ordered_json& j)
{
    return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

nlohmann::json metricsJson(const StepMetrics& m)
{
    return nlohmann::json::array({ m.count, number(m.l2), number(m.mean), number(m.std), number(m.min), number(m.max),
        number(m.maxAbs), number(m.zeroFraction), m.nan, m.inf, number(m.changePrevious), number(m.changeFirst),
        number(m.cosinePrevious), number(m.cosineFirst) });
}

StepMetrics metricsFrom(const nlohmann::ordered_json& j)
{
    if (!j.is_array() || j.size() != 14)
        throw std::runtime_error("bad metrics");
    StepMetrics m;
    m.present = true;
    m.count = j[0].get<std::int64_t>();
    double* doubles[] = { &m.l2, &m.mean, &m.std, &m.min, &m.max, &m.maxAbs, &m.zeroFraction };
    for (std::size_t i = 0; i < 7; ++i)
        *doubles[i] = numberOf(j[1 + i]);
    m.nan = j[8].get<std::int64_t>();
    m.inf = j[9].get<std::int64_t>();
    m.changePrevious = numberOf(j[10]);
    m.changeFirst = numberOf(j[11]);
    m.cosinePrevious = numberOf(j[12]);
    m.cosineFirst = numberOf(j[13]);
    return m;
}

} // namespace

TimelineCache::TimelineCache(std::string folder)
    : folder_(std::move(folder))
{
}

std::uint64_t TimelineCache::stepKey(
    std::uint64_t previous, const std::string& path, const std::vector<std::string>& select)
{
    std::uint64_t h = fnvValue(previous == 0 ? kFnvOffset : previous, kFormat);
    for (const auto& glob : select)
        h = fnv(h, glob);
    return memberKey(h, path);
}

std::string TimelineCache::entryPath(std::uint64_t key) const
{
    char name[40];
    std::snprintf(name, sizeof name, "%016llx.json", static_cast<unsigned long long>(key));
    return (fs::path(folder_) / "timeline" / name).string();
}

std::optional<CachedStep> TimelineCache::load(std::uint64_t key) const
{
    if (folder_.empty())
        return std::nullopt;
    try {
        const std::string path = entryPath(key);
        std::error_code ec;
        if (fs::file_size(path, ec) > kMaxEntryBytes || ec)
            return std::nullopt;
        std::ifstream in(path, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        const nlohmann::ordered_json j = parseBoundedJson(text.str());
        if (j.is_discarded())
            return std::nullopt;
        CachedStep step;
        for (const auto& line : j.at("lines"))
            step.lines.push_back({ line.at(0).get<std::string>(), line.at(1).get<Shape>(), metricsFrom(line.at(2)) });
        return step;
    } catch (const std::exception&) {
        return std::nullopt; // damaged or from another version: computed again
    }
}

void TimelineCache::store(std::uint64_t key, const CachedStep& step) const
{
    if (folder_.empty())
        return;
    try {
        nlohmann::json lines = nlohmann::json::array();
        for (const auto& line : step.lines)
            lines.push_back({ line.name, line.shape, metricsJson(line.metrics) });
        std::error_code ec;
        fs::create_directories(fs::path(folder_) / "timeline", ec);
        AtomicOutput out(entryPath(key), true);
        {
            std::ofstream file(out.tempPath(), std::ios::binary | std::ios::trunc);
            file << nlohmann::json { { "lines", lines } }.dump();
            if (!file)
                return;
        }
        out.commit();
    } catch (const std::exception&) {
        // a cache that cannot be written is no cache
    }
}

std::string defaultCacheFolder()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
        return (fs::path(xdg) / "ckptview").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "ckptview").string();
    return {};
}

} // namespace ckpt
