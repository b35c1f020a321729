#pragma once

#include "scan/GlobalRisk.h"
#include "tensor/Checkpoint.h"

#include <string>
#include <vector>

namespace ckpt {

// One thing a file would make Python do, or a risk its format carries.
struct ScanFinding {
    Risk risk = Risk::Safe;
    std::string what; // "call os.system('touch x')", "import collections.OrderedDict",
                      // "Keras Lambda layer 'lambda'", "reads /etc/passwd (dataset /w)"
    std::string why; // for unsafe and unknown findings
    std::string where; // "archive/data.pkl", "config.json", "" for the file itself
    int count = 1; // the same import or call, repeated
};

struct ScanReport {
    std::string file;
    std::vector<ScanFinding> findings;
    std::string unreadable; // why the file could not be read completely ("" when it could)

    bool unsafe() const;
    // "unsafe", "unreadable", "clean": what `ckpt scan` exits with (1, 3, 0).
    std::string verdict() const;
    // The unsafe calls and imports, for a banner: "os.system('touch x'), builtins.eval".
    std::string unsafeSummary(std::size_t maxLength = 200) const;
};

// Would loading this file in Python run code? Every pickle in it (a torch zip's data.pkl, a legacy
// torch file's pickles, .npy object arrays, .npz members, plain pickles) is read without running
// anything, and each global it imports and each call it would make is classified; a .keras
// archive's config.json is checked for Lambda layers and custom objects; the file is opened as a
// checkpoint, so files outside its folder (HDF5 external storage and virtual sources, ONNX
// external data) and sizes that lie are found as the readers find them.
ScanReport scanFile(const std::string& path);

// The same scan of a file the caller has opened already (the app): what the readers found comes
// from `opened` instead of a second open.
ScanReport scanFile(const std::string& path, const Checkpoint& opened);

} // namespace ckpt
