#pragma once

#include <string>

namespace ckpt {

// The one rule for every file a checkpoint names besides itself (safetensors shards, TF data
// shards, ONNX external data, HDF5 external storage and virtual-dataset sources): the name is
// relative, resolves from the checkpoint's folder, and — symlinks followed — stays inside that
// folder's tree and is a regular file. A Hugging Face cache snapshot
// (models--org--name/snapshots/REV/file -> ../../blobs/HASH) counts as inside: its tree is the
// model's cache folder, models--org--name.
//
// Returns the path to open (the folder joined with `name`), or throws FormatError whose text
// starts with `what` ("shard 'x.safetensors'") and says why: "is an absolute path", "leaves the
// checkpoint's folder", "leaves the checkpoint's folder through a link", "is not a regular
// file", "is missing".
std::string containedPath(const std::string& checkpointPath, const std::string& name, const std::string& what);

// The folder tree files named by the checkpoint at `checkpointPath` must stay in (see above).
std::string containingTree(const std::string& checkpointPath);

} // namespace ckpt
