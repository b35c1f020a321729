#include "formats/torch/TorchPickleWalker.h"

#include "formats/torch/TorchStorage.h"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace ckpt {

namespace {
using pickle::Kind;
using pickle::Value;

constexpr std::size_t kMaxNamePart = 256; // longer keys are cut (names stay readable and cheap)

bool isTensorLike(const Value& v)
{
    return v.kind == Kind::TorchTensor || v.kind == Kind::PersistentId
        || (v.kind == Kind::NumpyArray && v.array().data && v.array().data->kind == Kind::Bytes && v.array().dtype
            && numpyDTypeFromCode(v.array().dtype->text));
}

std::string keyName(const Value& key)
{
    std::string k;
    switch (key.kind) {
    case Kind::String:
        k = key.text.substr(0, kMaxNamePart + 1);
        break;
    case Kind::Int:
        k = std::to_string(key.integer);
        break;
    case Kind::Bool:
        k = key.boolean ? "True" : "False";
        break;
    default:
        k = pickle::toDisplayString(key, 1, 60);
        break;
    }
    if (k.size() > kMaxNamePart)
        k = k.substr(0, kMaxNamePart) + "...";
    return k;
}

std::string join(const std::string& prefix, const std::string& part)
{
    return prefix.empty() ? part : prefix + "." + part;
}

// An object's __dict__ from its BUILD state, when it has one with entries.
const Value* attributes(const Value& v)
{
    const Value* s = v.state;
    if (s && s->kind == Kind::Tuple && !s->items.empty())
        s = s->items[0];
    return s && s->kind == Kind::Dict && !s->entries.empty() ? s : nullptr;
}

// Every walk is bounded three ways: visits, total work (items scanned, name bytes built) and
// depth; classification results are memoised, so a shared subgraph costs its size once.
// A hostile graph (cyclic, exponentially shared, very wide) ends early with a note.
class Walker {
public:
    explicit Walker(const PickleWalkLimits& limits)
        : limits_(limits)
    {
    }

    PickleWalk run(const Value& root)
    {
        if (isTensorLike(root))
            out_.tensors.push_back({ root.kind == Kind::PersistentId ? "storage" : "tensor", &root });
        else if (isModuleLike(root) || isContainer(root))
            walk(root, "", 0);
        else
            leaf(root, "value");
        if (isModuleLike(root))
            out_.metadata["__class__"] = root.qualifiedName();
        return std::move(out_);
    }

private:
    bool charge(std::size_t n)
    {
        work_ += n;
        if (work_ > limits_.maxWork || visits_ > limits_.maxVisits) {
            if (!truncated_)
                out_.metadata["__walk__"] = "stopped early: the object graph is too large to list";
            truncated_ = true;
        }
        return !truncated_;
    }

    // A module: an object with _parameters or _modules in its __dict__ (nn.Module).
    bool isModuleLike(const Value& v)
    {
        if (v.kind != Kind::Object || v.called)
            return false;
        auto [it, inserted] = moduleMemo_.try_emplace(&v, false);
        if (inserted) {
            const Value* attrs = attributes(v);
            charge(attrs ? attrs->entries.size() : 0);
            it->second = attrs && (attrs->find("_parameters") || attrs->find("_modules"));
        }
        return it->second;
    }

    bool isContainer(const Value& v)
    {
        switch (v.kind) {
        case Kind::Dict:
            return true;
        case Kind::List:
        case Kind::Tuple:
            return holdsStructure(v, 0);
        case Kind::Object:
            return !v.called && (!v.entries.empty() || !v.items.empty() || attributes(v));
        default:
            return false;
        }
    }

    // Sequences are named item by item only when they hold tensors, dicts or objects;
    // a list of numbers stays one metadata value ("[0, 1, 2, 3]").
    bool holdsStructure(const Value& v, int depth)
    {
        if (depth > 8)
            return false;
        auto found = structureMemo_.find(&v);
        if (found != structureMemo_.end())
            return found->second;
        structureMemo_[&v] = false; // provisional: a cycle back to v adds nothing
        bool result = false;
        for (const Value* item : v.items) {
            if (!charge(1))
                break;
            switch (item->kind) {
            case Kind::TorchTensor:
            case Kind::PersistentId:
            case Kind::NumpyArray:
            case Kind::Dict:
            case Kind::Object:
                result = true;
                break;
            case Kind::List:
            case Kind::Tuple:
                result = holdsStructure(*item, depth + 1);
                break;
            default:
                break;
            }
            if (result)
                break;
        }
        structureMemo_[&v] = result;
        return result;
    }

    bool enter(const Value& v, const std::string& name, int depth)
    {
        ++visits_;
        if (!charge(name.size()))
            return false;
        if (depth > limits_.maxDepth) {
            put(name, "<nested deeper than " + std::to_string(limits_.maxDepth) + " levels>");
            return false;
        }
        if (onPath_.count(&v)) {
            put(name, "<cycle>");
            return false;
        }
        return true;
    }

