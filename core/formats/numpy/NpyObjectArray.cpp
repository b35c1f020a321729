#include "formats/numpy/NpyObjectArray.h"

#include "tensor/CheckpointError.h"

namespace ckpt {

void appendPickledObjectArray(const std::shared_ptr<const ByteSource>&, const NpyHeader&,
                              const NpyPlacement&, Checkpoint&)
{
    throw FormatError("pickled object arrays (descr '|O', np.save of a dict or list with allow_pickle) are not supported yet");
}

} // namespace ckpt
