#include "compare/Diff.h"
#include "compare/ElementReads.h"
#include "compare/LlamaCppNames.h"

#include "base/CheckpointError.h"
#include "model/DenseLayerFinder.h"
#include "numerics/Convert.h"
#include "numerics/Stats.h"
#include "tensor/StoredElements.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

namespace ckpt {

std::string_view diffStatusName(DiffStatus s)
{
    switch (s) {
    case DiffStatus::Identical:
        return "identical";
    case DiffStatus::WithinTolerance:
        return "within tolerance";
    case DiffStatus::Changed:
        return "changed";
    case DiffStatus::ShapeChanged:
        return "shape changed";
    case DiffStatus::DtypeChanged:
        return "dtype changed";
    case DiffStatus::OnlyInA:
        return "only in A";
    case DiffStatus::OnlyInB:
        return "only in B";
    }
    return "?";
}

std::string_view diffPairingName(DiffPairing p)
{
    switch (p) {
    case DiffPairing::Name:
        return "name";
    case DiffPairing::LayerPosition:
        return "position";
    case DiffPairing::LlamaCppName:
        return "llama.cpp name";
    }
    return "?";
}

bool DiffReport::allEqual() const
{
    return std::all_of(tensors.begin(), tensors.end(), [](const TensorDiff& d) {
        return d.status == DiffStatus::Identical || d.status == DiffStatus::WithinTolerance;
    });
}

namespace {

struct Accumulator {
    double maxAbs = 0, sumAbs = 0, sumSqDiff = 0, sumSqA = 0, sumSqB = 0, sumAB = 0;
    std::int64_t mismatched = 0, count = 0;
    bool bitwise = true;

