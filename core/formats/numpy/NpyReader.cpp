#include "formats/numpy/NpyReader.h"

#include "base/CheckpointError.h"
#include "formats/numpy/NpyArray.h"
#include "formats/numpy/NpyHeader.h"

namespace ckpt {

bool NpyReader::matches(const FileProbe& probe) const
{
    return probe.startsWith(kNpyMagic);
}

Checkpoint NpyReader::open(const FileProbe& probe) const
{
    Checkpoint c;
    c.path = probe.path;
    c.format = std::string(name());
    try {
        auto file = std::make_shared<FileByteSource>(probe.path);
        appendNpyTensors(file, NpyPlacement { "array", "", "" }, c);
    } catch (const FormatError& e) {
        throw CheckpointError(probe.path, e.what());
    }
    return c;
}

} // namespace ckpt
