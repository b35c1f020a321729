#pragma once

#include "pickle/Value.h"
#include "tensor/DType.h"
#include "tensor/Tensor.h"

#include <optional>
#include <string_view>

namespace ckpt {

// A numpy dtype code as pickles carry it (numpy.dtype('f4'), 'i8', 'b1', 'c16') → DType;
// nullopt for strings, objects, records and the like.
std::optional<DType> numpyDTypeFromCode(std::string_view code);

// A numeric numpy array held inside a pickle (numpy _reconstruct + BUILD with its bytes in the
// pickle), as a tensor. Throws FormatError for non-numeric dtypes or inconsistent sizes.
Tensor tensorFromPickledNumpyArray(const std::string& name, const pickle::Value& array);

} // namespace ckpt
