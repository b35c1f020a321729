#pragma once

#include "report/PrintableText.h"

#include <QString>

#include <string_view>

// Text from a file as a widget shows it: control characters and bytes that are not UTF-8 made
// visible ("\n", "\x1b"), so a tensor name or a metadata value cannot split a row, hide text or
// fake a line. Keys used to find things (paths, sort keys) stay as they are.
inline QString shownText(std::string_view text)
{
    return QString::fromStdString(ckpt::printable(text));
}
