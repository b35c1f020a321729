// Reading HDF5 files written by h5py (tests/data/hdf5/make_hdf5_fixtures.py) and by Keras.
#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5Filters.h"
#include "formats/hdf5/Hdf5StoredChunks.h"
#include "numerics/Convert.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "tensor/CheckpointTree.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace ckpt;

namespace {
const std::string kMixed = CKPT_TEST_DATA "/hdf5/h5py_mixed.h5";

std::vector<double> valuesOf(const Checkpoint& c, const std::string& name)
{
    const Tensor* t = c.find(name);
    if (!t)
        throw std::runtime_error("missing tensor " + name);
    const TensorData d = readTensor(*t);
    std::vector<double> v(static_cast<std::size_t>(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    return v;
}

std::vector<double> valuesOf(const TensorData& d)
{
    std::vector<double> v(static_cast<std::size_t>(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    return v;
}

// The box [start, start + count) of row-major `all` of `shape`, in row-major order.
std::vector<double> cut(const std::vector<double>& all, const Shape& shape, const Shape& start, const Shape& count)
{
    std::vector<double> box;
    const auto strides = rowMajorStrides(shape);
    std::vector<std::int64_t> at(count.size(), 0);
    for (std::int64_t n = shapeNumel(count); n > 0; --n) {
        std::int64_t flat = 0;
        for (std::size_t d = 0; d < at.size(); ++d)
            flat += (start[d] + at[d]) * strides[d];
        box.push_back(all[static_cast<std::size_t>(flat)]);
        for (std::size_t d = at.size(); d-- > 0;) { // the next index, last axis fastest
            if (++at[d] < count[d])
                break;
            at[d] = 0;
        }
    }
    return box;
}

std::vector<std::string> names(const Checkpoint& c)
{
    std::vector<std::string> n;
    for (const auto& t : c.tensors)
        n.push_back(t.info.name);
    return n;
}
} // namespace

class TestHdf5Reader : public QObject {
    Q_OBJECT
private slots:
    void datasets_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<QList<double>>("values");
        QTest::newRow("nested float32") << "encoder/layer1/weight"
                                        << "float32" << QList<qint64> { 3, 4 }
                                        << QList<double> { 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75 };
        QTest::newRow("float64") << "encoder/layer1/bias"
                                 << "float64" << QList<qint64> { 3 } << QList<double> { -1.5, 0, 2.25 };
        QTest::newRow("float16") << "half"
                                 << "float16" << QList<qint64> { 4 }
                                 << QList<double> { 0.5, -2, 65504, 6.103515625e-05 };
        QTest::newRow("big-endian f64") << "big_endian_f64"
                                        << "float64" << QList<qint64> { 3 } << QList<double> { 1.5, -2.25, 1e300 };
        QTest::newRow("big-endian i32") << "big_endian_i32"
                                        << "int32" << QList<qint64> { 3 } << QList<double> { 1, -2, 70000 };
        QTest::newRow("scalar") << "scalar"
                                << "float32" << QList<qint64> {} << QList<double> { 3.5 };
        QTest::newRow("bool") << "flags"
                              << "bool" << QList<qint64> { 3 } << QList<double> { 1, 0, 1 };
        QTest::newRow("complex |z|") << "complex"
                                     << "complex64" << QList<qint64> { 2 }
                                     << QList<double> { double(std::sqrt(5.0f)), 3.5 };
        QTest::newRow("empty") << "empty"
                               << "float32" << QList<qint64> { 0, 3 } << QList<double> {};
        for (const char* t : { "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64" })
            QTest::addRow("%s", t) << QStringLiteral("ints/") + QLatin1String(t) << QString::fromLatin1(t)
                                   << QList<qint64> { 3 } << QList<double> { 0, 1, 100 };
    }
    void datasets()
    {
        QFETCH(QString, name);
        QFETCH(QString, dtype);
        QFETCH(QList<qint64>, shape);
        QFETCH(QList<double>, values);
        const Checkpoint c = openCheckpoint(kMixed);
        const Tensor* t = c.find(name.toStdString());
        QVERIFY2(t, qPrintable(name));
        QCOMPARE(QString::fromLatin1(dtypeName(t->info.dtype)), dtype);
        QCOMPARE(QList<qint64>(t->info.shape.begin(), t->info.shape.end()), shape);
        const auto got = valuesOf(c, name.toStdString());
        QCOMPARE(QList<double>(got.begin(), got.end()), values);
    }

    void byteOrderIsReported()
    {
        const Checkpoint c = openCheckpoint(kMixed);
        QCOMPARE(c.find("big_endian_f64")->info.byteOrder, ByteOrder::Big);
        QCOMPARE(c.find("half")->info.byteOrder, ByteOrder::Little);
    }

    // Contiguous datasets stored in the host's byte order are read from the file's mapping, like
    // a .npy; chunked, compressed and byte-swapped ones through libhdf5 (values as above).
    void plainDatasetsAreReadInPlace()
    {
        const Checkpoint c = openCheckpoint(kMixed);
        QVERIFY(c.find("encoder/layer1/weight")->data->mappedElements());
        QVERIFY(c.find("half")->data->mappedElements());
        QVERIFY(!c.find("gzip_chunks")->data->mappedElements());
        QVERIFY(!c.find("big_endian_f64")->data->mappedElements());
        QVERIFY(!c.find("scalar")->data->mappedElements());
    }

    void gzipChunksAndHyperslab()
    {
        const Checkpoint c = openCheckpoint(kMixed);
        const Tensor* t = c.find("gzip_chunks");
        QVERIFY(t);
        QVERIFY(QString::fromStdString(t->info.location).contains(QStringLiteral("gzip")));
        const auto v = valuesOf(c, "gzip_chunks");
        for (int i = 0; i < 10000; i += 997)
            QCOMPARE(v[std::size_t(i)], double(i));
        const auto box = readBox(*t, { 42, 17 }, { 2, 3 });
        QCOMPARE(box.as<float>()[0], 4217.0f);
        QCOMPARE(box.as<float>()[5], 4319.0f);
    }

    // Chunked datasets are decoded chunk by chunk in our code (Hdf5ChunkedSource): Fletcher-32,
    // shuffle and deflate together over partial edge chunks, big-endian chunks, chunks never
    // written (the fill value), any box across chunk borders.
    void chunkedDatasetsDecodedHere()
    {
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/hdf5/chunked_filters.h5");
        const auto filtered = valuesOf(c, "fletcher_shuffle_gzip");
        QCOMPARE(filtered.size(), std::size_t(37 * 23));
        for (std::size_t i = 0; i < filtered.size(); ++i)
            QCOMPARE(filtered[i], double(i) / 4);
        const auto box = readBox(*c.find("fletcher_shuffle_gzip"), { 7, 4 }, { 3, 9 }); // across 2x3 chunks
        for (int r = 0; r < 3; ++r)
            for (int k = 0; k < 9; ++k)
                QCOMPARE(box.as<float>()[std::size_t(r * 9 + k)], float((7 + r) * 23 + 4 + k) / 4);
        const auto bigEndian = valuesOf(c, "big_endian_chunks");
        for (std::size_t i = 0; i < bigEndian.size(); ++i)
            QCOMPARE(bigEndian[i], double(i) - 7);
        const auto fill = valuesOf(c, "partial_fill");
        for (std::size_t i = 0; i < fill.size(); ++i)
            QCOMPARE(fill[i], i >= 20 && i < 40 ? double(i) - 19 : -1.0);
    }

    // Datasets storing little of what they declare: statistics from the stored elements and the
    // fill value repeated equal those of every element read in order.
    void statisticsOfMostlyFillValues_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("parts");
        QTest::newRow("chunks partly written") << "chunked_2d" << 2;
        QTest::newRow("a sixteenth or more written") << "half_written" << 0;
        QTest::newRow("contiguous, never written") << "contiguous_unwritten" << 1;
        QTest::newRow("virtual, partly mapped") << "vds" << 2;
        QTest::newRow("virtual, a block read in parts") << "vds_big_block" << 2;
        QTest::newRow("virtual source, written") << "line" << 0;
    }

    void statisticsOfMostlyFillValues()
    {
        QFETCH(QString, name);
        QFETCH(int, parts);
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/hdf5/mostly_fill.h5");
        const Tensor& t = *c.find(name.toStdString());
        QCOMPARE(t.data->repeatedParts().size(), std::size_t(parts));
        const auto all = valuesOf(c, name.toStdString());
        const TensorStats want = computeStats(all.data(), static_cast<std::int64_t>(all.size()), 32);
        const TensorStats got = computeStats(t, { .bins = 32 });
        QCOMPARE(got.count, want.count);
        QCOMPARE(got.finite, want.finite);
        QCOMPARE(got.nan, want.nan);
        QCOMPARE(got.zeros, want.zeros);
        QCOMPARE(got.min, want.min);
        QCOMPARE(got.max, want.max);
        QVERIFY2(std::abs(got.mean - want.mean) < 1e-12, qPrintable(QString::number(got.mean - want.mean)));
        QVERIFY2(std::abs(got.std - want.std) < 1e-12, qPrintable(QString::number(got.std - want.std)));
        QCOMPARE(got.histogram.counts, want.histogram.counts);
    }

    // The stored chunks are listed through the chunk index (H5Dget_chunk_info, quadratic in
    // HDF5 1.10) up to a count, else by probing every cell of a small enough grid; both give the
    // same cells, and neither fitting gives nothing (statistics then refuse, naming the dataset).
    void storedChunksListedOrProbed()
    {
        std::lock_guard lock(ckpt::hdf5::mutex());
        const hid_t file = H5Fopen(CKPT_TEST_DATA "/hdf5/mostly_fill.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
        QVERIFY(file >= 0);
        const hid_t dataset = H5Dopen2(file, "chunked_2d", H5P_DEFAULT);
        const ckpt::Shape shape { 1000, 900 };
        const std::vector<std::int64_t> chunks { 16, 16 };
        const auto listed = ckpt::hdf5::storedChunkGrid(dataset, shape, chunks);
        const auto probed = ckpt::hdf5::storedChunkGrid(dataset, shape, chunks, 0);
        const auto neither = ckpt::hdf5::storedChunkGrid(dataset, shape, chunks, 0, 100);
        H5Dclose(dataset);
        H5Fclose(file);
        const std::vector<std::vector<std::int64_t>> cells { { 0, 0 }, { 2, 1 }, { 62, 56 } };
        QVERIFY(listed && probed);
        QCOMPARE(*listed, cells);
        QCOMPARE(*probed, cells);
        QVERIFY(!neither);
    }

    // Scale-offset is libhdf5's own filter, with no public decoder: each chunk is read by libhdf5
    // through H5Dread of its region.
    void scaleOffsetIsDecodedByLibhdf5()
    {
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/hdf5/chunked_filters.h5");
        const auto v = valuesOf(c, "scaleoffset");
        QVERIFY(!v.empty());
        for (std::size_t i = 0; i < v.size(); ++i)
            QCOMPARE(v[i], double(i));
    }

    // Debian's LZ4 plugin decodes with LZ4_decompress_fast, which reads past a hostile block
    // (found by fuzz_hdf5chunk: tests/data/hdf5chunk/lz4_plugin_overread.chunk); ours refuses it.
    void lz4BlocksThatLieAreRefused()
    {
        using ckpt::hdf5::Filter;
        const std::vector<Filter> lz4 { Filter { 32004, "lz4", { 0 } } };
        // 16 bytes in one block of 5 compressed bytes whose token asks for 15 literals
        std::vector<std::uint8_t> chunk { 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0, 5, 0xf0, 1, 2, 3, 4 };
        std::vector<std::byte> bytes(chunk.size());
        std::memcpy(bytes.data(), chunk.data(), chunk.size());
        try {
            ckpt::hdf5::decodeChunk(bytes, lz4, 0, 16);
            QFAIL("decoded a corrupt LZ4 block");
        } catch (const FormatError& e) {
            QVERIFY2(std::string(e.what()).find("is corrupt") != std::string::npos, e.what());
        }
        chunk[15] = 16; // stored as it is: exactly its 16 bytes must follow
        bytes.assign(reinterpret_cast<const std::byte*>(chunk.data()),
            reinterpret_cast<const std::byte*>(chunk.data()) + chunk.size());
        QVERIFY_THROWS_EXCEPTION(FormatError, ckpt::hdf5::decodeChunk(bytes, lz4, 0, 16));
    }

    void attributesAndNonTensorsAreMetadata()
    {
        const Checkpoint c = openCheckpoint(kMixed);
        QCOMPARE(c.format, std::string("HDF5"));
        QCOMPARE(c.metadata["title"].get<std::string>(), std::string("mixed fixture"));
        QCOMPARE(c.metadata["epoch"].get<int>(), 7);
        QCOMPARE(c.metadata["lr"].get<double>(), 0.125);
        QCOMPARE(c.metadata["sizes"].dump(), std::string("[1,2,3]"));
        QCOMPARE(c.metadata["encoder/layer1/kind"].get<std::string>(), std::string("dense"));
        QCOMPARE(c.metadata["text"].get<std::string>(), std::string("hello"));
        QCOMPARE(c.metadata["names"].dump(), std::string("[\"a\",\"bc\"]"));
        QVERIFY(!c.find("text") && !c.find("record"));
        // A compound record's numeric members are tensors of their own, as h5py's record["a"].
        QVERIFY(c.find("record.a") && c.find("record.b"));
        QCOMPARE(valuesOf(c, "record.a"), std::vector<double> { 1 });
        QCOMPARE(valuesOf(c, "record.b"), std::vector<double> { 2 });
    }

    void linksAreListedNotFollowed()
    {
        const Checkpoint c = openCheckpoint(kMixed);
        QVERIFY(!c.find("link_to_weight"));
        QVERIFY(!c.find("external"));
        QVERIFY(c.metadata["external"].get<std::string>().find("missing_file.h5") != std::string::npos);
        QVERIFY(c.metadata["link_to_weight"].get<std::string>().find("/encoder/layer1/weight") != std::string::npos);
    }

    void treeSplitsGroups()
    {
        const Checkpoint c = openCheckpoint(kMixed);
        const CheckpointTree tree(c);
        const TreeNode* layer = tree.find("encoder/layer1");
        QVERIFY(layer);
        QCOMPARE(layer->tensorCount, 2);
        QCOMPARE(layer->parameterCount, 15);
        QCOMPARE(layer->nbytes, 48 + 24);
    }

    void kerasLayerOrder()
    {
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/hdf5/keras_layout.h5");
        QCOMPARE(c.format, std::string("Keras HDF5"));
        QCOMPARE(names(c),
            (std::vector<std::string> { "dense_b/dense_b/kernel:0", "dense_b/dense_b/bias:0",
                "dense_a/dense_a/kernel:0", "dense_a/dense_a/bias:0" }));
    }

    void realKerasFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("firstName");
        QTest::addColumn<QList<qint64>>("firstShape");
        QTest::addColumn<int>("tensors");
        QTest::newRow("iris_weights.h5") << "keras-h5/iris_weights.h5"
                                         << "dense_7/dense_7/kernel:0" << QList<qint64> { 4, 64 } << 6;
        QTest::newRow("iris.model") << "keras-h5/iris.model"
                                    << "model_weights/dense_7/dense_7/kernel:0" << QList<qint64> { 4, 64 } << 13;
        QTest::newRow("xor_model.h5 (Keras 3 legacy)")
            << "keras-h5/xor_model.h5"
            << "model_weights/dense/sequential/dense/kernel" << QList<qint64> { 2, 4 } << 14;
    }
    void realKerasFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, firstName);
        QFETCH(QList<qint64>, firstShape);
        QFETCH(int, tensors);
        const Checkpoint c = openCheckpoint((QStringLiteral(CKPT_REAL_FIXTURES "/") + file).toStdString());
        QCOMPARE(c.format, std::string("Keras HDF5"));
        QCOMPARE(int(c.tensors.size()), tensors);
        QCOMPARE(QString::fromStdString(c.tensors[0].info.name), firstName);
        QCOMPARE(QList<qint64>(c.tensors[0].info.shape.begin(), c.tensors[0].info.shape.end()), firstShape);
    }

