#pragma once

#include "tensor/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ckpt {

// A rectangle of cells of a 2-D slice of an N-d tensor: two axes are rows and columns (-1 when
// the tensor has fewer), every other axis is fixed at an index.
struct SliceBlockRequest {
    int rowAxis = -1;
    int colAxis = -1;
    std::vector<std::int64_t> fixed; // one index per axis; those of the row and column axes are ignored
    std::int64_t firstRow = 0;
    std::int64_t firstColumn = 0;
    int rows = 0;
    int columns = 0;
};

// The cells, row-major: each as float64 (for colouring and plots) and as its exact text (64-bit
// integers keep every digit, floats the shortest text that reads back the same).
struct SliceBlockValues {
    std::vector<double> values;
    std::vector<std::string> exact;
    int rows = 0;
    int columns = 0;
};

// Reads the cells through the tensor's data source. Throws what the source throws, and
// std::out_of_range when the request lies outside the tensor.
SliceBlockValues readSliceBlock(const Tensor& tensor, const SliceBlockRequest& request);

// The same cells as float64 only (row-major; rows x columns of the block readSliceBlock returns),
// converted in bulk: for pictures of many cells, whose exact text nobody reads.
std::vector<double> readSliceValues(const Tensor& tensor, const SliceBlockRequest& request);

} // namespace ckpt
