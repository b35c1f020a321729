#pragma once

#include <string>
#include <string_view>

namespace ckpt {

// What importing or calling a pickled global would do in Python.
enum class Risk {
    Safe, // allowed by the safe loaders: torch.load(weights_only=True)'s table of tensor
          // rebuilders, storages, dtypes and containers, and numpy's array reconstruction
    Unknown, // anything else: Python imports the module (running its import-time code, if it is
             // installed) and builds the object; nothing known to run a command
    Unsafe, // runs code or commands, or reaches what does: os, subprocess, eval/exec,
            // importlib, runpy, pip, getattr chains, ...
};

std::string_view riskName(Risk risk); // "safe", "unknown", "unsafe"

struct GlobalRisk {
    Risk risk;
    std::string why; // for unsafe and unknown: "runs a shell command", "not in the safe loaders' table"
    std::string resolved; // what Python resolves a dotted name to ("os.system" for torch.serialization.os.system)
};

// Classifies the global `module`.`name` as a pickle names it (Python 2 module names mapped to
// Python 3's, posix/nt to os; a dotted name is a chain of getattr calls from the module).
GlobalRisk classifyGlobal(std::string_view module, std::string_view name);

} // namespace ckpt
