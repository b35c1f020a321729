#pragma once

#include "scan/GlobalRisk.h"

#include <string>
#include <vector>

namespace ckpt {

struct KerasConfigRisk {
    Risk risk;
    std::string what;
    std::string why;
};

// Code a Keras model's config.json carries: Lambda layers (their Python function is stored,
// marshalled, and runs when Keras loads the model with safe_mode=False) and custom objects
// (classes outside Keras, which Keras imports from their module).
std::vector<KerasConfigRisk> kerasConfigRisks(const std::string& configJson);

} // namespace ckpt
