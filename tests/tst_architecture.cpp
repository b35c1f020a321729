// architectureOf on the fixtures: the ONNX graphs of tests/data/onnx/make_onnx_fixtures.py, the
// Keras 3 archives of tests/data/keras3/make_keras3_fixtures.py, a real Keras 2 HDF5 file with a
// model_config (tests/data/real/SOURCES.md), GGUF blocks (tests/data/gguf/make_gguf_fixtures.py),
// our HDF5 writer's MLP architecture, and a file that stores only tensors.
#include "export/Export.h"
#include "model/Architecture.h"
#include "open/ReaderRegistry.h"

#include <QTemporaryDir>
#include <QTest>

using namespace ckpt;

namespace {
using Strings = std::vector<std::string>;

std::string data(const char* relative)
{
    return std::string(CKPT_TEST_DATA) + "/" + relative;
}

Architecture architectureIn(const std::string& path)
{
    const auto arch = architectureOf(openCheckpoint(path));
    if (!arch)
        throw std::runtime_error(path + " has no architecture");
    return *arch;
}

Strings typesOf(const Architecture& a)
{
    Strings out;
    for (const auto& l : a.layers)
        out.push_back(l.type);
    return out;
}

Strings namesOf(const Architecture& a)
{
    Strings out;
    for (const auto& l : a.layers)
        out.push_back(l.name);
    return out;
}

std::string setting(const ArchitectureLayer& layer, const std::string& key)
{
    for (const auto& [k, v] : layer.settings)
        if (k == key)
            return v;
    return "<none>";
}
} // namespace

class TestArchitecture : public QObject {
    Q_OBJECT
private slots:
    void onnxMlpListsGemmNodesWithTheirInitializers()
    {
        const auto a = architectureIn(data("onnx/mlp.onnx"));
        QCOMPARE(a.source, std::string("ONNX graph"));
        QCOMPARE(namesOf(a), (Strings { "/fc1/Gemm", "/Relu", "/fc2/Gemm" }));
        QCOMPARE(typesOf(a), (Strings { "Gemm", "Relu", "Gemm" }));
        QCOMPARE(a.layers[0].tensors, (Strings { "fc1.weight", "fc1.bias" }));
        QVERIFY(a.layers[1].tensors.empty());
        QCOMPARE(a.layers[2].tensors, (Strings { "fc2.weight", "fc2.bias" }));
        QCOMPARE(a.layers[0].inputs, (Strings { "input", "fc1.weight", "fc1.bias" }));
        QCOMPARE(a.layers[2].outputs, (Strings { "output" }));
        QCOMPARE(setting(a.layers[0], "transB"), std::string("1"));
        QCOMPARE(setting(a.layers[0], "alpha"), std::string("1"));
    }

    void onnxUnnamedNodesAndRepeatedInputs()
    {
        const auto a = architectureIn(data("onnx/dtypes.onnx"));
        QCOMPARE(namesOf(a), (Strings { "Add_0", "Identity#1", "Mul_2" }));
        QCOMPARE(a.layers[0].tensors, (Strings { "raw.float32" }));
        QCOMPARE(a.layers[1].tensors, (Strings { "typed.int64" })); // used twice, listed once
        QCOMPARE(a.layers[2].tensors, (Strings { "raw.float32" }));
    }

