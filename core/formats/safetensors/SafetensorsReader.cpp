#include "formats/safetensors/SafetensorsReader.h"

#include "base/CheckpointError.h"
#include "formats/safetensors/SafetensorsHeader.h"

namespace ckpt {

bool SafetensorsReader::matches(const FileProbe& probe) const
{
    // Header length (little-endian u64, far below 2^40) then the JSON object's '{'.
    if (probe.head.size() < 9)
        return probe.head.size() >= 8 && probe.head[5] == 0 && probe.head[6] == 0 && probe.head[7] == 0;
    return probe.head[6] == 0 && probe.head[7] == 0 && probe.head[8] == '{';
}

Checkpoint SafetensorsReader::open(const FileProbe& probe) const
{
    Checkpoint c;
    c.path = probe.path;
    c.format = std::string(name());
    try {
        appendSafetensors(std::make_shared<FileByteSource>(probe.path), c);
    } catch (const FormatError& e) {
        throw CheckpointError(probe.path, e.what());
    }
    return c;
}

} // namespace ckpt
