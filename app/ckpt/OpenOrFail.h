#pragma once

#include "base/CheckpointError.h"
#include "open/ReaderRegistry.h"

#include <string>

// Opens a checkpoint; any failure becomes a CheckpointError naming the file (exit code 3).
inline ckpt::Checkpoint openOrFail(const std::string& path)
{
    try {
        return ckpt::openCheckpoint(path);
    } catch (const ckpt::CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw ckpt::CheckpointError(path, e.what());
    }
}

// Finds a tensor by its full name or fails naming the file.
inline const ckpt::Tensor& tensorOrFail(const ckpt::Checkpoint& c, const std::string& name)
{
    if (const auto* t = c.find(name))
        return *t;
    throw ckpt::CheckpointError(c.path, "no tensor named '" + name + "'");
}