    void add(const double* x, const double* y, std::int64_t n, const DiffOptions& o)
    {
        for (std::int64_t i = 0; i < n; ++i) {
            const double a = x[i], b = y[i];
            if (std::isnan(a) || std::isnan(b)) {
                if (!(std::isnan(a) && std::isnan(b)))
                    ++mismatched;
                continue;
            }
            const double d = a == b ? 0.0 : std::abs(a - b);
            maxAbs = std::max(maxAbs, d);
            sumAbs += std::isfinite(d) ? d : 0.0;
            sumSqDiff += std::isfinite(d) ? d * d : 0.0;
            sumSqB += std::isfinite(b) ? b * b : 0.0;
            sumSqA += std::isfinite(a) ? a * a : 0.0;
            sumAB += std::isfinite(a) && std::isfinite(b) ? a * b : 0.0;
            if (!(d <= o.atol + o.rtol * std::abs(b)))
                ++mismatched;
        }
        count += n;
    }
};

bool isTransposeOf(const Shape& a, const Shape& b)
{
    return a.size() == 2 && b.size() == 2 && a[0] == b[1] && a[1] == b[0];
}

void compareValues(TensorDiff& d, const DiffOptions& o, std::int64_t& doneBytes, std::int64_t totalBytes)
{
    const Tensor& a = *d.a;
    const Tensor& b = *d.b;
    Accumulator acc;
    const bool sameBytes = !d.layout.transposed && a.info.dtype == b.info.dtype;
    try {
        forEachPairedChunk(a, b, d.layout, o.cancel, [&](const PairedChunk& chunk) {
            if (sameBytes && acc.bitwise)
                acc.bitwise = chunk.rawA.size() == chunk.rawB.size()
                    && std::memcmp(chunk.rawA.data(), chunk.rawB.data(), chunk.rawA.size()) == 0;
            acc.add(chunk.a, chunk.b, chunk.n, o);
            doneBytes = saturatingAdd(doneBytes, chunk.n * static_cast<std::int64_t>(dtypeSize(a.info.dtype)));
            if (o.progress && totalBytes > 0)
                o.progress(std::min(1.0, double(doneBytes) / double(totalBytes)));
        });
    } catch (const FormatError& e) { // "A: NAME: reason"; the caller names the file
        throw CheckpointError("", e.what());
    }
    // Transposed pairs are not compared byte by byte; exactly equal values count as identical.
    d.bitwiseEqual = sameBytes
        ? acc.bitwise
        : d.layout.transposed && a.info.dtype == b.info.dtype && acc.maxAbs == 0 && acc.mismatched == 0;
    d.maxAbsDiff = acc.maxAbs;
    d.meanAbsDiff = acc.count ? acc.sumAbs / double(acc.count) : 0.0;
    d.relativeL2 = acc.sumSqB > 0 ? std::sqrt(acc.sumSqDiff / acc.sumSqB) : (acc.sumSqDiff > 0 ? INFINITY : 0.0);
    d.mismatched = acc.mismatched;
    const double signal = d.referenceIsA ? acc.sumSqA : acc.sumSqB;
    d.sqnrDb = acc.sumSqDiff > 0 ? 10.0 * std::log10(signal / acc.sumSqDiff) : INFINITY;
    if (acc.sumSqA > 0 && acc.sumSqB > 0)
        d.cosine = acc.sumAB / std::sqrt(acc.sumSqA * acc.sumSqB);
    else
        d.cosine = acc.sumSqA == acc.sumSqB ? 1.0 : 0.0;
    if (a.info.dtype != b.info.dtype)
        d.status = DiffStatus::DtypeChanged;
    else if (d.bitwiseEqual)
        d.status = DiffStatus::Identical;
    else
        d.status = acc.mismatched == 0 ? DiffStatus::WithinTolerance : DiffStatus::Changed;
}

std::string strip(const std::string& name, const std::string& prefix)
{
    return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : std::string();
}

// How one of B's tensors pairs with A's when not by the same name.
struct AliasInA {
    std::string key; // A's name after its prefix
    DiffPairing by = DiffPairing::LayerPosition;
    GgufCounterpart counterpart; // when paired by llama.cpp name
};

// B's full name -> how it pairs with A.
using Aliases = std::map<std::string, AliasInA>;

// B's dense layers paired with A's by position (Keras "dense/kernel" against PyTorch
// "hidden.weight").
Aliases pairLayersByPosition(const Checkpoint& ca, const Checkpoint& cb, const DiffOptions& o)
{
    Aliases alias;
    try {
        const auto la = findDenseLayers(ca, o.prefixA);
        const auto lb = findDenseLayers(cb, o.prefixB);
        if (la.size() != lb.size())
            return {};
        for (std::size_t i = 0; i < la.size(); ++i) {
            alias[lb[i].weight] = { strip(la[i].weight, o.prefixA) };
            if (!la[i].bias.empty() && !lb[i].bias.empty())
                alias[lb[i].bias] = { strip(la[i].bias, o.prefixA) };
        }
    } catch (const std::invalid_argument&) {
        return {};
    }
    return alias;
}

bool isGguf(const Checkpoint& c)
{
    return c.format.rfind("GGUF", 0) == 0;
}

// A GGUF file's tensors paired with the checkpoint it was converted from, by llama.cpp's names.
Aliases pairByLlamaCppNames(const Checkpoint& ca, const Checkpoint& cb, const DiffOptions& o)
{
    if (isGguf(ca) == isGguf(cb))
        return {};
    const bool ggufIsA = isGguf(ca);
    const Checkpoint& gguf = ggufIsA ? ca : cb;
    const Checkpoint& other = ggufIsA ? cb : ca;
    const std::string& ggufPrefix = ggufIsA ? o.prefixA : o.prefixB;
    const std::string& otherPrefix = ggufIsA ? o.prefixB : o.prefixA;
    std::set<std::string> otherNames;
    for (const auto& t : other.tensors)
        if (t.info.name.rfind(otherPrefix, 0) == 0)
            otherNames.insert(strip(t.info.name, otherPrefix));
    Aliases alias;
    for (const auto& t : gguf.tensors) {
        if (t.info.name.rfind(ggufPrefix, 0) != 0)
            continue;
        const std::string ggufName = strip(t.info.name, ggufPrefix);
        for (GgufCounterpart c : ggufCounterparts(ggufName)) {
            // LlamaModel checkpoints saved without the causal-LM wrapper lack "model.".
            if (!otherNames.count(c.name) && c.name.rfind("model.", 0) == 0)
                c.name = c.name.substr(6);
            if (!otherNames.count(c.name))
                continue;
            if (ggufIsA)
                alias[otherPrefix + c.name] = { ggufName, DiffPairing::LlamaCppName, c };
            else
                alias[t.info.name] = { c.name, DiffPairing::LlamaCppName, c };
            break;
        }
    }
    return alias;
}

// How B's values line up with A's for one pair.
PairLayout layoutOf(
    const TensorDiff& d, const Aliases& alias, const DiffOptions& o, const Checkpoint& ca, const Checkpoint& cb)
{
    const Shape& sa = d.a->info.shape;
    const Shape& sb = d.b->info.shape;
    PairLayout layout;
    const auto it = alias.find(d.b->info.name);
    const bool llamaCpp = it != alias.end() && it->second.by == DiffPairing::LlamaCppName;
    const bool transposable = isTransposeOf(sa, sb);
    layout.transposed
        = transposable && (o.transposeKernels || sa != sb || (llamaCpp && it->second.counterpart.transposed));
    if (llamaCpp)
        layout.ggufIsA = isGguf(ca);
    if (llamaCpp && it->second.counterpart.ropePermuted && sa == sb && !sa.empty()) {
        const Tensor& g = layout.ggufIsA ? *d.a : *d.b;
        layout.ropeHeads = ropePermutationHeads(layout.ggufIsA ? ca : cb, g.info.name, sa[0]);
    }
    return layout;
}

} // namespace

DiffReport diffCheckpoints(const Checkpoint& ca, const Checkpoint& cb, const DiffOptions& o)
{
    Aliases alias;
    {
        std::set<std::string> namesA;
        for (const auto& t : ca.tensors)
            if (t.info.name.rfind(o.prefixA, 0) == 0)
                namesA.insert(strip(t.info.name, o.prefixA));
        const bool anyCommon = std::any_of(cb.tensors.begin(), cb.tensors.end(), [&](const Tensor& t) {
            return t.info.name.rfind(o.prefixB, 0) == 0 && namesA.count(strip(t.info.name, o.prefixB));
        });
        if (!anyCommon && !o.byLayer)
            alias = pairByLlamaCppNames(ca, cb, o);
        if (alias.empty() && (o.byLayer || !anyCommon))
            alias = pairLayersByPosition(ca, cb, o);
    }
    auto keyInB = [&](const Tensor& t) {
        const auto it = alias.find(t.info.name);
        return it != alias.end() ? it->second.key : strip(t.info.name, o.prefixB);
    };
    std::map<std::string, const Tensor*> inB;
    for (const auto& t : cb.tensors)
        if (t.info.name.rfind(o.prefixB, 0) == 0)
            inB.emplace(keyInB(t), &t);
    DiffReport report;
    std::map<std::string, bool> paired;
    std::int64_t totalBytes = 0;
    for (const auto& t : ca.tensors) {
        if (t.info.name.rfind(o.prefixA, 0) != 0)
            continue;
        TensorDiff d;
        d.name = strip(t.info.name, o.prefixA);
        d.a = &t;
        if (auto it = inB.find(d.name); it != inB.end()) {
            d.b = it->second;
            if (const auto a = alias.find(d.b->info.name); a != alias.end())
                d.pairedBy = a->second.by;
            paired[d.name] = true;
            totalBytes = saturatingAdd(totalBytes, t.info.nbytes());
        } else {
            d.status = DiffStatus::OnlyInA;
        }
        report.tensors.push_back(std::move(d));
    }
    for (const auto& t : cb.tensors) {
        if (t.info.name.rfind(o.prefixB, 0) != 0)
            continue;
        const std::string name = keyInB(t);
        if (!paired.count(name)) {
            TensorDiff d;
            d.name = strip(t.info.name, o.prefixB);
            d.b = &t;
            d.status = DiffStatus::OnlyInB;
            report.tensors.push_back(std::move(d));
        }
    }
    // The quality of a GGUF file is measured against the checkpoint it was made from.
    const bool referenceIsA = isGguf(cb) && !isGguf(ca);
    std::int64_t doneBytes = 0;
    for (auto& d : report.tensors) {
        if (!d.a || !d.b)
            continue;
        d.layout = layoutOf(d, alias, o, ca, cb);
        d.referenceIsA = referenceIsA;
        if (d.a->info.shape != d.b->info.shape && !d.layout.transposed) {
            d.status = DiffStatus::ShapeChanged;
            continue;
        }
        try {
            compareValues(d, o, doneBytes, totalBytes);
        } catch (const CheckpointError& e) {
            const bool fromA = e.reason().rfind("A: ", 0) == 0;
            throw CheckpointError(fromA ? ca.path : cb.path, e.reason().substr(3));
        }
    }
    return report;
}

} // namespace ckpt
