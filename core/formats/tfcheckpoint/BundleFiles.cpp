#include "formats/tfcheckpoint/BundleFiles.h"

#include <cstdio>
#include <filesystem>
#include <regex>

namespace ckpt {

namespace {
const std::string kIndexSuffix = ".index";

bool isFile(const std::string& path)
{
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}
} // namespace

std::string bundlePrefix(const std::string& indexPath)
{
    if (indexPath.size() > kIndexSuffix.size()
        && indexPath.compare(indexPath.size() - kIndexSuffix.size(), kIndexSuffix.size(), kIndexSuffix) == 0)
        return indexPath.substr(0, indexPath.size() - kIndexSuffix.size());
    return indexPath;
}

std::string bundleShardPath(const std::string& prefix, int shard, int numShards)
{
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, ".data-%05d-of-%05d", shard, numShards);
    return prefix + suffix;
}

std::optional<std::string> bundleIndexFor(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && isFile(path + kIndexSuffix))
        return path + kIndexSuffix;
    static const std::regex shard(R"((.+)\.data-\d{5}-of-\d{5})");
    if (std::smatch m; std::regex_match(path, m, shard) && isFile(m[1].str() + kIndexSuffix))
        return m[1].str() + kIndexSuffix;
    return std::nullopt;
}

} // namespace ckpt
