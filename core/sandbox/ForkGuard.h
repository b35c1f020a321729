#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ckpt {

// What a guarded child may spend before it is stopped.
struct ChildLimits {
    std::chrono::milliseconds deadline;
    std::uint64_t memoryBytes; // resident memory beyond what the process held when it forked
};

struct ChildOutcome {
    // Why the child did not finish: "crashed (signal 11, Segmentation fault)",
    // "did not finish within 20 s", "needed more than 512 MiB of memory".
    std::optional<std::string> failure;
    // What the work returned in the child (its error message; empty when it succeeded).
    std::string report;
};

// Runs a third-party parser over untrusted input in a forked child first, so that a crash, a
// hang or a runaway allocation inside the library (libhdf5 has all three on corrupt files)
// becomes an error instead of taking the application down. Only the child's report comes
// back: when the child finished without one, the caller repeats the same deterministic work
// in-process, now known to stay within the limits.
//
// A child that spends a second asleep without using CPU, or spinning in the kernel, is taken to be
// blocked on a lock copied at the fork from another thread and is forked again, up to three
// times in all; so is a first attempt still running after 4 s, a second after 8 s (under load a
// spinning child looks busy). The last attempt runs to the deadline.
//
// When the process cannot fork, nothing is reported and the caller does the work unguarded.
// The caller must hold any lock that keeps other threads out of the library while forking.
ChildOutcome runInForkedChild(const std::function<std::string()>& work, const ChildLimits& limits);

// The deadline used for reading HDF5 metadata (default 20 s; the fuzz targets lower it).
std::chrono::milliseconds& forkGuardDeadline();

} // namespace ckpt
