#include "report/About.h"

#include <hdf5.h>
#include <libdeflate.h>
#include <lz4.h>
#include <nlohmann/json.hpp>
#include <snappy-stubs-public.h>
#include <zip.h>
#include <zstd.h>

#include <Eigen/Core>

namespace ckpt {

std::string versionString()
{
    return CKPT_VERSION;
}

std::vector<std::pair<std::string, std::string>> libraryVersions()
{
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    auto dotted
        = [](auto a, auto b, auto c) { return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c); };
    return {
        { "HDF5", dotted(major, minor, release) },
        { "libzip", zip_libzip_version() },
        { "libdeflate", LIBDEFLATE_VERSION_STRING },
        { "zstd", ZSTD_versionString() },
        { "LZ4", LZ4_versionString() },
        { "Snappy", dotted(SNAPPY_MAJOR, SNAPPY_MINOR, SNAPPY_PATCHLEVEL) },
        { "Eigen", dotted(EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION) },
        { "nlohmann-json",
            dotted(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH) },
    };
}

std::string versionText(const std::string& program)
{
    std::string text = program + " " + versionString() + "\n";
    for (const auto& [name, version] : libraryVersions())
        text += "  " + name + " " + version + "\n";
    return text;
}

} // namespace ckpt
