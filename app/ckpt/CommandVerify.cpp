#include "Commands.h"
#include "OpenOrFail.h"

#include "report/Reports.h"

#include "verify/Verify.h"

#include <cstdio>
#include <iostream>

namespace {

struct VerifyCommandOptions {
    std::string params, io, against;
    std::string xName = "X", yName = "Y";
    std::string prefix, clonePrefix;
    std::string activation = "relu", finalActivation = "identity";
    std::uint64_t seed = 0;
    int batch = 16;
    ckpt::VerifyOptions verify;
    bool json = false;
};

ckpt::Activation activationOrFail(const std::string& name)
{
    if (auto a = ckpt::activationFromName(name))
        return *a;
    throw CLI::ValidationError("--activation", "unknown activation '" + name + "'");
}

ckpt::Mlp rebuildOrFail(const ckpt::Checkpoint& c, const std::string& prefix, const VerifyCommandOptions& o)
{
    ckpt::MlpBuildOptions b;
    b.prefix = prefix;
    b.hidden = activationOrFail(o.activation);
    b.final = activationOrFail(o.finalActivation);
    try {
        return ckpt::buildMlp(c, b);
    } catch (const ckpt::CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw ckpt::CheckpointError(c.path, std::string("cannot rebuild the network: ") + e.what());
    }
}

void printHuman(
    const ckpt::Mlp& mlp, const ckpt::VerifyResult& r, const VerifyCommandOptions& o, const std::string& against)
{
    std::printf("network rebuilt from %s:\n", o.params.c_str());
    for (const auto& l : mlp.layers())
        std::printf("  %-20s %6lld -> %-6lld %s\n", l.name.c_str(), static_cast<long long>(l.inputs()),
            static_cast<long long>(l.outputs()), std::string(ckpt::activationName(l.activation)).c_str());
    const auto& c = r.comparison;
    std::printf("%lld outputs compared with %s: max abs diff %.6g, max rel diff %.6g (%s)\n",
        static_cast<long long>(c.compared), against.c_str(), c.maxAbsDiff, c.maxRelDiff,
        o.verify.exact ? "bitwise"
                       : ("rtol " + std::to_string(o.verify.rtol) + ", atol " + std::to_string(o.verify.atol)).c_str());
    if (r.parameters)
        std::printf("parameters %s (max abs diff %.6g)\n", r.parameters->equal ? "identical" : "differ",
            r.parameters->maxAbsDiff);
    std::printf("%s\n", c.match ? "match" : ("MISMATCH: " + std::to_string(c.mismatched) + " outputs differ").c_str());
}

int runVerify(const VerifyCommandOptions& o)
{
    const auto params = openOrFail(o.params);
    const ckpt::Mlp mlp = rebuildOrFail(params, o.prefix, o);
    ckpt::VerifyResult result;
    std::string against;
    std::optional<ckpt::Mlp> clone;
    std::optional<ckpt::Checkpoint> io;
    Eigen::MatrixXd x;
    if (!o.io.empty()) {
        io = openOrFail(o.io);
        x = ckpt::readMatrix(*io, o.xName);
    } else {
        x = ckpt::randomInputs(o.batch, mlp.inputs(), o.seed);
    }
    const std::string inputFile = o.io.empty() ? o.params : o.io;
    try {
        if (!o.against.empty()) {
            const auto other = openOrFail(o.against);
            clone = rebuildOrFail(other, o.clonePrefix.empty() ? o.prefix : o.clonePrefix, o);
            result = ckpt::verifyAgainstClone(mlp, *clone, x, o.verify);
            against = "the clone " + o.against;
        } else {
            result = ckpt::verifyAgainstOutputs(mlp, x, ckpt::readMatrix(*io, o.yName), o.verify);
            against = o.yName + " from " + o.io;
        }
    } catch (const std::invalid_argument& e) {
        throw ckpt::CheckpointError(inputFile, e.what());
    }
    if (o.json)
        std::cout << ckpt::jsonText(ckpt::verifyJson(mlp, result, o.verify)) << "\n";
    else
        printHuman(mlp, result, o, against);
    return result.comparison.match ? exitcode::ok : exitcode::different;
}

} // namespace

void addVerifyCommand(CLI::App& app, CommandAction& run)
{
    auto o = std::make_shared<VerifyCommandOptions>();
    auto* cmd = app.add_subcommand("verify", "Rebuild the MLP from saved parameters, run it, and compare its outputs");
    cmd->add_option("PARAMS", o->params, "Checkpoint holding the network's parameters")->required();
    auto* io = cmd->add_option("--io", o->io, "File holding the inputs X and reference outputs Y");
    auto* against
        = cmd->add_option("--against", o->against, "A clone's parameters: both networks are run and compared");
    io->excludes(against);
    cmd->add_option("--x", o->xName, "Name of the inputs in the --io file (default X)");
    cmd->add_option("--y", o->yName, "Name of the reference outputs in the --io file (default Y)");
    cmd->add_option("--seed", o->seed, "Seed of the random inputs (clone checks without --io)");
    cmd->add_option("--batch", o->batch, "Rows of random inputs (default 16)")->check(CLI::Range(1, 1'000'000));
    cmd->add_option("--prefix", o->prefix, "Take the network from under this name prefix (e.g. model_state_dict.)");
    cmd->add_option("--clone-prefix", o->clonePrefix, "Prefix in the clone (default: --prefix)");
    cmd->add_option("--activation", o->activation, "Hidden activation: relu|tanh|sigmoid|gelu|identity (default relu)");
    cmd->add_option("--final-activation", o->finalActivation, "Activation of the last layer (default identity)");
    cmd->add_option("--rtol", o->verify.rtol, "Relative tolerance (default 1e-5)");
    cmd->add_option("--atol", o->verify.atol, "Absolute tolerance (default 1e-6)");
    cmd->add_flag("--exact", o->verify.exact, "Demand bitwise-equal outputs");
    cmd->add_flag("--float64", o->verify.float64, "Run the network in float64 instead of float32");
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o, io, against, &run] {
        if (io->count() == 0 && against->count() == 0)
            throw CLI::RequiredError("--io FILE or --against CLONE");
        if (!o->prefix.empty() && o->prefix.back() != '.' && o->prefix.back() != '/')
            o->prefix += '.';
        if (!o->clonePrefix.empty() && o->clonePrefix.back() != '.' && o->clonePrefix.back() != '/')
            o->clonePrefix += '.';
        activationOrFail(o->activation);
        activationOrFail(o->finalActivation);
        run = [o] { return runVerify(*o); };
    });
}
