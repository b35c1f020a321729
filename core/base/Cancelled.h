#pragma once

#include <stdexcept>

namespace ckpt {

// Thrown by long operations (statistics, export, comparison) when their cancel flag is set.
class Cancelled : public std::runtime_error {
public:
    Cancelled()
        : std::runtime_error("cancelled")
    {
    }
};

} // namespace ckpt
