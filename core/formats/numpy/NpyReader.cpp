#include "formats/numpy/NpyReader.h"

#include "base/CheckpointError.h"
#include "formats/numpy/NpyArray.h"
#include "formats/numpy/NpyHeader.h"

namespace ckpt {

bool NpyReader::matches(const FileProbe& probe) const
{
    return probe.startsWith(kNpyMagic);
}

void NpyReader::read(const FileProbe& probe, Checkpoint& c) const
{
    auto file = std::make_shared<FileByteSource>(probe.path);
    appendNpyTensors(file, NpyPlacement { "array", "", "" }, c);
}

} // namespace ckpt
