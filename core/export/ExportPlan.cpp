#include "export/ExportPlan.h"

#include <fnmatch.h>

#include <set>
#include <stdexcept>

namespace ckpt {

bool globMatch(std::string_view pattern, std::string_view name)
{
    return fnmatch(std::string(pattern).c_str(), std::string(name).c_str(), 0) == 0;
}

std::vector<Tensor> selectTensors(const Checkpoint& c, const ExportSelection& s)
{
    std::vector<Tensor> out;
    std::set<std::string> names;
    const std::set<std::string> exact(s.names.begin(), s.names.end());
    for (const auto& t : c.tensors) {
        const std::string& n = t.info.name;
        bool take = s.select.empty() && exact.empty();
        take = take || exact.count(n);
        for (const auto& g : s.select)
            take = take || globMatch(g, n);
        for (const auto& g : s.exclude)
            take = take && !globMatch(g, n);
        if (!take)
            continue;
        Tensor renamed = t;
        std::string name = n;
        if (!s.stripPrefix.empty() && name.rfind(s.stripPrefix, 0) == 0)
            name.erase(0, s.stripPrefix.size());
        name = s.addPrefix + name;
        if (name.empty())
            throw std::invalid_argument("'" + n + "' would have an empty name after --strip-prefix");
        if (!names.insert(name).second)
            throw std::invalid_argument("two tensors would both be named '" + name + "' in the output");
        renamed.info.name = std::move(name);
        out.push_back(std::move(renamed));
    }
    if (out.empty())
        throw std::invalid_argument("no tensor matches the selection");
    return out;
}

} // namespace ckpt
