#include "formats/numpy/NpzWriter.h"

#include "base/CheckpointError.h"
#include "numerics/Stats.h"
#include "output/AtomicOutput.h"
#include "tensor/TensorChunks.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

namespace ckpt {

std::optional<std::string> npyDescr(DType d)
{
    switch (d) {
    case DType::Float64:
        return "<f8";
    case DType::Float32:
        return "<f4";
    case DType::Float16:
        return "<f2";
    case DType::Int64:
        return "<i8";
    case DType::Int32:
        return "<i4";
    case DType::Int16:
        return "<i2";
    case DType::Int8:
        return "|i1";
    case DType::UInt64:
        return "<u8";
    case DType::UInt32:
        return "<u4";
    case DType::UInt16:
        return "<u2";
    case DType::UInt8:
        return "|u1";
    case DType::Bool:
        return "|b1";
    case DType::Complex64:
        return "<c8";
    case DType::Complex128:
        return "<c16";
    default:
        return std::nullopt;
    }
}

std::string npyHeader(DType dtype, const Shape& shape)
{
    std::string shapeText = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        shapeText += std::to_string(shape[i]) + (shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "");
    shapeText += ")";
    std::string dict
        = "{'descr': '" + npyDescr(dtype).value_or("?") + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
    const bool v2 = dict.size() + 12 > 65535;
    const std::size_t prefix = v2 ? 12 : 10;
    const std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
    dict.append(total - prefix - dict.size() - 1, ' ');
    dict += '\n';
    std::string out = "\x93NUMPY";
    out += v2 ? '\x02' : '\x01';
    out += '\0';
    const std::size_t len = dict.size();
    for (std::size_t i = 0; i < (v2 ? 4u : 2u); ++i)
        out += char((len >> (8 * i)) & 0xff);
    return out + dict;
}

namespace {

// One member's bytes, produced while libzip writes: the .npy header, then the tensor in chunks.
struct MemberStream {
    const Tensor* tensor = nullptr;
    std::string header;
    std::uint64_t size = 0; // header + data
    std::uint64_t position = 0;
    std::vector<std::byte> chunk;
    std::int64_t chunkFirst = -1; // first element held in chunk
    std::string error;
    bool cancelled = false;
    zip_error_t zipError {};
    const WriteOptions* options = nullptr;
    std::int64_t* done = nullptr;
    std::int64_t total = 0;

