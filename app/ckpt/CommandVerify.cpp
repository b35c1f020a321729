#include "Commands.h"
#include "OpenOrFail.h"

#include "report/Reports.h"

#include "verify/Verification.h"

#include <cstdio>
#include <iostream>

namespace {

struct VerifyCommandOptions {
    std::string params, io, against;
    std::optional<std::string> activation, finalActivation; // unset: stored in the file, else relu/identity
    ckpt::VerifyRequest request;
    bool json = false;
};

std::optional<ckpt::Activation> activationOrFail(const std::optional<std::string>& name)
{
    if (!name)
        return std::nullopt;
    if (auto a = ckpt::activationFromName(*name))
        return a;
    throw CLI::ValidationError("--activation", "unknown activation '" + *name + "'");
}

void printHuman(const ckpt::Verification& v, const VerifyCommandOptions& o)
{
    std::printf("network rebuilt from %s (activations %s):\n", o.params.c_str(), v.activations.c_str());
    for (const auto& l : v.network.layers())
        std::printf("  %-20s %6lld -> %-6lld %s\n", l.name.c_str(), static_cast<long long>(l.inputs()),
            static_cast<long long>(l.outputs()), std::string(ckpt::activationName(l.activation)).c_str());
    const auto& c = v.result.comparison;
    const auto& t = o.request.verify;
    std::printf("%lld outputs compared with %s: max abs diff %.6g, max rel diff %.6g (%s)\n",
        static_cast<long long>(c.compared), v.against.c_str(), c.maxAbsDiff, c.maxRelDiff,
        t.exact ? "bitwise" : ("rtol " + std::to_string(t.rtol) + ", atol " + std::to_string(t.atol)).c_str());
    if (v.result.parameters)
        std::printf("parameters %s (max abs diff %.6g)\n", v.result.parameters->equal ? "identical" : "differ",
            v.result.parameters->maxAbsDiff);
    if (const std::string note = ckpt::unusedTensorsNote(v); !note.empty())
        std::printf("%s\n", note.c_str());
    std::printf("this proves: %s\n", v.proves.c_str());
    std::printf("%s\n", c.match ? "match" : ("MISMATCH: " + std::to_string(c.mismatched) + " outputs differ").c_str());
}

int runVerify(const VerifyCommandOptions& o)
{
    const auto params = openOrFail(o.params);
    std::optional<ckpt::Checkpoint> other;
    if (!o.io.empty() || !o.against.empty())
        other = openOrFail(o.io.empty() ? o.against : o.io);
    const ckpt::Verification v = ckpt::runVerification(params, other ? &*other : nullptr, o.request);
    if (o.json)
        std::cout << ckpt::jsonText(ckpt::verificationJson(v, o.request)) << "\n";
    else
        printHuman(v, o);
    return v.result.comparison.match ? exitcode::ok : exitcode::different;
}

} // namespace

void addVerifyCommand(CLI::App& app, CommandAction& run)
{
    auto o = std::make_shared<VerifyCommandOptions>();
    auto* cmd = app.add_subcommand("verify", "Rebuild the MLP from saved parameters, run it, and compare its outputs");
    cmd->add_option(
           "PARAMS", o->params, "Checkpoint holding the network's parameters (and X and Y, without --io or --against)")
        ->required();
    auto* io = cmd->add_option("--io", o->io, "File holding the inputs X and reference outputs Y");
    auto* against
        = cmd->add_option("--against", o->against, "A clone's parameters: both networks are run and compared");
    io->excludes(against);
    auto& r = o->request;
    cmd->add_option("--x", r.xName, "Name of the inputs (default X)");
    cmd->add_option("--y", r.yName, "Name of the reference outputs (default Y)");
    cmd->add_option("--seed", r.seed, "Seed of the random inputs (clone checks)");
    cmd->add_option("--batch", r.batch, "Rows of random inputs (default 16)")->check(CLI::Range(1, 1'000'000));
    cmd->add_option(
        "--prefix", r.build.prefix, "Take the network from under this name prefix (e.g. model_state_dict.)");
    cmd->add_option("--clone-prefix", r.clonePrefix, "Prefix in the clone (default: --prefix)");
    cmd->add_option("--activation", o->activation,
        "Hidden activation: relu|tanh|sigmoid|gelu|identity (default: the file's architecture, else relu)");
    cmd->add_option("--final-activation", o->finalActivation,
        "Activation of the last layer (default: the file's architecture, else identity)");
    cmd->add_option("--rtol", r.verify.rtol, "Relative tolerance (default 1e-5)");
    cmd->add_option("--atol", r.verify.atol, "Absolute tolerance (default 1e-6)");
    cmd->add_flag("--exact", r.verify.exact, "Demand bitwise-equal outputs");
    cmd->add_flag("--float64", r.verify.float64, "Run the network in float64 instead of float32");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o, &run] {
        auto& r = o->request;
        r.reference = !o->io.empty() ? ckpt::VerifyReference::OutputsInOtherFile
            : !o->against.empty()    ? ckpt::VerifyReference::Clone
                                     : ckpt::VerifyReference::OutputsInFile;
        for (std::string* prefix : { &r.build.prefix, &r.clonePrefix })
            if (!prefix->empty() && prefix->back() != '.' && prefix->back() != '/')
                *prefix += '.';
        r.build.hidden = activationOrFail(o->activation);
        r.build.final = activationOrFail(o->finalActivation);
        run = [o] { return runVerify(*o); };
    });
}
