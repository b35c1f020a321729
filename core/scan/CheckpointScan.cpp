#include "scan/CheckpointScan.h"

#include "base/CheckpointError.h"
#include "codec/ZipArchive.h"
#include "formats/FileProbe.h"
#include "formats/numpy/NpyHeader.h"
#include "io/ByteSource.h"
#include "open/ReaderRegistry.h"
#include "pickle/Unpickler.h"
#include "scan/KerasConfigRisks.h"

#include <algorithm>
#include <map>

namespace ckpt {

namespace {

constexpr std::uint64_t kMaxPickleBytes = std::uint64_t(1) << 30; // larger pickles are not scanned
constexpr int kMaxChainedPickles = 8; // legacy torch files hold five

class Scanner {
public:
    explicit Scanner(ScanReport& report)
        : report_(report)
    {
    }

    // The size of the file scanned: what its pickles may cost is measured against it.
    void setFileSize(std::uint64_t size) { fileSize_ = size; }

    // The largest pickle scanned: what the torch reader inflates (48 MiB and the file's size).
    std::uint64_t maxPickleBytes() const { return std::min(kMaxPickleBytes, (std::uint64_t(48) << 20) + fileSize_); }

    void add(Risk risk, std::string what, std::string why, const std::string& where)
    {
        const auto key = std::make_pair(what, where);
        if (auto it = seen_.find(key); it != seen_.end()) {
            ++report_.findings[it->second].count;
            return;
        }
        seen_[key] = report_.findings.size();
        report_.findings.push_back({ risk, std::move(what), std::move(why), where, 1 });
    }

    // Every pickle chained from the start of `bytes` (one for most files; a legacy torch file
    // has five in a row, then raw storage bytes).
    void scanPickles(std::span<const std::byte> bytes, const std::string& where, int maxPickles)
    {
        std::uint64_t offset = 0;
        for (int i = 0; i < maxPickles && offset + 2 <= bytes.size(); ++i) {
            if (i > 0 && bytes[offset] != std::byte { 0x80 })
                return; // past the pickles
            pickle::PickleOptions options;
            options.onPersistentId = [](const pickle::Value&) {};
            options.maxGraphBytes = pickle::defaultGraphBudget(fileSize_); // as the readers do
            options.onCode = [&](const pickle::CodeUse& use) { note(use, where); };
            try {
                offset += pickle::unpickle(bytes.subspan(offset), options).endOffset();
            } catch (const std::exception& e) {
                if (i == 0) // a later "pickle" may be a legacy file's raw storage bytes
                    fail((where.empty() ? std::string("the pickle") : where) + " cannot be read to its end (" + e.what()
                        + ")");
                return;
            }
        }
    }

    void fail(const std::string& why)
    {
        if (report_.unreadable.empty())
            report_.unreadable = why;
    }

private:
    void note(const pickle::CodeUse& use, const std::string& where)
    {
        const GlobalRisk risk = classifyGlobal(use.global.module, use.global.name);
        const std::string alias
            = risk.resolved == use.global.qualifiedName() ? "" : " (pickled as " + use.global.qualifiedName() + ")";
        switch (use.kind) {
        case pickle::CodeUse::Kind::Import:
            add(risk.risk, "import " + risk.resolved + alias, risk.why, where);
            return;
        case pickle::CodeUse::Kind::Instantiate:
            if (risk.risk != Risk::Safe)
                add(risk.risk, "instantiate " + risk.resolved + alias, risk.why, where);
            return;
        case pickle::CodeUse::Kind::SetState:
            add(risk.risk, "store " + risk.resolved + alias + " as __setstate__, which the next BUILD calls", risk.why,
                where);
            return;
        case pickle::CodeUse::Kind::Call:
            if (risk.risk != Risk::Safe)
                add(risk.risk,
                    "call " + risk.resolved + (use.args ? pickle::toDisplayString(*use.args, 2, 160) : "()") + alias,
                    risk.why, where);
            return;
        }
    }

