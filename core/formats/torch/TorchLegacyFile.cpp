#include "formats/torch/TorchLegacyFile.h"

#include "base/CheckpointError.h"

namespace ckpt {

namespace {
using pickle::Kind;

// MAGIC_NUMBER = 0x1950a86a20f9469cfc6c in torch/serialization.py.
constexpr const char* kMagicDecimal = "119547037146038801333356";
constexpr std::int64_t kProtocolVersion = 1001;

pickle::Document unpickleAt(std::span<const std::byte> bytes, std::uint64_t& offset, const char* what,
    const pickle::PickleOptions& options = {})
{
    if (offset >= bytes.size())
        throw FormatError(std::string("file ends before the ") + what + " pickle (truncated)");
    try {
        pickle::Document d = pickle::unpickle(bytes.subspan(offset), options);
        offset += d.endOffset();
        return d;
    } catch (const FormatError& e) {
        throw FormatError(
            std::string("in the ") + what + " pickle at offset " + std::to_string(offset) + ": " + e.what());
    }
}
} // namespace

bool isTorchLegacyHead(std::span<const std::byte> head)
{
    // Protocols 2 and later start with PROTO (0x80); 0 and 1 write the magic as a text LONG.
    if (head.empty() || (static_cast<std::uint8_t>(head[0]) != 0x80 && static_cast<char>(head[0]) != 'L'))
        return false;
    try {
        std::uint64_t offset = 0;
        const auto magic = unpickleAt(head.first(std::min<std::size_t>(head.size(), 64)), offset, "magic");
        return magic.root().kind == Kind::BigInt && magic.root().text == kMagicDecimal;
    } catch (const FormatError&) {
        return false;
    }
}

TorchLegacyFile readTorchLegacyFile(const ByteSource& file, std::span<const std::byte> bytes)
{
    std::uint64_t offset = 0;
    const auto magic = unpickleAt(bytes, offset, "magic number");
    if (magic.root().kind != Kind::BigInt || magic.root().text != kMagicDecimal)
        throw FormatError("not a torch legacy file (wrong magic number)");
    const auto protocol = unpickleAt(bytes, offset, "protocol version");
    if (protocol.root().kind != Kind::Int || protocol.root().integer != kProtocolVersion)
        throw FormatError("unsupported legacy protocol version " + pickle::toDisplayString(protocol.root()));
    const auto sysInfo = unpickleAt(bytes, offset, "sys_info");
    if (const auto* little = sysInfo.root().find("little_endian");
        little && little->kind == Kind::Bool && !little->boolean)
        throw FormatError("written on a big-endian machine by an old torch; not supported");

    TorchLegacyFile out;
    std::map<std::string, TorchStorageRef> roots;
    pickle::PickleOptions options;
    options.onPersistentId = [&roots](const pickle::Value& pid) {
        if (pid.kind == Kind::Tuple && !pid.items.empty() && pid.items[0]->kind == Kind::String
            && pid.items[0]->text == "module")
            return; // a whole-module pickle's class (the unpickler keeps the class in its place)
        TorchStorageRef ref = parseTorchStorageId(pid);
        auto [it, inserted] = roots.emplace(ref.key, ref);
        if (!inserted && (it->second.dtype != ref.dtype || it->second.numel != ref.numel))
            throw FormatError("storage " + ref.key + " is described twice with different types or sizes");
    };
    out.object = unpickleAt(bytes, offset, "object", options);
    const auto keys = unpickleAt(bytes, offset, "storage keys");
    if (keys.root().kind != Kind::List)
        throw FormatError("the storage key pickle is not a list");

    for (const pickle::Value* key : keys.root().items) {
        if (key->kind != Kind::String)
            throw FormatError("a storage key is not a string");
        auto it = roots.find(key->text);
        if (it == roots.end())
            throw FormatError("storage " + key->text + " is listed but never used by the pickle");
        const TorchStorageRef& ref = it->second;
        if (out.storages.count(ref.key))
            throw FormatError("storage " + ref.key + " is listed twice");
        if (offset > file.size() || file.size() - offset < 8)
            throw FormatError("file ends before the record of storage " + ref.key + " at offset "
                + std::to_string(offset) + " (truncated?)");
        const auto countBytes = file.readVector(offset, 8);
        std::uint64_t count = 0;
        for (int i = 7; i >= 0; --i)
            count = (count << 8) | static_cast<std::uint8_t>(countBytes[static_cast<std::size_t>(i)]);
        if (count != static_cast<std::uint64_t>(ref.numel))
            throw FormatError("storage " + ref.key + " holds " + std::to_string(count) + " elements, the pickle says "
                + std::to_string(ref.numel));
        const std::uint64_t nbytes = static_cast<std::uint64_t>(ref.nbytes());
        const std::uint64_t dataOffset = offset + 8;
        if (dataOffset > file.size() || nbytes > file.size() - dataOffset)
            throw FormatError("storage " + ref.key + " (" + std::to_string(nbytes) + " bytes at offset "
                + std::to_string(dataOffset) + ") runs past the end of the file (" + std::to_string(file.size())
                + " bytes; truncated?)");
        out.storages[ref.key] = { dataOffset, nbytes };
        offset = dataOffset + nbytes;
    }
    for (const auto& [key, ref] : roots)
        if (!out.storages.count(key))
            throw FormatError("storage " + key + " is used by the pickle but has no data record");
    return out;
}

} // namespace ckpt
