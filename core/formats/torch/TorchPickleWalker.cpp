#include "formats/torch/TorchPickleWalker.h"

#include <cmath>
#include <unordered_set>

namespace ckpt {

namespace {
using pickle::Kind;
using pickle::Value;

bool isTensorLike(const Value& v)
{
    return v.kind == Kind::TorchTensor || v.kind == Kind::PersistentId
           || (v.kind == Kind::NumpyArray && v.array.data && v.array.data->kind == Kind::Bytes);
}

bool isModuleLike(const Value& v)
{
    return v.kind == Kind::Object && !v.called
           && (v.attribute("_parameters") || v.attribute("_modules"));
}

std::string keyName(const Value& key)
{
    switch (key.kind) {
    case Kind::String: return key.text;
    case Kind::Int: return std::to_string(key.integer);
    case Kind::Bool: return key.boolean ? "True" : "False";
    default: return pickle::toDisplayString(key, 1, 60);
    }
}

std::string join(const std::string& prefix, const std::string& part)
{
    return prefix.empty() ? part : prefix + "." + part;
}

class Walker {
public:
    explicit Walker(const PickleWalkLimits& limits)
        : limits_(limits)
    {
    }

    PickleWalk run(const Value& root)
    {
        if (isTensorLike(root))
            out_.tensors.push_back({root.kind == Kind::PersistentId ? "storage" : "tensor", &root});
        else if (isModuleLike(root) || isContainer(root))
            walk(root, "", 0);
        else
            leaf(root, "value");
        if (isModuleLike(root))
            out_.metadata["__class__"] = root.qualifiedName();
        return std::move(out_);
    }

private:
    bool isContainer(const Value& v) const
    {
        switch (v.kind) {
        case Kind::Dict: return true;
        case Kind::List:
        case Kind::Tuple: return holdsStructure(v, 0);
        case Kind::Object: return !v.called && (!v.entries.empty() || !v.items.empty() || attributes(v));
        default: return false;
        }
    }

    // Sequences are named item by item only when they hold tensors, dicts or objects;
    // a list of numbers stays one metadata value ("[0, 1, 2, 3]").
    bool holdsStructure(const Value& v, int depth) const
    {
        if (depth > 8)
            return false;
        std::size_t looked = 0;
        for (const Value* item : v.items) {
            if (++looked > 10'000)
                return false;
            switch (item->kind) {
            case Kind::TorchTensor:
            case Kind::PersistentId:
            case Kind::NumpyArray:
            case Kind::Dict:
            case Kind::Object:
                return true;
            case Kind::List:
            case Kind::Tuple:
                if (holdsStructure(*item, depth + 1))
                    return true;
                break;
            default: break;
            }
        }
        return false;
    }

    // An object's __dict__ from its BUILD state, when it has one with entries.
    static const Value* attributes(const Value& v)
    {
        const Value* s = v.state;
        if (s && s->kind == Kind::Tuple && !s->items.empty())
            s = s->items[0];
        return s && s->kind == Kind::Dict && !s->entries.empty() ? s : nullptr;
    }

    bool enter(const Value& v, const std::string& name, int depth)
    {
        if (++visits_ > limits_.maxVisits) {
            if (!truncated_)
                out_.metadata["__walk__"] = "stopped after " + std::to_string(limits_.maxVisits)
                                            + " values (the object graph is too large)";
            truncated_ = true;
            return false;
        }
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
            if (++visits_ <= limits_.maxVisits)
                out_.tensors.push_back({name, &v});
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
            for (const auto& [key, value] : v.entries)
                walk(*value, join(name, keyName(*key)), depth + 1);
        } else if (!v.items.empty()) {
            for (std::size_t i = 0; i < v.items.size() && !truncated_; ++i)
                walk(*v.items[i], join(name, std::to_string(i)), depth + 1);
        } else if (const Value* attrs = attributes(v)) {
            // TorchScript modules (__torch__.*) keep parameters as plain attributes next to
            // bookkeeping ones (training, _is_full_backward_hook) that are not state.
            const bool script = v.module.rfind("__torch__", 0) == 0;
            for (const auto& [key, value] : attrs->entries) {
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
        std::unordered_set<std::string> nonPersistent;
        if (const Value* s = m.attribute("_non_persistent_buffers_set"); s && s->kind == Kind::Set)
            for (const Value* item : s->items)
                if (item->kind == Kind::String)
                    nonPersistent.insert(item->text);
        auto members = [&](const char* attribute, bool buffers) {
            const Value* d = m.attribute(attribute);
            if (!d || !d->isDictLike())
                return;
            for (const auto& [key, value] : d->entries) {
                const std::string k = keyName(*key);
                if (value->isNone() || (buffers && nonPersistent.count(k)))
                    continue;
                walk(*value, join(prefix, k), depth + 1);
            }
        };
        members("_parameters", false);
        members("_buffers", true);
        const Value* children = m.attribute("_modules");
        if (!children || !children->isDictLike())
            return;
        for (const auto& [key, child] : children->entries) {
            if (!child->isNone())
                walk(*child, join(prefix, keyName(*key)), depth + 1);
        }
    }

    void leaf(const Value& v, const std::string& name)
    {
        if (++visits_ > limits_.maxVisits) {
            truncated_ = true;
            return;
        }
        const std::string key = name.empty() ? "value" : name;
        nlohmann::ordered_json j;
        switch (v.kind) {
        case Kind::None: j = nullptr; break;
        case Kind::Bool: j = v.boolean; break;
        case Kind::Int: j = v.integer; break;
        case Kind::Float:
            if (std::isfinite(v.real))
                j = v.real;
            else
                j = pickle::toDisplayString(v);
            break;
        case Kind::String: j = v.text.size() <= 1000 ? v.text : v.text.substr(0, 1000) + "..."; break;
        default: j = pickle::toDisplayString(v); break;
        }
        if (v.kind == Kind::Object && v.called)
            out_.refusedCalls.push_back(j.get<std::string>());
        else if (v.kind != Kind::None)
            ++out_.otherLeaves;
        put(key, std::move(j));
    }

    void put(const std::string& name, nlohmann::ordered_json value)
    {
        if (out_.metadata.size() < limits_.maxMetadata)
            out_.metadata[name.empty() ? "value" : name] = std::move(value);
        else if (++droppedMetadata_ == 1)
            out_.metadata["__walk__"] = "more than " + std::to_string(limits_.maxMetadata)
                                        + " non-tensor values; the rest are not listed";
    }

    const PickleWalkLimits& limits_;
    PickleWalk out_;
    std::unordered_set<const Value*> onPath_;
    std::size_t visits_ = 0;
    std::size_t droppedMetadata_ = 0;
    bool truncated_ = false;
};
} // namespace

PickleWalk walkTorchPickle(const Value& root, const PickleWalkLimits& limits)
{
    return Walker(limits).run(root);
}

} // namespace ckpt
