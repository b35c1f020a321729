#pragma once

#include <string>
#include <string_view>

namespace ckpt {

// Text from a file made safe for a terminal or a widget: control characters (C0, DEL, C1), line
// and paragraph separators, bidirectional marks, overrides and isolates, and bytes that are not
// UTF-8 become visible escapes ("\n", "\x1b", "\u009b", "\u202e"), so a name or an error can
// neither clear the screen, start a fake line nor reorder what is shown. Other UTF-8 text is kept.
std::string printable(std::string_view text);

} // namespace ckpt
