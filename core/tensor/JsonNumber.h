#pragma once

#include <nlohmann/json.hpp>

#include <cmath>

namespace ckpt {

// A number as our JSON carries it. JSON has no NaN or infinity (nlohmann writes both as null,
// which hides which one a file holds), so they become the strings "nan", "inf" and "-inf".
inline nlohmann::ordered_json jsonNumber(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    return v;
}

// Replaces every non-finite number in `json` (metadata read from a file may hold them) by its
// string; returns whether anything changed.
template <class Json> bool replaceNonFinite(Json& json)
{
    if (json.is_number_float() && !std::isfinite(json.template get<double>())) {
        json = Json(jsonNumber(json.template get<double>()).template get<std::string>());
        return true;
    }
    bool changed = false;
    if (json.is_structured())
        for (auto& item : json)
            changed = replaceNonFinite(item) || changed;
    return changed;
}

} // namespace ckpt
