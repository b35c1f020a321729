#pragma once

#include <string>
#include <vector>

namespace ckpt {

// An output file written safely: everything goes to a temporary file beside the target,
// which replaces the target only on commit(). Until then (and on any error) the target is
// untouched and the temporary file is removed by the destructor.
class AtomicOutput {
public:
    // Throws CheckpointError if target exists and !overwrite, or if target is one of `sources`.
    AtomicOutput(std::string target, bool overwrite, const std::vector<std::string>& sources = {});
    ~AtomicOutput();
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    const std::string& target() const { return target_; }
    const std::string& tempPath() const { return temp_; }
    void commit(); // flushes the temporary file to disk and renames it over the target

private:
    std::string target_;
    std::string temp_;
    bool committed_ = false;
};

// True when both paths name the same existing file (same device and inode).
bool isSameFile(const std::string& a, const std::string& b);

} // namespace ckpt
