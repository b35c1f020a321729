#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ckpt {

// UTF-8 shared by every parser of names and text in files.
void appendUtf8(std::string& out, std::uint32_t codePoint); // U+FFFD for what is not a scalar value
std::size_t validSequence(std::string_view s, std::size_t i); // length of a valid sequence at s[i], or 0
std::string sanitizeUtf8(std::string_view bytes); // invalid sequences become U+FFFD

} // namespace ckpt
