#pragma once

#include <string>

namespace ckpt {

// One thing the doctor found about one tensor, with the evidence, in words for people.
struct Finding {
    // "nan", "inf", "all-zero", "constant", "duplicate", "beyond-float16", "running-var",
    // "denormal", "unreadable"; against a reference also "same-as-reference", "missing-key",
    // "unexpected-key", "size-mismatch".
    std::string kind;
    std::string tensor; // its name in the file (in the reference for a missing key)
    std::string evidence;
};

} // namespace ckpt
