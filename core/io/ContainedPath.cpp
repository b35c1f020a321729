#include "io/ContainedPath.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>

namespace ckpt {

namespace fs = std::filesystem;

namespace {

fs::path folderOf(const std::string& checkpointPath)
{
    const fs::path dir = fs::path(checkpointPath).parent_path();
    return dir.empty() ? fs::path(".") : dir;
}

bool isInside(const fs::path& tree, const fs::path& file)
{
    const auto [t, f] = std::mismatch(tree.begin(), tree.end(), file.begin(), file.end());
    return t == tree.end() || (std::next(t) == tree.end() && t->empty()); // "a/b/" has an empty last part
}

} // namespace

std::string containingTree(const std::string& checkpointPath)
{
    const fs::path dir = folderOf(checkpointPath);
    // A Hugging Face hub cache: models--org--name/snapshots/REV/ holds links into ../../blobs.
    const fs::path snapshots = fs::absolute(dir).lexically_normal().parent_path();
    if (snapshots.filename() == "snapshots"
        && snapshots.parent_path().filename().string().find("--") != std::string::npos)
        return snapshots.parent_path().string();
    return dir.string();
}

std::string containedPath(const std::string& checkpointPath, const std::string& name, const std::string& what)
{
    if (name.empty())
        throw FormatError(what + " has an empty file name");
    const fs::path rel(name);
    if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
        throw FormatError(what + " is an absolute path; only files in the checkpoint's folder are read");
    for (const auto& part : rel)
        if (part == "..")
            throw FormatError(what + " leaves the checkpoint's folder");
    const fs::path full = folderOf(checkpointPath) / rel;
    std::error_code ec;
    const fs::path tree = fs::weakly_canonical(containingTree(checkpointPath), ec);
    const fs::path target = ec ? fs::path() : fs::weakly_canonical(full, ec);
    if (ec || !isInside(tree, target))
        throw FormatError(what + " leaves the checkpoint's folder through a link");
    struct stat st { };
    if (::stat(full.c_str(), &st) != 0)
        throw FormatError(what + " is missing (looked for " + full.string() + ")");
    if (!S_ISREG(st.st_mode))
        throw FormatError(what + " is not a regular file");
    return full.string();
}

} // namespace ckpt
