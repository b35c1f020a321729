#pragma once

#include <hdf5.h>

#include <string>

namespace ckpt::hdf5 {

// An HDF5 dataset may keep its bytes in other files: external storage (H5Pset_external) or the
// sources of a virtual dataset. Those files follow the rule of every reader (io/ContainedPath.h):
// relative, inside the checkpoint's folder tree, regular files. A file opened from memory (the
// weights inside a .keras archive) has no folder: there, any other file is refused.
//
// Returns why the dataset's data is refused, naming the dataset and the file
// ("dataset /w: external file '/etc/passwd' is an absolute path; ..."), or "" when it may be read.
std::string refusedSources(
    hid_t dcpl, const std::string& checkpointPath, bool inArchive, const std::string& datasetPath);

// A dataset access property list that resolves external files and virtual-dataset sources from
// the checkpoint's folder instead of the current directory. The caller closes it.
hid_t datasetAccessFor(const std::string& checkpointPath);

} // namespace ckpt::hdf5
