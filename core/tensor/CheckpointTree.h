#pragma once

#include "tensor/Checkpoint.h"

#include <memory>
#include <string>
#include <vector>

namespace ckpt {

// One node of the layer hierarchy: a group (module, HDF5 group) and/or a tensor.
struct TreeNode {
    std::string name; // this segment: "weight"
    std::string path; // the full name up to this segment, as written: "hidden.weight"
    int tensorIndex = -1; // index into Checkpoint::tensors, or -1 for a pure group
    TreeNode* parent = nullptr;
    std::vector<std::unique_ptr<TreeNode>> children; // in file order

    // Totals over this node's tensor and everything below it.
    std::int64_t tensorCount = 0;
    std::int64_t parameterCount = 0;
    std::int64_t nbytes = 0;

    bool isTensor() const { return tensorIndex >= 0; }
    int row() const; // index among the parent's children
    const TreeNode* child(std::string_view name) const;
};

// The hierarchy of a checkpoint's tensors, built by splitting names at '.' and '/'.
class CheckpointTree {
public:
    explicit CheckpointTree(const Checkpoint& checkpoint);
    const TreeNode& root() const { return *root_; }
    // The node for a full tensor name or group path, or nullptr.
    const TreeNode* find(std::string_view path) const;

private:
    std::unique_ptr<TreeNode> root_;
};

} // namespace ckpt
