#pragma once

#include "compare/ElementReads.h"
#include "tensor/Checkpoint.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace ckpt {

struct DiffOptions {
    std::string prefixA, prefixB; // tensors are paired by their names after these prefixes
    double rtol = 1e-5; // equal within tolerance: |a - b| <= atol + rtol * |b|
    double atol = 1e-8;
    bool transposeKernels = false; // compare every 2-D B tensor transposed
    bool byLayer = false; // pair dense layers by position (also done when no names are shared)
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(double)> progress; // 0..1 over the bytes to compare
};

enum class DiffStatus {
    Identical, // bitwise equal
    WithinTolerance, // values equal within rtol/atol
    Changed, // values differ beyond the tolerance
    ShapeChanged, // shapes differ (and are not a transposed kernel)
    DtypeChanged, // dtypes differ; values are still compared
    OnlyInA,
    OnlyInB,
};

std::string_view diffStatusName(DiffStatus s); // "identical", "within tolerance", ...

enum class DiffPairing {
    Name, // the same name after the prefixes
    LayerPosition, // the same dense-layer position (Keras "dense/kernel" against PyTorch "hidden.weight")
    LlamaCppName, // a GGUF file's llama.cpp name against the converted checkpoint's (LlamaCppNames.h)
};

std::string_view diffPairingName(DiffPairing p); // "name", "position", "llama.cpp name"

struct TensorDiff {
    std::string name; // after the prefix (A's name when B's was paired by layer position)
    DiffStatus status = DiffStatus::Identical;
    const Tensor* a = nullptr; // null when only in B
    const Tensor* b = nullptr; // null when only in A
    DiffPairing pairedBy = DiffPairing::Name;
    PairLayout layout; // B transposed (Keras kernel against PyTorch weight), or its rows permuted
    bool bitwiseEqual = false;
    double maxAbsDiff = 0;
    double meanAbsDiff = 0;
    double relativeL2 = 0; // ||a - b|| / ||b||
    // Against the reference side: B, unless A is the original of a GGUF B. Infinite when equal.
    bool referenceIsA = false;
    double sqnrDb = 0; // signal-to-quantization-noise ratio: 10 log10(||ref||^2 / ||a - b||^2)
    double cosine = 1; // a.b / (||a|| ||b||); 1 when both are zero, 0 when one is
    std::int64_t mismatched = 0; // elements outside the tolerance (NaN against non-NaN included)
};

struct DiffReport {
    std::vector<TensorDiff> tensors; // A's order, then B-only tensors in B's order
    bool allEqual() const; // every tensor identical or within tolerance
};

// Pairs the tensors of A and B by name and compares each pair, streaming both in chunks.
// Throws Cancelled, or CheckpointError naming the file whose data could not be read.
DiffReport diffCheckpoints(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options = {});

} // namespace ckpt
