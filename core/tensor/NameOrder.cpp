#include "tensor/NameOrder.h"

#include <cctype>

namespace ckpt {

std::vector<std::string_view> splitName(std::string_view name)
{
    std::vector<std::string_view> parts;
    std::size_t begin = 0;
    // MXNet Module checkpoints prefix names with "arg:" / "aux:": that prefix is a level too.
    const bool mxnetPrefix = name.size() > 4 && (name.substr(0, 4) == "arg:" || name.substr(0, 4) == "aux:");
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.' || name[i] == '/' || (mxnetPrefix && i == 3)) {
            if (i > begin)
                parts.push_back(name.substr(begin, i - begin));
            begin = i + 1;
        }
    }
    return parts;
}

bool naturalLess(std::string_view a, std::string_view b)
{
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && digit(a[ie]))
                ++ie;
            while (je < b.size() && digit(b[je]))
                ++je;
            // Compare numerically without overflow: strip leading zeros, then length, then text.
            std::size_t is = i, js = j;
            while (is + 1 < ie && a[is] == '0')
                ++is;
            while (js + 1 < je && b[js] == '0')
                ++js;
            if (ie - is != je - js)
                return ie - is < je - js;
            const int c = a.substr(is, ie - is).compare(b.substr(js, je - js));
            if (c != 0)
                return c < 0;
            if (ie - i != je - j)
                return ie - i < je - j;
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j])
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

} // namespace ckpt
