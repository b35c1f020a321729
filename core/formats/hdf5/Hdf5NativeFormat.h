#pragma once

namespace ckpt::hdf5 {

// Names used by our native HDF5 layout (written by Hdf5Writer, read by Hdf5Reader).
inline constexpr const char* kFormatAttr = "ckpt_format"; // root: "ckptview"
inline constexpr const char* kFormatValue = "ckptview";
inline constexpr const char* kFormatVersionAttr = "ckpt_format_version"; // root: 1
inline constexpr int kFormatVersion = 1;
inline constexpr const char* kWriterAttr = "writer"; // root: "ckptview 0.1.0"
inline constexpr const char* kTensorNameAttr = "tensor_name"; // dataset: original full name
inline constexpr const char* kDTypeAttr = "dtype"; // dataset: "bfloat16", "float32", ...
inline constexpr const char* kArchitectureAttr = "architecture"; // root: JSON of the network

} // namespace ckpt::hdf5
