#pragma once

#include <hdf5.h>

#include <string>

namespace ckpt::hdf5 {

// HDF5 filters beyond libhdf5's own are shared libraries ("plugins") that libhdf5 loads by filter
// id. We load them ourselves from the same places — HDF5_PLUGIN_PATH when the user set it, else
// the folder where Debian's filter packages install them — never from a file's own folder.

// The decoder of filter `id`, or nullptr when no installed plugin provides it.
const H5Z_class2_t* filterPlugin(H5Z_filter_t id);

// The filter's common name ("blosc") when it is a registered filter we know, else "".
std::string knownFilterName(H5Z_filter_t id);

// What to install for filter `id` (" (Debian package hdf5-filter-plugin-blosc-serial)"), or "".
std::string filterPackageHint(H5Z_filter_t id);

// libhdf5 would load any plugin it finds (Debian's are in its default path) whenever it undoes a
// pipeline itself (virtual-dataset sources, n-bit and scale-offset chunks), including decoders
// that trust their input. Its plugin loading is turned off: plugins run only through
// decodeChunk, which chooses them. Call with the HDF5 lock held; does its work once.
void disableLibhdf5Plugins();

} // namespace ckpt::hdf5