    // Hostile graphs (tests/data/bad/make_round4_files.py): the architecture lists 4096 nodes,
    // 64 inputs and outputs and 32 attributes per node, 80 characters of an attribute's value,
    // and does not descend into subgraphs.
    void onnxHostileGraphsAreCapped()
    {
        const auto nodes = architectureIn(data("bad/onnx_100000_nodes.onnx"));
        QCOMPARE(nodes.layers.size(), std::size_t(4096));
        QCOMPARE(nodes.settings, (Settings { { "listed", "4096 of 100000 nodes" } }));
        QCOMPARE(nodes.layers[4095].name, std::string("Relu#4095"));
        QCOMPARE(nodes.layers[4095].tensors, (Strings { "w" }));

        const auto inputs = architectureIn(data("bad/onnx_100000_inputs.onnx"));
        QCOMPARE(inputs.layers.size(), std::size_t(1));
        QCOMPARE(inputs.layers[0].inputs, Strings(64, "w"));
        QCOMPARE(inputs.layers[0].tensors, (Strings { "w" }));

        const auto attributes = architectureIn(data("bad/onnx_10000_attributes.onnx"));
        QCOMPARE(attributes.layers.at(0).settings.size(), std::size_t(32));
        QCOMPARE(attributes.layers[0].settings.back(), (std::pair<std::string, std::string>("a31", "31")));

        const auto long_ = architectureIn(data("bad/onnx_long_attributes.onnx"));
        QCOMPARE(setting(long_.layers.at(0), "s"), std::string(80, 'x') + "…");
        QCOMPARE(setting(long_.layers[0], "ints").size(), std::string_view("…").size() + 80);

        const auto nested = architectureIn(data("bad/onnx_nested_subgraphs.onnx"));
        QCOMPARE(namesOf(nested), (Strings { "if" }));
        QCOMPARE(setting(nested.layers[0], "then_branch"), std::string());

        const auto control = architectureIn(data("bad/onnx_control_names.onnx"));
        QCOMPARE(control.layers.size(), std::size_t(1));
        QCOMPARE(control.layers[0].inputs.size(), std::size_t(2));
        QCOMPARE(control.layers[0].tensors, (Strings { "w" }));
    }

