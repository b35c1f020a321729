#include "scan/KerasConfigRisks.h"

#include <nlohmann/json.hpp>

namespace ckpt {

namespace {

void walk(const nlohmann::json& node, int depth, std::vector<KerasConfigRisk>& out)
{
    if (depth > 256)
        return;
    if (node.is_array()) {
        for (const auto& item : node)
            walk(item, depth + 1, out);
        return;
    }
    if (!node.is_object())
        return;
    const auto text = [&](const char* key) {
        const auto it = node.find(key);
        return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string className = text("class_name");
    const std::string module = text("module");
    const auto config = node.find("config");
    const std::string name
        = config != node.end() && config->is_object() && config->contains("name") && (*config)["name"].is_string()
        ? (*config)["name"].get<std::string>()
        : className;
    if (className == "Lambda")
        out.push_back({ Risk::Unsafe, "Keras Lambda layer '" + name + "'",
            "holds a Python function that runs when Keras loads the model with safe_mode=False" });
    else if (className == "__lambda__")
        out.push_back(
            { Risk::Unsafe, "Keras serialized Python lambda", "runs when Keras loads the model with safe_mode=False" });
    else if (!className.empty() && !module.empty() && module.rfind("keras", 0) != 0 && module != "builtins")
        out.push_back(
            { Risk::Unknown, "Keras custom object " + module + "." + className, "Keras imports it from its module" });
    for (const auto& [key, value] : node.items())
        walk(value, depth + 1, out);
}

} // namespace

std::vector<KerasConfigRisk> kerasConfigRisks(const std::string& configJson)
{
    std::vector<KerasConfigRisk> out;
    const auto config = nlohmann::json::parse(configJson, nullptr, false);
    if (config.is_discarded())
        return { { Risk::Unknown, "config.json is not JSON", "Keras cannot load the model" } };
    walk(config, 0, out);
    return out;
}

} // namespace ckpt
