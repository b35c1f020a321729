#pragma once

#include "formats/FormatReader.h"

namespace ckpt {

// A PyTorch Distributed Checkpoint (torch.distributed.checkpoint, "DCP"), opened through its
// `.metadata` file or its folder: the pickled Metadata lists every tensor's dtype, size and
// chunks, and where each chunk lies (a file of the folder, an offset, a length); each chunk is
// a torch.save zip inside a `__<rank>_<n>.distcp` file. A tensor is put together from its
// chunks, each read when needed. Bytes items (pickled objects) are listed, not unpickled.
class DistributedCheckpointReader final : public FormatReader {
public:
    std::string_view name() const override { return "PyTorch Distributed Checkpoint"; }
    bool matches(const FileProbe& probe) const override;

protected:
    void read(const FileProbe& probe, Checkpoint& checkpoint) const override;
};

} // namespace ckpt
