#pragma once

#include "formats/torch/TorchStorage.h"
#include "io/ByteSource.h"
#include "pickle/Unpickler.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace ckpt {

// The pre-1.6 torch.save layout (_use_new_zipfile_serialization=False): five things back to
// back — pickles of the magic number, the protocol version (1001) and sys_info, the object
// pickle (storages as persistent ids), the pickled list of storage keys — then, per key in
// that order, an int64 element count and the storage's raw little-endian bytes.
struct TorchLegacyFile {
    struct StorageRecord {
        std::uint64_t dataOffset = 0; // of the raw bytes in the file
        std::uint64_t nbytes = 0;
    };
    pickle::Document object; // the object pickle
    std::map<std::string, StorageRecord> storages; // by root key
};

// True when `head` starts with the pickled legacy magic number.
bool isTorchLegacyHead(std::span<const std::byte> head);

// Parses the pickles and walks the storage records (8 bytes read per storage); the storage
// bytes themselves are not read. Throws FormatError on anything malformed or truncated.
TorchLegacyFile readTorchLegacyFile(const ByteSource& file, std::span<const std::byte> bytes);

} // namespace ckpt
