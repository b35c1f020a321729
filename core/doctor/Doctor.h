#pragma once

#include "doctor/Finding.h"
#include "doctor/StateDictCheck.h"
#include "tensor/Checkpoint.h"

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace ckpt {

struct DoctorOptions {
    const Checkpoint* reference = nullptr; // also check against this (ckpt doctor --against)
    StateDictCheckOptions referenceOptions;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(double)> progress; // 0..1 over the checkpoint's tensors
};

struct DoctorReport {
    std::vector<Finding> findings; // per tensor in file order, then those against the reference
    std::optional<StateDictCheck> againstReference;
    int tensorsChecked = 0;
};

// Reads every tensor once and reports what looks wrong: NaN and infinities, all-zero and
// constant float tensors, tensors with the same bytes under two names (tied or copied), values
// float16 cannot hold in a wider float tensor, BatchNorm running variances <= 0, mostly denormal
// tensors, tensors whose data cannot be read. Throws Cancelled.
DoctorReport diagnose(const Checkpoint& checkpoint, const DoctorOptions& options = {});

} // namespace ckpt