    void xorModelKernelValues()
    {
        // SOURCES.md: kernel row 0 = [1.77727, 4.16527, -2.72975, -3.24754]
        const Checkpoint c = openCheckpoint(CKPT_REAL_FIXTURES "/keras-h5/xor_model.h5");
        const auto v = valuesOf(c, "model_weights/dense/sequential/dense/kernel");
        const double expected[] = { 1.77727, 4.16527, -2.72975, -3.24754 };
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::abs(v[std::size_t(i)] - expected[i]) < 1e-5);
    }

    // An array member {m: float64[2][3]} of records of shape (N,) is the tensor (N, 2, 3), as
    // h5py reads it: whole elements, or any box of them, contiguous or chunked.
    void arrayMembersAreTensors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<QList<qint64>>("start");
        QTest::addColumn<QList<qint64>>("count");
        QTest::newRow("contiguous, a column")
            << "rec.z" << QList<qint64> { 5, 2 } << QList<qint64> { 0, 1 } << QList<qint64> { 5, 1 };
        QTest::newRow("chunked 2-D member, across chunks")
            << "rec_chunked.m" << QList<qint64> { 10, 2, 3 } << QList<qint64> { 3, 1, 1 } << QList<qint64> { 6, 1, 2 };
        QTest::newRow("chunked, whole elements")
            << "rec_chunked.k" << QList<qint64> { 10, 4 } << QList<qint64> { 2, 0 } << QList<qint64> { 7, 4 };
        QTest::newRow("2-D chunked dataset, big-endian member")
            << "grid_chunked.a" << QList<qint64> { 3, 5, 2 } << QList<qint64> { 1, 1, 1 } << QList<qint64> { 2, 3, 1 };
        QTest::newRow("inside a nested record")
            << "nested_array.pos.w" << QList<qint64> { 3, 3 } << QList<qint64> { 1, 1 } << QList<qint64> { 2, 2 };
        QTest::newRow("the record's only member, read in place")
            << "only_array.v" << QList<qint64> { 4, 3 } << QList<qint64> { 1, 2 } << QList<qint64> { 3, 1 };
    }

    void arrayMembersAreTensors()
    {
        QFETCH(QString, name);
        QFETCH(QList<qint64>, shape);
        QFETCH(QList<qint64>, start);
        QFETCH(QList<qint64>, count);
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/world/made/hdf5_compound.h5");
        const Tensor* t = c.find(name.toStdString());
        QVERIFY2(t, qPrintable(name));
        QCOMPARE(QList<qint64>(t->info.shape.begin(), t->info.shape.end()), shape);
        QVERIFY(t->info.unreadable.empty());
        const auto all = valuesOf(c, name.toStdString());
        const Shape from(start.begin(), start.end()), n(count.begin(), count.end());
        QCOMPARE(valuesOf(readBox(*t, from, n)), cut(all, t->info.shape, from, n));
        // Flat ranges that start and end inside an element, as statistics threads read them.
        const std::int64_t first = 1, length = static_cast<std::int64_t>(all.size()) - 2;
        std::vector<std::byte> flat(static_cast<std::size_t>(length) * dtypeSize(t->info.dtype));
        t->data->readFlat(first, length, flat.data());
        std::vector<double> flatValues(static_cast<std::size_t>(length));
        convertToDouble(t->info.dtype, flat.data(), length, flatValues.data());
        QCOMPARE(flatValues, std::vector<double>(all.begin() + 1, all.end() - 1));
        const TensorStats stats = computeStats(*t);
        QCOMPARE(stats.count, static_cast<std::int64_t>(all.size()));
        QCOMPARE(stats.min, *std::min_element(all.begin(), all.end()));
        QCOMPARE(stats.max, *std::max_element(all.begin(), all.end()));
    }

    // Records {id, v: float32[1000]} of shape (2, 2100): one row of axis 0 is 8.4 MB of records,
    // more than a read step, so a table block of rec.v is read a record row of axis 1 at a
    // time (a block of 64 x 64 cells once allocated 64 whole rows: up to GiBs).
    void partsOfLargeRecordRowsAreReadInSteps()
    {
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/hdf5/big_record_rows.h5");
        const Tensor* t = c.find("rec.v");
        QVERIFY(t);
        QCOMPARE(t->info.shape, (Shape { 2, 2100, 1000 }));
        const Shape from { 1, 980, 0 }, n { 1, 64, 64 };
        const auto values = valuesOf(readBox(*t, from, n));
        QCOMPARE(values.size(), std::size_t(64 * 64));
        for (std::int64_t j = 0; j < 64; ++j)
            for (std::int64_t k = 0; k < 64; ++k) {
                const std::int64_t record = 980 + j;
                const double expected = k == record % 1000 ? double(10000 + record + 1) : 0.0;
                QCOMPARE(values[std::size_t(j * 64 + k)], expected);
            }
        QCOMPARE(
            valuesOf(readBox(*c.find("rec.id"), Shape { 1, 2099 }, Shape { 1, 1 })), std::vector<double> { 12099 });
    }

    // A chunk of 4 records {m: float64[2][3]} is a storage run of 24 values.
    void arrayMemberChunksAreStorageRuns()
    {
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/world/made/hdf5_compound.h5");
        QCOMPARE(c.find("rec_chunked.m")->data->storageRunElements(), std::int64_t(24));
        QCOMPARE(c.find("rec_chunked.x")->data->storageRunElements(), std::int64_t(4));
    }

    // Array members a hostile file declares (tests/data/bad/make_round3_files.py): a 0 dim is an
    // empty tensor; an array of more than 64 MiB is refused, the record's other members still read.
    void hostileArrayMembers()
    {
        const Checkpoint empty = openCheckpoint(CKPT_TEST_DATA "/bad/hdf5_array_member_zero_dim.h5");
        QCOMPARE(empty.find("r.v")->info.shape, (Shape { 4, 0 }));
        QCOMPARE(valuesOf(empty, "r.v"), std::vector<double> {});
        QCOMPARE(valuesOf(empty, "r.x"), (std::vector<double> { 0, 0, 0, 0 })); // never written
        const Checkpoint huge = openCheckpoint(CKPT_TEST_DATA "/bad/hdf5_array_member_wraps.h5");
        QVERIFY(huge.find("r.v")->info.unreadable.find("more than 64 MiB") != std::string::npos);
        QVERIFY_THROWS_EXCEPTION(CheckpointError, valuesOf(huge, "r.v"));
        QCOMPARE(valuesOf(huge, "r.x"), (std::vector<double> { 0, 0, 0, 0 }));
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("truncated") << "hdf5/truncated.h5"
                                   << "not a readable HDF5 file (truncated or corrupt): truncated file";
        QTest::newRow("not hdf5") << "hdf5/not_hdf5.h5"
                                  << "not a recognised checkpoint format";
        QTest::newRow("missing") << "hdf5/does_not_exist.h5"
                                 << "No such file or directory";
    }
    void badFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const std::string path = (QStringLiteral(CKPT_TEST_DATA "/") + file).toStdString();
        try {
            openCheckpoint(path);
            QFAIL("expected an error");
        } catch (const CheckpointError& e) {
            QCOMPARE(e.file(), path);
            QVERIFY2(QString::fromStdString(e.reason()).startsWith(reason), e.what());
            QVERIFY(QString::fromUtf8(e.what()).startsWith(QString::fromStdString(path) + QStringLiteral(": ")));
        }
    }
};

QTEST_GUILESS_MAIN(TestHdf5Reader)
#include "tst_hdf5reader.moc"
