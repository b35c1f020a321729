#include "formats/FormatReader.h"

#include "base/CheckpointError.h"

namespace ckpt {

Checkpoint FormatReader::open(const FileProbe& probe) const
{
    Checkpoint c;
    c.path = probe.path;
    c.format = std::string(name());
    try {
        read(probe, c);
    } catch (const CheckpointError&) {
        throw;
    } catch (const FormatError& e) {
        throw CheckpointError(probe.path, e.what());
    } catch (const std::exception& e) {
        // Not a fault the reader anticipated (a library's own exception): say whose it was.
        throw CheckpointError(probe.path, std::string(name()) + ": " + e.what());
    }
    return c;
}

} // namespace ckpt
