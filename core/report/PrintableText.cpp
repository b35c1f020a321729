#include "report/PrintableText.h"

#include <cstdio>

namespace ckpt {

namespace {

void appendHex(std::string& out, const char* format, unsigned value)
{
    char buffer[12];
    std::snprintf(buffer, sizeof buffer, format, value);
    out += buffer;
}

// Length of the valid UTF-8 sequence (2-4 bytes) starting at text[i], or 0.
std::size_t sequenceLength(std::string_view text, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    const std::size_t length = lead >= 0xf0 && lead <= 0xf4 ? 4
        : lead >= 0xe0                                      ? 3
        : lead >= 0xc2 && lead < 0xe0                       ? 2
                                                            : 0;
    if (length == 0 || i + length > text.size())
        return 0;
    for (std::size_t k = 1; k < length; ++k)
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
    if ((lead == 0xe0 && byte(i + 1) < 0xa0) || (lead == 0xed && byte(i + 1) >= 0xa0) // overlong, surrogates
        || (lead == 0xf0 && byte(i + 1) < 0x90) || (lead == 0xf4 && byte(i + 1) >= 0x90))
        return 0;
    return length;
}

// The code point of a valid 3-byte sequence.
unsigned codePoint3(std::string_view text, std::size_t i)
{
    return (static_cast<unsigned char>(text[i]) & 0x0fu) << 12 | (static_cast<unsigned char>(text[i + 1]) & 0x3fu) << 6
        | (static_cast<unsigned char>(text[i + 2]) & 0x3fu);
}

// Characters that move text rather than show it: line and paragraph separators (a new line in
// Qt and many terminals), and the marks, embeddings, overrides and isolates of bidirectional
// text (which can show "exe.txt" for "txt.exe").
bool movesText(unsigned cp)
{
    return cp == 0x2028 || cp == 0x2029 || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e)
        || (cp >= 0x2066 && cp <= 0x2069);
}

} // namespace

std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += char(c);
            ++i;
        } else if (c == '\n') {
            out += "\\n", ++i;
        } else if (c == '\t') {
            out += "\\t", ++i;
        } else if (c == '\r') {
            out += "\\r", ++i;
        } else if (c < 0x80) {
            appendHex(out, "\\x%02x", c), ++i;
        } else if (const std::size_t n = sequenceLength(text, i); n == 0) {
            appendHex(out, "\\x%02x", c), ++i;
        } else if (n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
            appendHex(out, "\\u%04x", static_cast<unsigned char>(text[i + 1])), i += 2; // C1 controls
        } else if (n == 3 && movesText(codePoint3(text, i))) {
            appendHex(out, "\\u%04x", codePoint3(text, i)), i += 3;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

} // namespace ckpt