    ScanReport& report_;
    std::uint64_t fileSize_ = 0;
    std::map<std::pair<std::string, std::string>, std::size_t> seen_;
};

std::vector<std::byte> readAll(const ByteSource& bytes, const std::string& what, std::uint64_t limit)
{
    if (bytes.size() > limit)
        throw FormatError((what.empty() ? std::string("the pickle") : what) + " is larger than "
            + std::to_string(limit >> 20) + " MiB; not scanned");
    return bytes.readVector(0, static_cast<std::size_t>(bytes.size()));
}

bool startsWith(const ByteSource& bytes, std::string_view magic)
{
    if (bytes.size() < magic.size())
        return false;
    return bytes.readString(0, magic.size()) == magic;
}

// An .npy holds a pickle when its dtype is object.
void scanNpy(Scanner& scanner, const ByteSource& bytes, const std::string& where)
{
    const NpyHeader header = readNpyHeader(bytes);
    if (!header.isObject || header.dataOffset >= bytes.size())
        return;
    SubByteSource data(std::shared_ptr<const ByteSource>(&bytes, [](const ByteSource*) {}), header.dataOffset,
        bytes.size() - header.dataOffset);
    const auto pickled = readAll(data, where, scanner.maxPickleBytes());
    scanner.scanPickles(pickled, where, 1);
}

bool isPickleName(const std::string& name)
{
    for (std::string_view ext : { ".pkl", ".pickle", ".pt", ".pth", ".bin" })
        if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
            return true;
    return false;
}

void scanZip(Scanner& scanner, const std::string& path, const std::shared_ptr<const ByteSource>& file)
{
    const auto archive = ZipArchive::open(path, file, ZipOpenOptions { .checkConsistency = true });
    for (const auto& member : archive->members()) {
        const auto bytes = archive->memberBytes(member);
        const std::string where = member.name;
        if (member.name.size() > 4 && member.name.compare(member.name.size() - 4, 4, ".npy") == 0) {
            scanNpy(scanner, *bytes, where);
        } else if (isPickleName(member.name) && startsWith(*bytes, "\x80")) {
            if (member.size > scanner.maxPickleBytes())
                throw FormatError(
                    where + " is larger than " + std::to_string(scanner.maxPickleBytes() >> 20) + " MiB; not scanned");
            if (member.deflated()) { // inflated into memory: a private copy already, scanned in place
                scanner.scanPickles({ bytes->data(), bytes->size() }, where, 1);
            } else {
                const auto pickled = readAll(*bytes, where, scanner.maxPickleBytes());
                scanner.scanPickles(pickled, where, 1);
            }
        } else if (member.name == "config.json") {
            const auto text = readAll(*bytes, where, scanner.maxPickleBytes());
            for (auto& f : kerasConfigRisks(std::string(reinterpret_cast<const char*>(text.data()), text.size())))
                scanner.add(f.risk, f.what, f.why, where);
        }
    }
}

bool leavesTheFolder(const std::string& reason)
{
    for (std::string_view mark : { "leaves the checkpoint's folder", "is an absolute path", "outside the archive" })
        if (reason.find(mark) != std::string::npos)
            return true;
    return false;
}

// Data refused because it lies outside the checkpoint's folder is a risk of its own.
void scanTensors(Scanner& scanner, const Checkpoint& c)
{
    for (const auto& t : c.tensors)
        if (leavesTheFolder(t.info.unreadable))
            scanner.add(Risk::Unsafe, "read a file outside the checkpoint's folder for '" + t.info.name + "'",
                t.info.unreadable, "");
}

// What opening the file as a checkpoint finds; any failure but a refusal to read outside the
// folder (or a pickle's refused call, already classified) means the file cannot be read.
void scanAsCheckpoint(Scanner& scanner, const std::string& path, bool picklesFound)
{
    try {
        scanTensors(scanner, openCheckpoint(path));
    } catch (const CheckpointError& e) {
        if (leavesTheFolder(e.reason()))
            scanner.add(Risk::Unsafe, "read a file outside the checkpoint's folder", e.reason(), "");
        else if (!(picklesFound && e.reason().find("refuses to call") != std::string::npos))
            scanner.fail(e.reason());
    }
}

// The pickles and Keras configs in the file; returns whether any global or risk was seen.
bool scanContent(Scanner& scanner, ScanReport& report, const std::string& path)
{
    try {
        const FileProbe probe = FileProbe::read(path);
        auto file = std::make_shared<FileByteSource>(path);
        scanner.setFileSize(file->size());
        if (probe.startsWith("PK\x03\x04")) {
            scanZip(scanner, path, file);
        } else if (probe.startsWith("\x93NUMPY")) {
            scanNpy(scanner, *file, "");
        } else if (probe.startsWith("\x80") && probe.head.size() > 1 && probe.head[1] >= 2 && probe.head[1] <= 5) {
            const auto bytes = readAll(*file, "the file", scanner.maxPickleBytes());
            scanner.scanPickles(bytes, "", kMaxChainedPickles); // a plain pickle or a legacy torch file
        }
    } catch (const CheckpointError& e) {
        scanner.fail(e.reason());
    } catch (const std::exception& e) {
        scanner.fail(e.what());
    }
    return !report.findings.empty();
}

} // namespace

bool ScanReport::unsafe() const
{
    return std::any_of(findings.begin(), findings.end(), [](const ScanFinding& f) { return f.risk == Risk::Unsafe; });
}

std::string ScanReport::verdict() const
{
    return unsafe() ? "unsafe" : !unreadable.empty() ? "unreadable" : "clean";
}

std::string ScanReport::unsafeSummary(std::size_t maxLength) const
{
    std::string out;
    for (const auto& f : findings) {
        if (f.risk != Risk::Unsafe || f.what.rfind("import ", 0) == 0)
            continue;
        out += (out.empty() ? "" : "; ") + f.what;
    }
    if (out.empty()) // only imports: name them
        for (const auto& f : findings)
            if (f.risk == Risk::Unsafe)
                out += (out.empty() ? "" : "; ") + f.what;
    if (out.size() > maxLength)
        out = out.substr(0, maxLength) + "...";
    return out;
}

ScanReport scanFile(const std::string& path)
{
    ScanReport report;
    report.file = path;
    Scanner scanner(report);
    const bool picklesFound = scanContent(scanner, report, path);
    scanAsCheckpoint(scanner, path, picklesFound);
    return report;
}

ScanReport scanFile(const std::string& path, const Checkpoint& opened)
{
    ScanReport report;
    report.file = path;
    Scanner scanner(report);
    scanContent(scanner, report, path);
    scanTensors(scanner, opened);
    return report;
}

} // namespace ckpt
