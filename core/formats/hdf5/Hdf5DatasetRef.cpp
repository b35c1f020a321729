#include "formats/hdf5/Hdf5DatasetRef.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5ExternalSources.h"

namespace ckpt::hdf5 {

Handle DatasetRef::open(const std::string& displayPath) const
{
    Handle access(datasetAccessFor(checkpointPath));
    Handle dataset(H5Dopen2(file->get(), path.c_str(), access.get()));
    if (!dataset)
        throw CheckpointError(displayPath, "dataset " + path + ": cannot open it: " + lastError());
    return dataset;
}

} // namespace ckpt::hdf5
