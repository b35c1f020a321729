#pragma once

#include "formats/hdf5/Hdf5Handle.h"

#include <memory>
#include <string>

namespace ckpt::hdf5 {

// Where a dataset is, to open it when its data is read: an open dataset costs libhdf5 tens of
// kilobytes (its property lists, its chunk cache), so a file of 30 000 datasets kept open took
// gigabytes. Opened with the access list that resolves external files from the checkpoint's
// folder (Hdf5ExternalSources.h).
struct DatasetRef {
    std::shared_ptr<Handle> file;
    std::string path; // "/dense/kernel"
    std::string checkpointPath; // the file on disk whose folder external files resolve from

    // Call with hdf5::mutex() held. Throws CheckpointError naming the dataset.
    Handle open(const std::string& displayPath) const;
};

} // namespace ckpt::hdf5
