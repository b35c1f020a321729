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

void SafetensorsReader::read(const FileProbe& probe, Checkpoint& c) const
{
    appendSafetensors(std::make_shared<FileByteSource>(probe.path), c);
}

} // namespace ckpt
