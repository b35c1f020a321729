#include "formats/hdf5/Hdf5FilterPlugins.h"

#include <H5PLextern.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace ckpt::hdf5 {

namespace {

struct KnownFilter {
    H5Z_filter_t id;
    const char* name;
    const char* package;
};

// Registered ids (https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md)
// and the Debian 12 package that installs a plugin for them.
constexpr KnownFilter kKnownFilters[] = {
    { 1, "deflate", "" },
    { 2, "shuffle", "" },
    { 3, "fletcher32", "" },
    { 4, "szip", "" },
    { 5, "nbit", "" },
    { 6, "scaleoffset", "" },
    { 307, "bzip2", "" },
    { 32000, "lzf", "hdf5-plugin-lzf" },
    { 32001, "blosc", "hdf5-filter-plugin-blosc-serial" },
    { 32004, "lz4", "" },
    { 32008, "bitshuffle", "" },
    { 32013, "zfp", "hdf5-filter-plugin-zfp-serial" },
    { 32015, "zstd", "" },
    { 32017, "sz", "" },
    { 32026, "blosc2", "" },
};

const KnownFilter* known(H5Z_filter_t id)
{
    for (const auto& f : kKnownFilters)
        if (f.id == id)
            return &f;
    return nullptr;
}

std::vector<std::filesystem::path> pluginFolders()
{
    std::vector<std::filesystem::path> folders;
    if (const char* env = std::getenv("HDF5_PLUGIN_PATH"); env && *env) {
        std::string list = env;
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t end = std::min(list.find(':', start), list.size());
            if (end > start)
                folders.emplace_back(list.substr(start, end - start));
            start = end + 1;
        }
    } else {
        folders.emplace_back(CKPT_HDF5_PLUGIN_DIR);
    }
    return folders;
}

using PluginType = H5PL_type_t (*)();
using PluginInfo = const void* (*)();

// Loads every plugin library once and maps the filter ids they provide (the first one wins, in
// folder order, as libhdf5 does). The libraries stay loaded for the life of the process.
std::map<H5Z_filter_t, const H5Z_class2_t*> loadPlugins()
{
    std::map<H5Z_filter_t, const H5Z_class2_t*> filters;
    for (const auto& folder : pluginFolders()) {
        std::error_code ec;
        std::vector<std::filesystem::path> libraries;
        for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
            if (entry.path().extension() == ".so")
                libraries.push_back(entry.path());
        std::sort(libraries.begin(), libraries.end());
        for (const auto& library : libraries) {
            void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!handle)
                continue;
            auto type = reinterpret_cast<PluginType>(dlsym(handle, "H5PLget_plugin_type"));
            auto info = reinterpret_cast<PluginInfo>(dlsym(handle, "H5PLget_plugin_info"));
            const auto* filter
                = type && info && type() == H5PL_TYPE_FILTER ? static_cast<const H5Z_class2_t*>(info()) : nullptr;
            if (filter && filter->version == H5Z_CLASS_T_VERS && filter->filter)
                filters.emplace(filter->id, filter);
            else
                dlclose(handle);
        }
    }
    return filters;
}

} // namespace

const H5Z_class2_t* filterPlugin(H5Z_filter_t id)
{
    static const auto filters = loadPlugins();
    const auto it = filters.find(id);
    return it == filters.end() ? nullptr : it->second;
}

std::string knownFilterName(H5Z_filter_t id)
{
    const KnownFilter* f = known(id);
    return f ? f->name : "";
}

std::string filterPackageHint(H5Z_filter_t id)
{
    const KnownFilter* f = known(id);
    return f && *f->package ? std::string(" (Debian package ") + f->package + ")" : "";
}

void disableLibhdf5Plugins()
{
    static std::once_flag once;
    std::call_once(once, [] { H5PLset_loading_state(0); });
}

} // namespace ckpt::hdf5
