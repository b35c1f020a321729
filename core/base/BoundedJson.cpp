#include "base/BoundedJson.h"

#include <vector>

namespace ckpt {

namespace {

struct OutOfBounds {
    std::string why;
};

} // namespace

nlohmann::ordered_json parseBoundedJson(std::string_view text, std::string* why)
{
    using E = nlohmann::ordered_json::parse_event_t;
    std::vector<std::size_t> keys; // per open object or array: the keys seen so far
    std::size_t values = 0;
    const auto bound = [&](int, E event, nlohmann::ordered_json&) {
        switch (event) {
        case E::object_start:
        case E::array_start:
            if (keys.size() >= std::size_t(kMaxJsonDepth))
                throw OutOfBounds { "JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels" };
            keys.push_back(0);
            break;
        case E::object_end:
        case E::array_end:
            if (!keys.empty())
                keys.pop_back();
            break;
        case E::key:
            if (!keys.empty() && ++keys.back() > kMaxJsonObjectKeys)
                throw OutOfBounds { "a JSON object has more than " + std::to_string(kMaxJsonObjectKeys) + " keys" };
            break;
        case E::value:
            if (++values > kMaxJsonValues)
                throw OutOfBounds { "JSON has more than " + std::to_string(kMaxJsonValues) + " values" };
            break;
        }
        return true;
    };
    try {
        auto json = nlohmann::ordered_json::parse(text, bound, /*allow_exceptions=*/false);
        if (json.is_discarded() && why)
            *why = "not valid JSON";
        return json;
    } catch (const OutOfBounds& e) {
        if (why)
            *why = e.why;
        return nlohmann::ordered_json(nlohmann::ordered_json::value_t::discarded);
    }
}

} // namespace ckpt
