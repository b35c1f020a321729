// libFuzzer target: our unpickler on arbitrary bytes, then a bounded walk of the value graph,
// as the readers do. Nothing in the input may be imported or called; errors are expected.
#include "base/CheckpointError.h"
#include "pickle/Unpickler.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace {

std::size_t walk(const ckpt::pickle::Value* v, int depth, std::size_t& budget)
{
    if (!v || depth > 64 || budget == 0)
        return 0;
    --budget;
    std::size_t n = 1 + v->text.size() % 7;
    for (const auto* item : v->items)
        n += walk(item, depth + 1, budget);
    for (const auto& [key, value] : v->entries)
        n += walk(key, depth + 1, budget) + walk(value, depth + 1, budget);
    n += walk(v->args, depth + 1, budget) + walk(v->state, depth + 1, budget);
    return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        ckpt::pickle::PickleOptions options;
        options.onPersistentId = [](const ckpt::pickle::Value&) {};
        const auto document
            = ckpt::pickle::unpickle(std::span(reinterpret_cast<const std::byte*>(data), size), options);
        std::size_t budget = 100'000;
        (void)walk(&document.root(), 0, budget);
        (void)ckpt::pickle::toDisplayString(document.root());
    } catch (const ckpt::FormatError&) {
    } catch (const ckpt::CheckpointError&) {
    }
    return 0;
}
