#include "report/TableFilter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>

namespace ckpt {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

double spectral(const TensorTableRow& r, double SpectralMetrics::*field)
{
    return r.spectral ? (*r.spectral).*field : kMissing;
}

double finiteOnly(const TensorTableRow& r, double v)
{
    return r.stats.finite > 0 ? v : kMissing;
}

struct NumberColumn {
    const char* name;
    std::function<double(const TensorTableRow&)> value;
    bool spectral = false;
};

const std::vector<NumberColumn>& numberColumns()
{
    static const std::vector<NumberColumn> columns = {
        { "count", [](const TensorTableRow& r) { return double(r.stats.count); } },
        { "ndim", [](const TensorTableRow& r) { return double(r.info.shape.size()); } },
        { "min", [](const TensorTableRow& r) { return finiteOnly(r, r.stats.min); } },
        { "max", [](const TensorTableRow& r) { return finiteOnly(r, r.stats.max); } },
        { "mean", [](const TensorTableRow& r) { return finiteOnly(r, r.stats.mean); } },
        { "std", [](const TensorTableRow& r) { return finiteOnly(r, r.stats.std); } },
        { "max_abs", [](const TensorTableRow& r) { return finiteOnly(r, r.maxAbs); } },
        { "l2", [](const TensorTableRow& r) { return finiteOnly(r, r.l2); } },
        { "zero_fraction", [](const TensorTableRow& r) { return r.zeroFraction; } },
        { "nan", [](const TensorTableRow& r) { return double(r.stats.nan); } },
        { "posinf", [](const TensorTableRow& r) { return double(r.stats.posInf); } },
        { "neginf", [](const TensorTableRow& r) { return double(r.stats.negInf); } },
        { "inf", [](const TensorTableRow& r) { return double(r.stats.posInf + r.stats.negInf); } },
        { "denormal_fraction", [](const TensorTableRow& r) { return r.denormalFraction(); } },
        { "beyond_float16_fraction", [](const TensorTableRow& r) { return r.beyondFloat16Fraction(); } },
        { "spectral_norm", [](const TensorTableRow& r) { return spectral(r, &SpectralMetrics::spectralNorm); }, true },
        { "stable_rank", [](const TensorTableRow& r) { return spectral(r, &SpectralMetrics::stableRank); }, true },
        { "effective_rank", [](const TensorTableRow& r) { return spectral(r, &SpectralMetrics::effectiveRank); },
            true },
        { "alpha", [](const TensorTableRow& r) { return spectral(r, &SpectralMetrics::alpha); }, true },
        { "alpha_ks", [](const TensorTableRow& r) { return spectral(r, &SpectralMetrics::alphaKs); }, true },
    };
    return columns;
}

struct TextColumn {
    const char* name;
    std::function<std::string(const TensorTableRow&)> value;
};

const std::vector<TextColumn>& textColumns()
{
    static const std::vector<TextColumn> columns = {
        { "name", [](const TensorTableRow& r) { return r.info.name; } },
        { "dtype", [](const TensorTableRow& r) { return std::string(dtypeName(r.info.dtype)); } },
        { "shape", [](const TensorTableRow& r) { return shapeToString(r.info.shape); } },
    };
    return columns;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

struct Token {
    enum Kind { Word, Number, Text, Operator, Open, Close, End } kind;
    std::string text;
    double number = 0;
    std::size_t at = 0; // position in the filter, from 1
};

class Lexer {
public:
    explicit Lexer(std::string_view s)
        : s_(s)
    {
    }

    Token next()
    {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
            ++i_;
        Token t { Token::End, {}, 0, i_ + 1 };
        if (i_ == s_.size())
            return t;
        const char c = s_[i_];
        if (c == '(' || c == ')') {
            ++i_;
            t.kind = c == '(' ? Token::Open : Token::Close;
            t.text = c;
            return t;
        }
        if (c == '"' || c == '\'')
            return quoted(t, c);
        for (const char* op : { "<=", ">=", "==", "!=", "!~", "&&", "||", "<", ">", "=", "~", "!" })
            if (s_.substr(i_).starts_with(op)) {
                i_ += std::string_view(op).size();
                t.kind = Token::Operator;
                t.text = op;
                return t;
            }
        const std::size_t start = i_;
        while (
            i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) && !std::strchr("()<>=!~&|\"'", s_[i_]))
            ++i_;
        if (i_ == start)
            throw TableFilterError("unexpected '" + std::string(1, c) + "' at " + std::to_string(t.at));
        t.text = std::string(s_.substr(start, i_ - start));
        const char* end = t.text.data() + t.text.size();
        const auto parsed = std::from_chars(t.text.data(), end, t.number);
        // A column named like a number (nan, inf) stays a word: numbers start with a digit, a sign or a point.
        const bool numeric = std::isdigit(static_cast<unsigned char>(t.text[0])) || std::strchr("+-.", t.text[0]);
        t.kind = numeric && parsed.ec == std::errc() && parsed.ptr == end ? Token::Number : Token::Word;
        return t;
    }

private:
    Token quoted(Token t, char quote)
    {
        ++i_;
        t.kind = Token::Text;
        while (i_ < s_.size() && s_[i_] != quote) {
            if (s_[i_] == '\\' && i_ + 1 < s_.size())
                ++i_;
            t.text += s_[i_++];
        }
        if (i_ == s_.size())
            throw TableFilterError("the text starting at " + std::to_string(t.at) + " has no closing " + quote);
        ++i_;
        return t;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

} // namespace

// A node is a comparison (a column and a value) or an and/or/not of nodes.
struct TableFilter::Node {
    enum Kind { And, Or, Not, CompareNumber, CompareText } kind;
    std::shared_ptr<const Node> left, right;
    const NumberColumn* number = nullptr;
    const TextColumn* text = nullptr;
    std::string op, textValue;
    double numberValue = 0;

    bool eval(const TensorTableRow& row) const
    {
        switch (kind) {
        case And:
            return left->eval(row) && right->eval(row);
        case Or:
            return left->eval(row) || right->eval(row);
        case Not:
            return !left->eval(row);
        case CompareNumber:
            return compare(number->value(row));
        case CompareText:
            return compareText(text->value(row));
        }
        return false;
    }

    bool compare(double v) const
    {
        if (std::isnan(v))
            return false; // missing: no comparison holds
        if (op == "<")
            return v < numberValue;
        if (op == "<=")
            return v <= numberValue;
        if (op == ">")
            return v > numberValue;
        if (op == ">=")
            return v >= numberValue;
        if (op == "!=")
            return v != numberValue;
        return v == numberValue;
    }

    bool compareText(const std::string& v) const
    {
        if (op == "~" || op == "!~")
            return (lower(v).find(lower(textValue)) != std::string::npos) == (op == "~");
        return (v == textValue) == (op != "!=");
    }
};

namespace {

class Parser {
public:
    explicit Parser(std::string_view s)
        : lexer_(s)
        , token_(lexer_.next())
    {
    }

    std::shared_ptr<const TableFilter::Node> parseAll(bool& needsSpectral)
    {
        auto node = parseOr();
        if (token_.kind != Token::End)
            throw TableFilterError("unexpected '" + token_.text + "' at " + std::to_string(token_.at));
        needsSpectral = needsSpectral_;
        return node;
    }

private:
    using NodePtr = std::shared_ptr<const TableFilter::Node>;

    bool isWord(const char* word) const { return token_.kind == Token::Word && lower(token_.text) == word; }
    bool isOperator(const char* op) const { return token_.kind == Token::Operator && token_.text == op; }
    void advance() { token_ = lexer_.next(); }

    NodePtr join(TableFilter::Node::Kind kind, NodePtr left, NodePtr right)
    {
        auto n = std::make_shared<TableFilter::Node>();
        n->kind = kind;
        n->left = std::move(left);
        n->right = std::move(right);
        return n;
    }

    NodePtr parseOr()
    {
        NodePtr node = parseAnd();
        while (isWord("or") || isOperator("||")) {
            advance();
            node = join(TableFilter::Node::Or, node, parseAnd());
        }
        return node;
    }

    NodePtr parseAnd()
    {
        NodePtr node = parseNot();
        while (isWord("and") || isOperator("&&")) {
            advance();
            node = join(TableFilter::Node::And, node, parseNot());
        }
        return node;
    }

    NodePtr parseNot()
    {
        if (isWord("not") || isOperator("!")) {
            advance();
            return join(TableFilter::Node::Not, parseNot(), nullptr);
        }
        if (token_.kind == Token::Open) {
            advance();
            NodePtr inner = parseOr();
            if (token_.kind != Token::Close)
                throw TableFilterError("a ')' is missing at " + std::to_string(token_.at));
            advance();
            return inner;
        }
        return parseComparison();
    }

    NodePtr parseComparison()
    {
        if (token_.kind != Token::Word)
            throw TableFilterError((token_.kind == Token::End
                    ? std::string("a column name is missing at the end")
                    : "expected a column name at " + std::to_string(token_.at) + ", found '" + token_.text + "'"));
        const Token column = token_;
        advance();
        if (token_.kind != Token::Operator || token_.text == "&&" || token_.text == "||" || token_.text == "!")
            throw TableFilterError(
                "expected <, <=, >, >=, ==, !=, ~ or !~ after '" + column.text + "' at " + std::to_string(token_.at));
        auto n = std::make_shared<TableFilter::Node>();
        n->op = token_.text == "=" ? "==" : token_.text;
        advance();
        const std::string key = lower(column.text);
        for (const NumberColumn& c : numberColumns())
            if (key == c.name) {
                const std::string word = lower(token_.text);
                if (token_.kind == Token::Word && (word == "inf" || word == "+inf" || word == "-inf")) {
                    token_.kind = Token::Number; // the value infinity (the column `inf` is the count)
                    token_.number = word[0] == '-' ? -HUGE_VAL : HUGE_VAL;
                }
                if (token_.kind != Token::Number)
                    throw TableFilterError(
                        "'" + column.text + "' is a number: expected a number at " + std::to_string(token_.at));
                if (n->op == "~" || n->op == "!~")
                    throw TableFilterError("~ compares text; '" + column.text + "' is a number");
                n->kind = TableFilter::Node::CompareNumber;
                n->number = &c;
                n->numberValue = token_.number;
                needsSpectral_ = needsSpectral_ || c.spectral;
                advance();
                return n;
            }
        for (const TextColumn& c : textColumns())
            if (key == c.name) {
                if (token_.kind != Token::Text && token_.kind != Token::Word && token_.kind != Token::Number)
                    throw TableFilterError("expected a text at " + std::to_string(token_.at));
                if (n->op != "==" && n->op != "!=" && n->op != "~" && n->op != "!~")
                    throw TableFilterError("'" + column.text + "' is text: use ==, !=, ~ or !~");
                n->kind = TableFilter::Node::CompareText;
                n->text = &c;
                n->textValue = token_.text;
                advance();
                return n;
            }
        std::string known;
        for (const std::string& name : tableFilterColumns())
            known += (known.empty() ? "" : ", ") + name;
        throw TableFilterError("unknown column '" + column.text + "' (columns: " + known + ")");
    }

    Lexer lexer_;
    Token token_;
    bool needsSpectral_ = false;
};

} // namespace

TableFilter::TableFilter() = default;

TableFilter TableFilter::parse(std::string_view text)
{
    TableFilter f;
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return f;
    if (text.size() > 4096)
        throw TableFilterError("the filter is longer than 4096 characters");
    Parser parser(text);
    f.root_ = parser.parseAll(f.needsSpectral_);
    return f;
}

bool TableFilter::matches(const TensorTableRow& row) const
{
    return !root_ || root_->eval(row);
}

std::vector<std::string> tableFilterColumns()
{
    std::vector<std::string> names;
    for (const auto& c : numberColumns())
        names.emplace_back(c.name);
    for (const auto& c : textColumns())
        names.emplace_back(c.name);
    return names;
}

} // namespace ckpt
