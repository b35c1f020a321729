#include "report/MetadataForDisplay.h"

#include "base/BoundedJson.h"

namespace ckpt {

namespace {

bool looksLikeJson(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t\r\n");
    return first != std::string::npos && (s[first] == '{' || s[first] == '[') && s.size() <= kMaxParsedBytes;
}

nlohmann::ordered_json unfolded(const nlohmann::ordered_json& value)
{
    if (value.is_string() && looksLikeJson(value.get_ref<const std::string&>())) {
        // Bounded: a 100000-deep string would unfold into a tree whose "Copy" (dump) overflows the stack.
        auto parsed = parseBoundedJson(value.get_ref<const std::string&>());
        if (!parsed.is_discarded())
            return parsed;
    }
    return value;
}

} // namespace

nlohmann::ordered_json metadataForDisplay(const Checkpoint& checkpoint, const std::string& prefix)
{
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    if (!checkpoint.metadata.is_object())
        return out;
    for (const auto& [key, value] : checkpoint.metadata.items())
        if (prefix.empty() || key.rfind(prefix, 0) == 0)
            out[key] = unfolded(value);
    return out;
}

} // namespace ckpt
