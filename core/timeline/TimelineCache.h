#pragma once

#include "tensor/Shape.h"
#include "timeline/Timeline.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ckpt {

// What one step of a run measured, as the cache keeps it: each tensor present at the step.
struct CachedStep {
    struct Line {
        std::string name;
        Shape shape;
        StepMetrics metrics;
    };
    std::vector<Line> lines;
};

// The timeline's per-step results on disk, in a folder of the caller's choosing (the app: its
// XDG cache folder; the CLI: $XDG_CACHE_HOME/ckptview). A step's results depend on its file
// and on every file before it (the previous step, the step each tensor first appeared at), so
// its key chains the keys of the files up to it: appending checkpoints to a run keeps the
// earlier steps cached, changing a file recomputes it and what follows. A file's key is its
// path, size, modification time and a hash of its first 64 KiB (a folder: of its files). The
// cache is only ever a shortcut: a missing, stale or damaged entry is a miss, and deleting the
// folder is safe.
class TimelineCache {
public:
    explicit TimelineCache(std::string folder);

    // The key of step s from the key of step s - 1 (0 for the first), its file and the selection.
    static std::uint64_t stepKey(
        std::uint64_t previous, const std::string& path, const std::vector<std::string>& select);

    std::optional<CachedStep> load(std::uint64_t key) const;
    void store(std::uint64_t key, const CachedStep& step) const; // best effort: failures are ignored

private:
    std::string entryPath(std::uint64_t key) const;
    std::string folder_;
};

// $XDG_CACHE_HOME/ckptview, else $HOME/.cache/ckptview; empty when neither is set.
std::string defaultCacheFolder();

} // namespace ckpt
