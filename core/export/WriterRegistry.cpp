#include "export/WriterRegistry.h"

#include "formats/hdf5/Hdf5Writer.h"
#include "formats/numpy/NpzWriter.h"
#include "formats/safetensors/SafetensorsWriter.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace ckpt {

const std::vector<std::unique_ptr<FormatWriter>>& allWriters()
{
    static const auto writers = [] {
        std::vector<std::unique_ptr<FormatWriter>> w;
        w.push_back(std::make_unique<Hdf5FormatWriter>());
        w.push_back(std::make_unique<SafetensorsFormatWriter>());
        w.push_back(std::make_unique<NpzFormatWriter>());
        return w;
    }();
    return writers;
}

const FormatWriter& writerFor(const std::string& path)
{
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::string known;
    for (const auto& w : allWriters())
        for (std::string_view e : w->extensions()) {
            if (e == ext)
                return *w;
            known += (known.empty() ? "" : ", ") + std::string(e);
        }
    throw std::invalid_argument("cannot tell the output format from '" + path + "': use " + known);
}

} // namespace ckpt
