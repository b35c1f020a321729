#include "demo/SeedWorkflow.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5NativeFormat.h"
#include "formats/hdf5/Hdf5Writer.h"
#include "model/MlpBuilder.h"
#include "open/ReaderRegistry.h"
#include "verify/Verify.h"

#include <filesystem>
#include <random>

namespace ckpt {

namespace {

struct SeedNet {
    Mlp net;
    Eigen::MatrixXd x;
    Eigen::MatrixXd y; // rounded to float32, as saved
};

SeedNet makeSeedNet(std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    SeedNet s;
    s.net = Mlp::random({ 20, 256, 10 }, { "hidden", "output" }, Activation::ReLU, Activation::Identity, rng);
    std::uniform_real_distribution<double> uniform(0.0, 1.0); // torch.rand
    s.x = Eigen::MatrixXd::Zero(2, 20).unaryExpr([&](double) { return double(float(uniform(rng))); });
    s.y = runNetwork(s.net, s.x, /*float64=*/false); // float32, as the frameworks compute
    return s;
}

void addParameters(Hdf5Writer& w, const Mlp& net)
{
    for (const auto& l : net.layers()) {
        w.addTensor(makeMemoryTensor(l.name + ".weight", fromMatrix(l.weight, DType::Float32)));
        w.addTensor(makeMemoryTensor(l.name + ".bias", fromVector(l.bias, DType::Float32)));
    }
}

template <typename Fill> std::string writeFile(const std::filesystem::path& path, bool overwrite, Fill fill)
{
    WriteOptions options;
    options.overwrite = overwrite;
    Hdf5Writer w(path.string(), options);
    fill(w);
    w.commit();
    return path.string();
}

TensorData arange4()
{
    return makeTensorData<std::int64_t>(DType::Int64, { 4 }, { 0, 1, 2, 3 });
}

TensorData zeros4()
{
    return makeTensorData<float>(DType::Float32, { 4 }, { 0, 0, 0, 0 });
}

} // namespace

void writeDemoCheckpoint(const std::string& path, std::uint64_t seed, bool overwrite)
{
    const SeedNet s = makeSeedNet(seed);
    writeFile(path, overwrite, [&](Hdf5Writer& w) {
        addParameters(w, s.net);
        w.addTensor(makeMemoryTensor("X", fromMatrix(s.x, DType::Float32)));
        w.addTensor(makeMemoryTensor("Y", fromMatrix(s.y, DType::Float32)));
        w.setAttribute(hdf5::kArchitectureAttr, architectureJson(s.net).dump());
        w.setAttribute(
            "description", "The seed chapter's MLP 20->256 (ReLU)->10 with its input X and output Y = net(X)");
    });
}

SeedWorkflowResult runSeedWorkflow(const std::string& dirName, std::uint64_t seed, bool overwrite)
{
    const std::filesystem::path dir(dirName);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw CheckpointError(dirName, "cannot create directory: " + ec.message());
    SeedWorkflowResult r;
    r.files.push_back(
        writeFile(dir / "x-file.h5", overwrite, [](Hdf5Writer& w) { w.addTensor(makeMemoryTensor("x", arange4())); }));
    r.files.push_back(writeFile(dir / "x-files.h5", overwrite, [](Hdf5Writer& w) {
        w.addTensor(makeMemoryTensor("0", arange4()));
        w.addTensor(makeMemoryTensor("1", zeros4()));
    }));
    r.files.push_back(writeFile(dir / "mydict.h5", overwrite, [](Hdf5Writer& w) {
        w.addTensor(makeMemoryTensor("x", arange4()));
        w.addTensor(makeMemoryTensor("y", zeros4()));
    }));
    const SeedNet s = makeSeedNet(seed);
    const std::string params
        = writeFile(dir / "mlp.params.h5", overwrite, [&](Hdf5Writer& w) { addParameters(w, s.net); });
    r.files.push_back(params);
    const std::string io = writeFile(dir / "mlp-io.h5", overwrite, [&](Hdf5Writer& w) {
        w.addTensor(makeMemoryTensor("X", fromMatrix(s.x, DType::Float32)));
        w.addTensor(makeMemoryTensor("Y", fromMatrix(s.y, DType::Float32)));
    });
    r.files.push_back(io);
    const std::string demo = (dir / "mlp-demo.h5").string();
    writeDemoCheckpoint(demo, seed, overwrite);
    r.files.push_back(demo);

    // The clone: everything from the files, nothing from memory.
    const Checkpoint paramsFile = openCheckpoint(params);
    const Checkpoint ioFile = openCheckpoint(io);
    const Mlp clone = buildMlp(paramsFile);
    const Eigen::MatrixXd x = toMatrix(readTensor(*ioFile.find("X")));
    const Eigen::MatrixXd y = toMatrix(readTensor(*ioFile.find("Y")));
    const Eigen::MatrixXd yClone = runNetwork(clone, x, /*float64=*/false);
    r.maxAbsDiff = (yClone - y).cwiseAbs().maxCoeff();
    r.match = yClone.rows() == y.rows() && yClone.cols() == y.cols() && (yClone.array() == y.array()).all();
    return r;
}

} // namespace ckpt
