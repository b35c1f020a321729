#pragma once

#include "formats/hdf5/Hdf5Handle.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ckpt::hdf5 {

// Reads an attribute (or a small dataset) as JSON: numbers, strings (fixed or variable
// length), arrays of them. Large arrays are cut to their first elements with a note; types
// that are not numbers or strings become a short description, never an error.
nlohmann::ordered_json readAttribute(hid_t attribute);
nlohmann::ordered_json readDatasetValue(hid_t dataset);

// All attributes of an object, by name.
std::vector<std::pair<std::string, nlohmann::ordered_json>> readAttributes(hid_t object);

// A string list attribute as Keras writes it ("layer_names", "weight_names"), including the
// chunked form name0, name1, ... used when the list is too long for one attribute.
std::vector<std::string> readStringListAttribute(hid_t object, const std::string& name, bool& found);

// A string attribute, or "" when absent or not a string.
std::string readStringAttribute(hid_t object, const std::string& name);

} // namespace ckpt::hdf5
