#pragma once

#include "report/TensorTable.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt {

// A filter over the rows of the tensor table, as a user types it (issue 20):
//   nan > 0        std < 1e-6 and name ~ "attn"        stable_rank < 5 or not (dtype == float32)
// A comparison is a column, an operator (< <= > >= == != for numbers; == != ~ !~ for text, ~
// meaning "contains", ignoring case) and a number or a text (quoted, or one bare word). Comparisons
// join with and, or, not (also &&, ||, !) and parentheses. A missing value (no spectral norm for a
// vector, no mean without finite values) satisfies no comparison, as in SQL.
class TableFilter {
public:
    TableFilter(); // matches every row
    // Throws TableFilterError naming the problem and where it is.
    static TableFilter parse(std::string_view text);

    bool matches(const TensorTableRow& row) const;
    bool matchesEverything() const { return !root_; }
    // Whether a column of the spectral metrics (which need --metrics all) is named.
    bool needsSpectral() const { return needsSpectral_; }

    struct Node;

private:
    std::shared_ptr<const Node> root_;
    bool needsSpectral_ = false;
};

class TableFilterError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The columns a filter can name, numeric ones first.
std::vector<std::string> tableFilterColumns();

} // namespace ckpt