    void walk(const Value& v, const std::string& name, int depth)
    {
        if (truncated_)
            return;
        if (isTensorLike(v)) {
            ++visits_;
            if (charge(name.size()))
                out_.tensors.push_back({ name, &v });
            return;
        }
        if (!isModuleLike(v) && !isContainer(v)) {
            leaf(v, name);
            return;
        }
        if (!enter(v, name, depth))
            return;
        onPath_.insert(&v);
        if (isModuleLike(v)) {
            walkModule(v, name, depth);
        } else if (v.kind == Kind::Dict || !v.entries.empty()) {
            if (v.entries.empty())
                leaf(v, name);
            for (const auto& [key, value] : v.entries) {
                if (truncated_)
                    break;
                walk(*value, join(name, keyName(*key)), depth + 1);
            }
        } else if (!v.items.empty()) {
            for (std::size_t i = 0; i < v.items.size() && !truncated_; ++i)
                walk(*v.items[i], join(name, std::to_string(i)), depth + 1);
        } else if (const Value* attrs = attributes(v)) {
            // TorchScript modules (__torch__.*) keep parameters as plain attributes next to
            // bookkeeping ones (training, _is_full_backward_hook) that are not state.
            const bool script = v.module.rfind("__torch__", 0) == 0;
            for (const auto& [key, value] : attrs->entries) {
                if (truncated_)
                    break;
                const std::string k = keyName(*key);
                if (script && (k == "training" || k.rfind('_', 0) == 0))
                    continue;
                walk(*value, join(name, k), depth + 1);
            }
        }
        onPath_.erase(&v);
    }

    // nn.Module: parameters, persistent buffers, then submodules, as state_dict() orders them.
    void walkModule(const Value& m, const std::string& prefix, int depth)
    {
        const Value* attrs = attributes(m);
        if (!attrs || !charge(4 * attrs->entries.size()))
            return;
        std::unordered_set<std::string> nonPersistent;
        if (const Value* s = attrs->find("_non_persistent_buffers_set");
            s && s->kind == Kind::Set && charge(s->items.size()))
            for (const Value* item : s->items)
                if (item->kind == Kind::String)
                    nonPersistent.insert(item->text);
        auto members = [&](const char* attribute, bool buffers) {
            const Value* d = attrs->find(attribute);
            if (!d || !d->isDictLike())
                return;
            for (const auto& [key, value] : d->entries) {
                if (truncated_)
                    return;
                const std::string k = keyName(*key);
                if (value->isNone() || (buffers && nonPersistent.count(k)))
                    continue;
                walk(*value, join(prefix, k), depth + 1);
            }
        };
        members("_parameters", false);
        members("_buffers", true);
        const Value* children = attrs->find("_modules");
        if (!children || !children->isDictLike())
            return;
        for (const auto& [key, child] : children->entries) {
            if (truncated_)
                return;
            if (!child->isNone())
                walk(*child, join(prefix, keyName(*key)), depth + 1);
        }
    }

    void leaf(const Value& v, const std::string& name)
    {
        ++visits_;
        if (!charge(name.size() + 1))
            return;
        if (v.kind == Kind::Object && v.called)
            out_.refusedCalls.push_back(pickle::toDisplayString(v));
        else if (v.kind != Kind::None)
            ++out_.otherLeaves;
        if (out_.metadata.size() >= limits_.maxMetadata) {
            put(name, nullptr);
            return;
        }
        nlohmann::ordered_json j;
        switch (v.kind) {
        case Kind::None:
            j = nullptr;
            break;
        case Kind::Bool:
            j = v.boolean;
            break;
        case Kind::Int:
            j = v.integer;
            break;
        case Kind::Float:
            if (std::isfinite(v.real))
                j = v.real;
            else
                j = pickle::toDisplayString(v);
            break;
        case Kind::String:
            j = v.text.size() <= 1000 ? v.text : v.text.substr(0, 1000) + "...";
            break;
        case Kind::NumpyArray:
            j = "numpy array of dtype " + (v.array().dtype ? pickle::toDisplayString(*v.array().dtype) : "?");
            break;
        default:
            j = v.kind == Kind::Object && v.called ? out_.refusedCalls.back() : pickle::toDisplayString(v);
            break;
        }
        put(name, std::move(j));
    }

    // ordered_json looks keys up linearly; keep our own index so many entries stay cheap.
    void put(const std::string& name, nlohmann::ordered_json value)
    {
        const std::string key = name.empty() ? "value" : name;
        if (auto it = metadataIndex_.find(key); it != metadataIndex_.end()) {
            auto& object = out_.metadata.get_ref<nlohmann::ordered_json::object_t&>();
            (object.begin() + static_cast<std::ptrdiff_t>(it->second))->second = std::move(value);
        } else if (out_.metadata.size() < limits_.maxMetadata) {
            auto& object = out_.metadata.get_ref<nlohmann::ordered_json::object_t&>();
            metadataIndex_.emplace(key, object.size());
            object.emplace_back(key, std::move(value)); // the vector's, without a linear key search
        } else if (++droppedMetadata_ == 1)
            out_.metadata["__walk__"]
                = "more than " + std::to_string(limits_.maxMetadata) + " non-tensor values; the rest are not listed";
    }

    const PickleWalkLimits& limits_;
    PickleWalk out_;
    std::unordered_set<const Value*> onPath_;
    std::unordered_map<const Value*, bool> moduleMemo_;
    std::unordered_map<std::string, std::size_t> metadataIndex_;
    std::unordered_map<const Value*, bool> structureMemo_;
    std::size_t visits_ = 0;
    std::size_t work_ = 0;
    std::size_t droppedMetadata_ = 0;
    bool truncated_ = false;
};
} // namespace

PickleWalk walkTorchPickle(const Value& root, const PickleWalkLimits& limits)
{
    return Walker(limits).run(root);
}

} // namespace ckpt
