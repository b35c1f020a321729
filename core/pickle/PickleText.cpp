// Text decoding for the unpickler: protocol 0 literals, latin-1, UTF-8 repair, big integers.
#include "pickle/Unpickler_p.h"

#include "base/Utf8.h"

#include <algorithm>

namespace ckpt::pickle {

namespace {
int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

std::string latin1ToUtf8(std::string_view latin1)
{
    std::string out;
    out.reserve(latin1.size());
    for (char c : latin1)
        appendUtf8(out, static_cast<unsigned char>(c));
    return out;
}

std::string decodeRawUnicodeEscape(std::string_view raw)
{
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == 'u' || raw[i + 1] == 'U')) {
            const std::size_t digits = raw[i + 1] == 'u' ? 4 : 8;
            if (i + 2 + digits <= raw.size()) {
                std::uint32_t cp = 0;
                bool ok = true;
                for (std::size_t k = 0; k < digits && ok; ++k) {
                    const int h = hexValue(raw[i + 2 + k]);
                    ok = h >= 0;
                    cp = (cp << 4) | static_cast<std::uint32_t>(std::max(h, 0));
                }
                if (ok) {
                    appendUtf8(out, cp);
                    i += 1 + digits;
                    continue;
                }
            }
        }
        appendUtf8(out, static_cast<unsigned char>(raw[i]));
    }
    return out;
}

std::string decodePythonStringLiteral(std::string_view q, bool& ok)
{
    ok = false;
    while (!q.empty() && (q.back() == '\r' || q.back() == ' '))
        q.remove_suffix(1);
    if (q.size() < 2 || (q.front() != '\'' && q.front() != '"') || q.back() != q.front())
        return {};
    q = q.substr(1, q.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i] != '\\' || i + 1 == q.size()) {
            out += q[i];
            continue;
        }
        const char e = q[++i];
        switch (e) {
        case 'n':
            out += '\n';
            break;
        case 't':
            out += '\t';
            break;
        case 'r':
            out += '\r';
            break;
        case 'a':
            out += '\a';
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'v':
            out += '\v';
            break;
        case '\n':
            break;
        case 'x':
            if (i + 2 < q.size() && hexValue(q[i + 1]) >= 0 && hexValue(q[i + 2]) >= 0) {
                out += static_cast<char>(hexValue(q[i + 1]) * 16 + hexValue(q[i + 2]));
                i += 2;
            } else {
                return {};
            }
            break;
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 0; k < 2 && i + 1 < q.size() && q[i + 1] >= '0' && q[i + 1] <= '7'; ++k)
                    v = v * 8 + (q[++i] - '0');
                out += static_cast<char>(v & 0xFF);
            } else if (e == '\\' || e == '\'' || e == '"') {
                out += e;
            } else {
                out += '\\';
                out += e;
            }
        }
    }
    ok = true;
    return out;
}

std::string twosComplementToDecimal(std::span<const std::byte> le)
{
    if (le.empty())
        return "0";
    // Pickled integers of thousands of digits are not checkpoint data; keep the work bounded.
    if (le.size() > 128)
        return "<integer of " + std::to_string(le.size()) + " bytes>";
    std::vector<std::uint8_t> mag(le.size());
    for (std::size_t i = 0; i < le.size(); ++i)
        mag[i] = static_cast<std::uint8_t>(le[i]);
    const bool negative = mag.back() & 0x80;
    if (negative) { // magnitude = ~x + 1
        unsigned carry = 1;
        for (auto& b : mag) {
            const unsigned v = static_cast<std::uint8_t>(~b) + carry;
            b = static_cast<std::uint8_t>(v);
            carry = v >> 8;
        }
    }
    std::string digits;
    while (std::any_of(mag.begin(), mag.end(), [](std::uint8_t b) { return b != 0; })) {
        unsigned rem = 0;
        for (std::size_t i = mag.size(); i-- > 0;) {
            const unsigned cur = (rem << 8) | mag[i];
            mag[i] = static_cast<std::uint8_t>(cur / 10);
            rem = cur % 10;
        }
        digits += static_cast<char>('0' + rem);
    }
    if (digits.empty())
        digits = "0";
    if (negative)
        digits += '-';
    std::reverse(digits.begin(), digits.end());
    return digits;
}

} // namespace ckpt::pickle