    zip_int64_t read(std::byte* out, std::uint64_t want)
    {
        std::uint64_t produced = 0;
        while (produced < want && position < size) {
            if (position < header.size()) {
                const std::uint64_t n = std::min<std::uint64_t>(want - produced, header.size() - position);
                std::memcpy(out + produced, header.data() + position, n);
                produced += n;
                position += n;
                continue;
            }
            const std::uint64_t dataPos = position - header.size();
            const std::size_t elem = dtypeSize(tensor->info.dtype);
            // Pulled by libzip, so the chunks of the shared plan are read on demand, not walked.
            const ChunkPlan plan
                = planChunks(*tensor, ChunkShape { .targetElements = (std::int64_t(8) << 20) / std::int64_t(elem) });
            const std::int64_t element = std::int64_t(dataPos / elem);
            if (chunkFirst < 0 || element < chunkFirst || element >= chunkFirst + std::int64_t(chunk.size() / elem)) {
                if (options->cancel && options->cancel->load())
                    throw Cancelled();
                const std::int64_t index = element / plan.chunkElements;
                chunkFirst = plan.first(index);
                chunk.resize(std::size_t(plan.count(index)) * elem);
                tensor->data->readFlat(chunkFirst, plan.count(index), chunk.data());
            }
            const std::uint64_t offsetInChunk = dataPos - std::uint64_t(chunkFirst) * elem;
            const std::uint64_t n = std::min<std::uint64_t>(want - produced, chunk.size() - offsetInChunk);
            std::memcpy(out + produced, chunk.data() + offsetInChunk, n);
            produced += n;
            position += n;
            *done += std::int64_t(n);
            if (options->progress)
                options->progress(*done, total);
        }
        return zip_int64_t(produced);
    }
};

zip_int64_t memberCallback(void* state, void* data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    auto* m = static_cast<MemberStream*>(state);
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        m->position = 0;
        m->chunkFirst = -1;
        return 0;
    case ZIP_SOURCE_READ:
        try {
            return m->read(static_cast<std::byte*>(data), len);
        } catch (const Cancelled&) {
            m->cancelled = true;
            zip_error_set(&m->zipError, ZIP_ER_READ, 0);
            return -1;
        } catch (const std::exception& e) {
            m->error = m->tensor->info.name + ": " + e.what();
            zip_error_set(&m->zipError, ZIP_ER_READ, 0);
            return -1;
        }
    case ZIP_SOURCE_CLOSE:
        m->chunk.clear();
        m->chunk.shrink_to_fit();
        return 0;
    case ZIP_SOURCE_STAT: {
        auto* st = static_cast<zip_stat_t*>(data);
        zip_stat_init(st);
        st->size = m->size;
        st->mtime = 315532800; // 1980-01-01, as numpy's zipfile writes
        st->valid |= ZIP_STAT_SIZE | ZIP_STAT_MTIME;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&m->zipError, data, len);
    case ZIP_SOURCE_FREE:
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(
            ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
        return -1;
    }
}

// A member name that unzip and numpy extract where the user expects: control characters become
// '_', empty, "." and ".." path parts are dropped or made harmless ("__"), so no name climbs out
// of the folder or starts at the root; a name made equal to an earlier one gets "~N".
std::string memberName(const std::string& tensorName, std::set<std::string>& taken)
{
    std::string clean;
    std::string part;
    auto flush = [&] {
        if (part == "..")
            part = "__";
        if (!part.empty() && part != ".")
            clean += (clean.empty() ? "" : "/") + part;
        part.clear();
    };
    for (char c : tensorName) {
        if (c == '/' || c == '\\')
            flush();
        else
            part += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '_' : c;
    }
    flush();
    if (clean.empty())
        clean = "tensor";
    std::string name = clean;
    for (int n = 1; !taken.insert(name).second; ++n)
        name = clean + "~" + std::to_string(n);
    return name + ".npy";
}

} // namespace

void writeNpz(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& o)
{
    for (const auto& t : tensors)
        if (!npyDescr(t.info.dtype))
            throw CheckpointError(path,
                "'" + t.info.name + "' is " + std::string(dtypeName(t.info.dtype))
                    + ", which numpy cannot hold (use --cast float32)");
    AtomicOutput output(path, o.overwrite, o.sources);
    int err = 0;
    zip_t* archive = zip_open(output.tempPath().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!archive) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        const std::string why = zip_error_strerror(&ze);
        zip_error_fini(&ze);
        throw CheckpointError(path, "cannot create zip archive: " + why);
    }
    std::int64_t done = 0, total = 0;
    std::vector<std::unique_ptr<MemberStream>> members;
    std::set<std::string> taken;
    auto fail = [&](const std::string& why) {
        zip_discard(archive);
        throw CheckpointError(path, why);
    };
    for (const auto& t : tensors) {
        auto m = std::make_unique<MemberStream>();
        zip_error_init(&m->zipError);
        m->tensor = &t;
        m->header = npyHeader(t.info.dtype, t.info.shape);
        m->size = m->header.size() + std::uint64_t(t.info.nbytes());
        m->options = &o;
        m->done = &done;
        total += std::int64_t(m->size);
        zip_source_t* src = zip_source_function(archive, memberCallback, m.get());
        if (!src)
            fail(std::string("cannot add a member: ") + zip_strerror(archive));
        const std::string name = memberName(t.info.name, taken);
        const zip_int64_t index = zip_file_add(archive, name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(src);
            fail("cannot add member '" + name + "': " + zip_strerror(archive));
        }
        zip_set_file_compression(archive, zip_uint64_t(index), o.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
        members.push_back(std::move(m));
    }
    for (auto& m : members)
        m->total = total;
    if (zip_close(archive) != 0) {
        std::string why = zip_strerror(archive);
        const bool cancelled = std::any_of(members.begin(), members.end(), [](const auto& m) { return m->cancelled; });
        for (const auto& m : members)
            if (!m->error.empty())
                why = m->error;
        zip_discard(archive);
        if (cancelled)
            throw Cancelled();
        throw CheckpointError(path, why);
    }
    output.commit();
}

} // namespace ckpt
