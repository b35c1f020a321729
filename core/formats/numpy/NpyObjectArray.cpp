#include "formats/numpy/NpyObjectArray.h"

#include "formats/numpy/PickledNumpyArray.h"
#include "formats/torch/TorchPickleWalker.h"
#include "pickle/Unpickler.h"
#include "tensor/CheckpointError.h"

#include <set>

namespace ckpt {

namespace {

void addWalk(const PickleWalk& walk, const std::string& prefix, Checkpoint& out)
{
    for (const auto& [name, value] : walk.tensors) {
        const std::string full = prefix + name;
        if (value->kind != pickle::Kind::NumpyArray)
            throw FormatError("'" + full + "' is not a numpy array");
        try {
            out.tensors.push_back(tensorFromPickledNumpyArray(full, *value));
        } catch (const FormatError& e) {
            throw FormatError("'" + full + "': " + e.what());
        }
    }
    for (const auto& [key, value] : walk.metadata.items())
        out.metadata[prefix + key] = value;
}

} // namespace

void appendPickledObjectArray(const std::shared_ptr<const ByteSource>& bytes, const NpyHeader& header,
                              const NpyPlacement& placement, Checkpoint& out)
{
    // The pickle is the whole data section; numpy itself would run it (allow_pickle=True). We read it.
    constexpr std::uint64_t kMaxPickle = std::uint64_t(2) << 30;
    const std::uint64_t size = bytes->size() - header.dataOffset;
    if (size > kMaxPickle)
        throw FormatError("pickled object array of " + std::to_string(size) + " bytes is larger than 2 GiB");
    // Copied, not parsed in the file's mapping: the file could be truncated while we parse.
    const std::vector<std::byte> buffer = bytes->readVector(header.dataOffset, std::size_t(size));
    const pickle::Document doc = pickle::unpickle(buffer);
    const pickle::Value& root = doc.root();
    const std::size_t before = out.tensors.size();
    std::size_t otherLeaves = 0;
    std::vector<std::string> calls;
    auto walkItem = [&](const pickle::Value& item, const std::string& prefix) {
        // An array inside the object array is named by its position; containers by their keys.
        if (item.kind == pickle::Kind::NumpyArray && item.array().data && item.array().data->kind == pickle::Kind::Bytes) {
            out.tensors.push_back(tensorFromPickledNumpyArray(prefix.empty() ? placement.name : prefix.substr(0, prefix.size() - 1), item));
            return;
        }
        const PickleWalk walk = walkTorchPickle(item);
        otherLeaves += walk.otherLeaves;
        calls.insert(calls.end(), walk.refusedCalls.begin(), walk.refusedCalls.end());
        addWalk(walk, prefix, out);
    };
    if (root.kind == pickle::Kind::NumpyArray && root.array().data && root.array().data->kind == pickle::Kind::List) {
        const auto& items = root.array().data->items;
        if (root.array().shape.empty() && items.size() == 1) // np.save of a dict or any single object
            walkItem(*items.front(), placement.objectPrefix);
        else
            for (std::size_t i = 0; i < items.size(); ++i)
                walkItem(*items[i], placement.objectPrefix + std::to_string(i) + ".");
    } else {
        walkItem(root, placement.objectPrefix);
    }
    if (out.tensors.size() == before && !doc.refusedCalls().empty() && otherLeaves == 0)
        throw FormatError("refuses to call " + doc.refusedCalls().front() + ": the object array's only content is a call to it ("
                          + (calls.empty() ? doc.refusedCalls().front() : calls.front()) + "), which was not run");
    if (!doc.refusedCalls().empty()) {
        std::set<std::string> seen(doc.refusedCalls().begin(), doc.refusedCalls().end());
        std::string names;
        for (const auto& c : seen)
            names += (names.empty() ? "" : ", ") + c;
        out.metadata[placement.objectPrefix + "__refused_calls__"] = "not run: " + names;
    }
}

} // namespace ckpt
