#pragma once

#include <stdexcept>
#include <string>

namespace ckpt {

// A file could not be read or written; what() is "FILE: reason".
class CheckpointError : public std::runtime_error {
public:
    CheckpointError(std::string file, std::string reason)
        : std::runtime_error(file.empty() ? reason : file + ": " + reason)
        , file_(std::move(file))
        , reason_(std::move(reason))
    {
    }
    const std::string& file() const { return file_; }
    const std::string& reason() const { return reason_; }

private:
    std::string file_;
    std::string reason_;
};

// A problem with the bytes of a file, raised by parsers that do not know the file name;
// readers rethrow it as a CheckpointError naming the file.
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace ckpt