    // A Keras 2 model_config whose layer setting nests 100000 deep describes no architecture
    // (base/BoundedJson.h); unbounded, settingText recursed once per level and overflowed the stack.
    void deeplyNestedModelConfigIsRefused()
    {
        const std::string deep = std::string(100000, '[') + std::string(100000, ']');
        Checkpoint c;
        c.metadata["model_config"] = R"({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", )"
                                     R"("config": {"name": "d", "units": )"
            + deep + "}}]}}";
        c.metadata["architecture"] = R"({"type": "mlp", "layers": )" + deep + "}";
        QVERIFY(!architectureOf(c));
        c.metadata["model_config"] = R"({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", )"
                                     R"("config": {"name": "d", "units": [[8]]}}]}})";
        const auto shallow = architectureOf(c);
        QVERIFY(shallow);
        QCOMPARE(setting(shallow->layers.at(0), "units"), std::string("8"));
    }

    void keras3ConvnetLayersAndTheirVariables()
    {
        const auto a = architectureIn(data("keras3/convnet.keras"));
        QCOMPARE(a.source, std::string("Keras config.json"));
        QCOMPARE(namesOf(a), (Strings { "input", "conv", "bn", "flatten", "features", "logits" }));
        QCOMPARE(typesOf(a), (Strings { "InputLayer", "Conv2D", "BatchNormalization", "Flatten", "Dense", "Dense" }));
        QVERIFY(a.layers[0].tensors.empty());
        QCOMPARE(a.layers[1].tensors, (Strings { "conv/kernel", "conv/bias" }));
        QCOMPARE(a.layers[2].tensors, (Strings { "bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance" }));
        QVERIFY(a.layers[3].tensors.empty());
        QCOMPARE(a.layers[4].tensors, (Strings { "features/kernel" }));
        QCOMPARE(a.layers[5].tensors, (Strings { "logits/kernel", "logits/bias" }));
        QCOMPARE(setting(a.layers[1], "filters"), std::string("2"));
        QCOMPARE(setting(a.layers[1], "kernel_size"), std::string("3,3"));
        QCOMPARE(setting(a.layers[4], "units"), std::string("4"));
        QCOMPARE(setting(a.layers[4], "activation"), std::string("relu"));
        QCOMPARE(setting(a.layers[4], "use_bias"), std::string("false"));
    }

    void keras3Mlp()
    {
        const auto a = architectureIn(data("keras3/mlp.keras"));
        QCOMPARE(namesOf(a), (Strings { "hidden", "output" }));
        QCOMPARE(a.layers[0].tensors, (Strings { "hidden/kernel", "hidden/bias" }));
        QCOMPARE(setting(a.layers[1], "units"), std::string("3"));
        QCOMPARE(setting(a.layers[1], "activation"), std::string("linear"));
    }

    void keras2ModelConfig()
    {
        // Keras 2.2.4: Dense(2) → Activation(sigmoid) → Dense(1) → Activation(sigmoid).
        const auto a = architectureIn(data("real/keras-h5/xor.h5"));
        QCOMPARE(a.source, std::string("Keras model_config"));
        QCOMPARE(typesOf(a), (Strings { "Dense", "Activation", "Dense", "Activation" }));
        QCOMPARE(namesOf(a), (Strings { "dense_1", "activation_1", "dense_2", "activation_2" }));
        QCOMPARE(a.layers[0].tensors,
            (Strings { "model_weights/dense_1/dense_1/kernel:0", "model_weights/dense_1/dense_1/bias:0" }));
        QVERIFY(a.layers[1].tensors.empty());
        QCOMPARE(a.layers[2].tensors,
            (Strings { "model_weights/dense_2/dense_2/kernel:0", "model_weights/dense_2/dense_2/bias:0" }));
        QCOMPARE(setting(a.layers[0], "units"), std::string("2"));
        QCOMPARE(setting(a.layers[1], "activation"), std::string("sigmoid"));
    }

    void ggufBlocks()
    {
        const auto a = architectureIn(data("gguf/plain_v3.gguf"));
        QCOMPARE(a.source, std::string("GGUF general.architecture"));
        QCOMPARE(a.settings.front(), (std::pair<std::string, std::string>("architecture", "tiny")));
        QCOMPARE(namesOf(a), (Strings { "blk.0", "blk.1", "four_d", "scale" }));
        QCOMPARE(typesOf(a), (Strings { "tiny block", "tiny block", "tensor", "tensor" }));
        QCOMPARE(a.layers[0].tensors, (Strings { "blk.0.weight_f32", "blk.0.weight_f16", "blk.0.weight_bf16" }));
        QCOMPARE(a.layers[1].tensors,
            (Strings { "blk.1.weight_f64", "blk.1.ids_i8", "blk.1.ids_i16", "blk.1.ids_i32", "blk.1.ids_i64" }));
    }

    void ourHdf5ArchitectureAttribute()
    {
        // `ckpt export --with-architecture` of the seed MLP stores {"type": "mlp", "layers": [...]}.
        QTemporaryDir dir;
        const std::string out = dir.filePath("mlp.h5").toStdString();
        ExportOptions options;
        options.withArchitecture = true;
        exportCheckpoint(openCheckpoint(data("verify/mlp.npz")), out, options);
        const auto a = architectureIn(out);
        QCOMPARE(a.source, std::string("stored architecture (MLP)"));
        QCOMPARE(namesOf(a), (Strings { "hidden", "output" }));
        QCOMPARE(typesOf(a), (Strings { "Dense", "Dense" }));
        QCOMPARE(a.layers[0].tensors, (Strings { "hidden.weight", "hidden.bias" }));
        QCOMPARE(setting(a.layers[0], "activation"), std::string("relu"));
    }

    void theEmbeddedDemoCarriesItsMlp()
    {
        // resources/demo/mlp-demo.h5 is written by core/demo/SeedWorkflow with the attribute.
        const auto a = architectureIn(data("../../resources/demo/mlp-demo.h5"));
        QCOMPARE(a.source, std::string("stored architecture (MLP)"));
        QCOMPARE(namesOf(a), (Strings { "hidden", "output" }));
        QCOMPARE(a.layers[0].tensors, (Strings { "hidden.weight", "hidden.bias" }));
        QCOMPARE(a.layers[1].tensors, (Strings { "output.weight", "output.bias" }));
    }

    void tensorsOnlyHasNone()
    {
        QVERIFY(!architectureOf(openCheckpoint(data("verify/mlp.npz"))));
        QVERIFY(!architectureOf(openCheckpoint(data("hdf5/slices3d.h5"))));
    }
};

QTEST_APPLESS_MAIN(TestArchitecture)
#include "tst_architecture.moc"
