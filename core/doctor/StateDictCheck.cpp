#include "doctor/StateDictCheck.h"

#include "base/Cancelled.h"
#include "doctor/SameBytes.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

namespace ckpt {
namespace {

// The tensors under `prefix`, by their names with it stripped, in file order.
std::vector<std::pair<std::string, const Tensor*>> underPrefix(const Checkpoint& c, const std::string& prefix)
{
    std::vector<std::pair<std::string, const Tensor*>> out;
    for (const Tensor& t : c.tensors)
        if (t.info.name.compare(0, prefix.size(), prefix) == 0)
            out.emplace_back(t.info.name.substr(prefix.size()), &t);
    return out;
}

// torch.Size([3, 5]), as PyTorch prints a shape.
std::string torchSize(const Shape& shape)
{
    std::string s = "torch.Size([";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "])";
}

std::string quotedList(const std::vector<std::string>& names)
{
    std::string s;
    for (const std::string& n : names)
        s += (s.empty() ? "\"" : ", \"") + n + "\"";
    return s;
}

// The modules of the reference in the order PyTorch visits them (a module's own tensors come
// before its children's in a state dict): "" (the root), "fc1", "block", "block.0", ...
std::unordered_map<std::string, std::size_t> moduleOrder(const std::vector<std::pair<std::string, const Tensor*>>& ref)
{
    std::unordered_map<std::string, std::size_t> order { { "", 0 } };
    for (const auto& [name, tensor] : ref)
        for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1))
            order.emplace(name.substr(0, dot), order.size());
    return order;
}

// PyTorch reports an unexpected key while loading the deepest module that holds its prefix, so
// the keys come grouped by module, in checkpoint order within one.
std::size_t owningModule(const std::string& key, const std::unordered_map<std::string, std::size_t>& modules)
{
    for (std::size_t dot = key.rfind('.'); dot != std::string::npos && dot > 0; dot = key.rfind('.', dot - 1))
        if (auto it = modules.find(key.substr(0, dot)); it != modules.end())
            return it->second;
    return 0;
}

} // namespace

StateDictCheck checkAgainstReference(
    const Checkpoint& checkpoint, const Checkpoint& reference, const StateDictCheckOptions& options)
{
    const auto mine = underPrefix(checkpoint, options.prefix);
    const auto ref = underPrefix(reference, options.referencePrefix);
    std::map<std::string, const Tensor*> mineByName(mine.begin(), mine.end());
    std::map<std::string, const Tensor*> refByName(ref.begin(), ref.end());

    StateDictCheck check;
    std::vector<std::string> missing, unexpected, mismatches;
    for (const auto& [name, r] : ref) {
        auto it = mineByName.find(name);
        if (it == mineByName.end()) {
            missing.push_back(name);
            check.findings.push_back({ "missing-key", r->info.name, "in the reference, not in " + checkpoint.path });
            continue;
        }
        const Tensor& t = *it->second;
        if (t.info.shape != r->info.shape) {
            mismatches.push_back("size mismatch for " + name + ": copying a param with shape " + torchSize(t.info.shape)
                + " from checkpoint, the shape in current model is " + torchSize(r->info.shape) + ".");
            check.findings.push_back({ "size-mismatch", t.info.name,
                "shape " + shapeToString(t.info.shape) + " here, " + shapeToString(r->info.shape)
                    + " in the reference" });
        } else if (t.info.unreadable.empty() && r->info.unreadable.empty() && sameBytes(t, *r, options.cancel)) {
            check.findings.push_back(
                { "same-as-reference", t.info.name, "the same bytes as in the reference: never trained?" });
        }
    }
    const auto modules = moduleOrder(ref);
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (const auto& [name, t] : mine)
        if (!refByName.count(name)) {
            ranked.emplace_back(owningModule(name, modules), name);
            check.findings.push_back({ "unexpected-key", t->info.name, "not in the reference " + reference.path });
        }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [rank, name] : ranked)
        unexpected.push_back(name);

    // PyTorch puts the missing keys first, then the unexpected ones, then the size mismatches.
    if (!missing.empty())
        check.loadErrors.push_back("Missing key(s) in state_dict: " + quotedList(missing) + ". ");
    if (!unexpected.empty())
        check.loadErrors.push_back("Unexpected key(s) in state_dict: " + quotedList(unexpected) + ". ");
    check.loadErrors.insert(check.loadErrors.end(), mismatches.begin(), mismatches.end());
    return check;
}

} // namespace ckpt
