#include "report/Csv.h"

#include <cmath>
#include <cstdio>

namespace ckpt {

std::string csvNumber(double v)
{
    if (std::isnan(v))
        return {};
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", v);
    return text;
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string quoted = "\"";
    for (char c : s)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace ckpt
