#include "tensor/CheckpointTree.h"

#include "tensor/NameOrder.h"

namespace ckpt {

int TreeNode::row() const
{
    if (!parent)
        return 0;
    for (std::size_t i = 0; i < parent->children.size(); ++i) {
        if (parent->children[i].get() == this)
            return static_cast<int>(i);
    }
    return 0;
}

const TreeNode* TreeNode::child(std::string_view childName) const
{
    for (const auto& c : children) {
        if (c->name == childName)
            return c.get();
    }
    return nullptr;
}

namespace {
TreeNode* childFor(TreeNode* node, std::string_view name, std::string_view path)
{
    // A tensor is always a node of its own, so a name repeated in the file gets two leaves; a
    // group may share its name with a tensor (TF "kernel" and its slots "kernel/.OPTIMIZER_SLOT/...").
    for (const auto& c : node->children)
        if (c->name == name && !c->isTensor())
            return c.get();
    auto n = std::make_unique<TreeNode>();
    n->name = name;
    n->path = path;
    n->parent = node;
    node->children.push_back(std::move(n));
    return node->children.back().get();
}
} // namespace

CheckpointTree::CheckpointTree(const Checkpoint& checkpoint)
    : root_(std::make_unique<TreeNode>())
{
    for (std::size_t i = 0; i < checkpoint.tensors.size(); ++i) {
        const auto& info = checkpoint.tensors[i].info;
        auto parts = splitName(info.name);
        if (parts.empty())
            parts.push_back(info.name);
        TreeNode* node = root_.get();
        for (std::size_t p = 0; p + 1 < parts.size(); ++p) {
            const auto end = static_cast<std::size_t>(parts[p].data() + parts[p].size() - info.name.data());
            node = childFor(node, parts[p], std::string_view(info.name).substr(0, end));
        }
        auto leaf = std::make_unique<TreeNode>();
        leaf->name = parts.back();
        leaf->path = info.name;
        leaf->tensorIndex = static_cast<int>(i);
        leaf->parent = node;
        const std::int64_t params = info.numel();
        const std::int64_t bytes = info.nbytes();
        for (TreeNode* n = leaf.get(); n; n = n->parent) {
            n->tensorCount += 1;
            n->parameterCount = saturatingAdd(n->parameterCount, params);
            n->nbytes = saturatingAdd(n->nbytes, bytes);
        }
        node->children.push_back(std::move(leaf));
    }
}

const TreeNode* CheckpointTree::find(std::string_view path) const
{
    const TreeNode* node = root_.get();
    if (path.empty())
        return node;
    for (auto part : splitName(path)) {
        node = node->child(part);
        if (!node)
            return nullptr;
    }
    return node;
}

} // namespace ckpt
