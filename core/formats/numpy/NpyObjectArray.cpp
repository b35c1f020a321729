#include "formats/numpy/NpyObjectArray.h"

#include "base/CheckpointError.h"
#include "formats/torch/TorchPickleWalker.h"
#include "pickle/PickledNumpyArray.h"
#include "pickle/Unpickler.h"

#include <algorithm>
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
    // Inflated from a smaller npz, it may take what the file justifies: 48 MiB and the file.
    const std::uint64_t fileSize = placement.fileSize ? placement.fileSize : bytes->size();
    const std::uint64_t maxPickle = placement.fileSize
        ? std::min(std::uint64_t(2) << 30, (std::uint64_t(48) << 20) + fileSize)
        : std::uint64_t(2) << 30;
    const std::uint64_t size = bytes->size() - header.dataOffset;
    if (size > maxPickle)
        throw FormatError("pickled object array of " + std::to_string(size) + " bytes is larger than "
            + std::to_string(maxPickle >> 20) + " MiB");
    // A file is copied, not parsed in its mapping (it could be truncated while we parse); an
    // inflated member is a private copy already.
    std::vector<std::byte> buffer;
    std::span<const std::byte> pickled;
    if (placement.inflated) {
        pickled = { bytes->data() + header.dataOffset, std::size_t(size) };
    } else {
        buffer = bytes->readVector(header.dataOffset, std::size_t(size));
        pickled = buffer;
    }
    pickle::PickleOptions options;
    options.maxGraphBytes = pickle::defaultGraphBudget(fileSize);
    const pickle::Document doc = pickle::unpickle(pickled, options);
    const pickle::Value& root = doc.root();
    const std::size_t before = out.tensors.size();
    std::size_t otherLeaves = 0;
    std::vector<std::string> calls;
    auto walkItem = [&](const pickle::Value& item, const std::string& prefix) {
        // An array inside the object array is named by its position; containers by their keys.
        if (item.kind == pickle::Kind::NumpyArray && item.array().data
            && item.array().data->kind == pickle::Kind::Bytes) {
            out.tensors.push_back(tensorFromPickledNumpyArray(
                prefix.empty() ? placement.name : prefix.substr(0, prefix.size() - 1), item));
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
        throw FormatError("refuses to call " + doc.refusedCalls().front()
            + ": the object array's only content is a call to it ("
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
