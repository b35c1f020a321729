#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace ckpt {

// Runs a third-party parser over untrusted input in a forked child first, so that a crash or
// a hang inside the library (libhdf5 has known crashes on corrupt files) becomes an error
// instead of taking the application down. The child's result is discarded: when the child
// survives, the caller repeats the same deterministic work in-process.
//
// Returns nothing when the child finished (normally or by throwing), or the reason it did not:
// "crashed (signal 11, Segmentation fault)", "did not finish within 20 s".
// The caller must hold any lock that keeps other threads out of the library while forking.
std::optional<std::string> failureInForkedChild(const std::function<void()>& work, std::chrono::milliseconds deadline);

// The deadline used for reading HDF5 metadata (default 20 s; the fuzz targets lower it).
std::chrono::milliseconds& forkGuardDeadline();

} // namespace ckpt
