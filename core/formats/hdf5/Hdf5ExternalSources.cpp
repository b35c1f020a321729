#include "formats/hdf5/Hdf5ExternalSources.h"

#include "base/CheckpointError.h"
#include "io/ContainedPath.h"

#include <filesystem>
#include <vector>

namespace ckpt::hdf5 {

namespace {

// "" when `file` may be read, else the reason.
std::string refusal(const std::string& file, const std::string& what, const std::string& checkpointPath, bool inArchive)
{
    if (inArchive)
        return what + " is outside the archive; files outside an archive are never read";
    try {
        (void)containedPath(checkpointPath, file, what);
    } catch (const FormatError& e) {
        return e.what();
    }
    return {};
}

std::vector<std::string> externalFiles(hid_t dcpl)
{
    std::vector<std::string> files;
    const int count = H5Pget_external_count(dcpl);
    for (int i = 0; i < count; ++i) {
        std::vector<char> name(4097, '\0');
        off_t offset = 0;
        hsize_t size = 0;
        if (H5Pget_external(dcpl, static_cast<unsigned>(i), name.size(), name.data(), &offset, &size) < 0)
            files.emplace_back("<unreadable name>");
        else
            files.emplace_back(name.data());
    }
    return files;
}

std::vector<std::string> virtualSourceFiles(hid_t dcpl)
{
    std::vector<std::string> files;
    size_t count = 0;
    if (H5Pget_virtual_count(dcpl, &count) < 0)
        return { "<unreadable mapping>" };
    for (size_t i = 0; i < count; ++i) {
        const ssize_t length = H5Pget_virtual_filename(dcpl, i, nullptr, 0);
        if (length < 0) {
            files.emplace_back("<unreadable name>");
            continue;
        }
        std::string name(static_cast<size_t>(length) + 1, '\0');
        H5Pget_virtual_filename(dcpl, i, name.data(), name.size());
        name.resize(static_cast<size_t>(length));
        files.push_back(std::move(name));
    }
    return files;
}

} // namespace

std::string refusedSources(
    hid_t dcpl, const std::string& checkpointPath, bool inArchive, const std::string& datasetPath)
{
    const H5D_layout_t layout = H5Pget_layout(dcpl);
    if (layout == H5D_CONTIGUOUS) {
        for (const auto& file : externalFiles(dcpl))
            if (auto why
                = refusal(file, "dataset " + datasetPath + ": external file '" + file + "'", checkpointPath, inArchive);
                !why.empty())
                return why;
    } else if (layout == H5D_VIRTUAL) {
        for (const auto& file : virtualSourceFiles(dcpl)) {
            if (file == ".")
                continue; // a source in the same file
            if (auto why = refusal(file, "dataset " + datasetPath + ": virtual-dataset source '" + file + "'",
                    checkpointPath, inArchive);
                !why.empty())
                return why;
        }
    }
    return {};
}

hid_t datasetAccessFor(const std::string& checkpointPath)
{
    const hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    std::string folder = std::filesystem::path(checkpointPath).parent_path().string();
    if (folder.empty())
        folder = ".";
    H5Pset_efile_prefix(dapl, folder.c_str());
    H5Pset_virtual_prefix(dapl, folder.c_str());
    return dapl;
}

} // namespace ckpt::hdf5
