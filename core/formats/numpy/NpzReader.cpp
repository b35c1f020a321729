#include "formats/numpy/NpzReader.h"

#include "base/CheckpointError.h"
#include "codec/ZipArchive.h"
#include "formats/numpy/NpyArray.h"

namespace ckpt {

namespace {
constexpr std::string_view kSuffix = ".npy";

bool endsWithNpy(std::string_view name)
{
    return name.size() > kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix;
}
} // namespace

// The first local header's member name must end with ".npy"; open() checks all the others.
bool NpzReader::matches(const FileProbe& probe) const
{
    if (!probe.startsWith(std::string_view("PK\3\4", 4)) || probe.head.size() < 30)
        return false;
    const std::size_t nameLen = probe.head[26] | (std::size_t(probe.head[27]) << 8);
    if (nameLen == 0 || probe.head.size() < 30 + nameLen)
        return false;
    return endsWithNpy(std::string_view(reinterpret_cast<const char*>(probe.head.data()) + 30, nameLen));
}

void NpzReader::read(const FileProbe& probe, Checkpoint& c) const
{
    std::string current;
    try {
        auto file = std::make_shared<FileByteSource>(probe.path);
        auto archive = ZipArchive::open(probe.path, file, ZipOpenOptions { .checkConsistency = true });
        for (const auto& member : archive->members()) {
            if (!endsWithNpy(member.name)) { // np.savez only writes .npy members; others are listed
                c.metadata["npz.other_members"].push_back(member.name);
                continue;
            }
            current = member.name;
            const std::string key = member.name.substr(0, member.name.size() - kSuffix.size());
            const std::string where = "member " + member.name + (member.deflated() ? " (deflated), " : ", ");
            auto bytes = archive->memberBytes(member);
            appendNpyTensors(bytes, NpyPlacement { key, key + ".", where, file->size(), member.deflated() }, c);
            current.clear();
        }
    } catch (const FormatError& e) {
        if (current.empty())
            throw;
        throw FormatError("member '" + current + "': " + e.what());
    }
}

} // namespace ckpt
