#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace ckpt {

// JSON text from a file (a Keras config.json, a JSON string in metadata) parsed within bounds.
// nlohmann's parser and destructor do not recurse, but copying, dump() and operator== recurse
// once per level: a 100000-deep "[[[...]]]" (200 KB) overflows the stack in dump(). And an
// ordered_json object finds each new key by a linear search, so an object of 200000 keys takes
// a minute to parse (and a million keys hours). Text that nests deeper than kMaxJsonDepth, has an
// object of more than kMaxJsonObjectKeys keys or more than kMaxJsonValues values in all is
// refused as if it were not JSON: the result is discarded (is_discarded()) and `why`, when given,
// says which bound. The key searches then cost at most kMaxJsonValues * kMaxJsonObjectKeys / 2
// string comparisons (under 2 s), and a tree takes at most about 100 MB.
constexpr int kMaxJsonDepth = 256;
constexpr std::size_t kMaxJsonObjectKeys = 1024;
constexpr std::size_t kMaxJsonValues = std::size_t(1) << 20;

nlohmann::ordered_json parseBoundedJson(std::string_view text, std::string* why = nullptr);

} // namespace ckpt
