#pragma once

#include <string>
#include <string_view>

namespace ckpt {

// Text from a file made safe for a terminal: control characters (C0, DEL, C1) and bytes that
// are not UTF-8 become visible escapes ("\n", "\x1b", "\u009b"), so a name or an error can
// neither clear the screen nor start a fake line. Valid UTF-8 text is kept as it is.
std::string printable(std::string_view text);

} // namespace ckpt
