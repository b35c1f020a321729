#pragma once

#include <string>

namespace ckpt {

// A number for a CSV cell: %.9g, empty for NaN (pandas reads it as missing).
std::string csvNumber(double v);

// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string csvField(const std::string& s);

} // namespace ckpt
