// The protobuf wire reader under TensorFlow's and ONNX's parsers: field kinds and malformed input.
#include "base/CheckpointError.h"
#include "codec/ProtoWire.h"

#include <QtTest>

#include <vector>

using namespace ckpt;

namespace {
std::span<const std::uint8_t> bytes(const std::vector<std::uint8_t>& v)
{
    return { v.data(), v.size() };
}
}

class TestProtoWire : public QObject {
    Q_OBJECT
private slots:
    void readsEveryWireType()
    {
        // field 1 varint 300, field 2 bytes "hi", field 3 fixed32 0x01020304, field 4 fixed64 7,
        // field 5 a group holding a varint (skipped), field 6 varint -1 (10 bytes)
        const std::vector<std::uint8_t> m
            = { 0x08, 0xac, 0x02, 0x12, 0x02, 'h', 'i', 0x1d, 0x04, 0x03, 0x02, 0x01, 0x21, 7, 0, 0, 0, 0, 0, 0, 0,
                  0x2b, 0x08, 0x01, 0x2c, 0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
        ProtoWire wire(bytes(m));
        auto f = wire.next();
        QCOMPARE(f->number, 1u);
        QCOMPARE(f->value, std::uint64_t(300));
        f = wire.next();
        QCOMPARE(f->number, 2u);
        QCOMPARE(f->text(), std::string_view("hi"));
        QCOMPARE(f->offset, std::uint64_t(5));
        f = wire.next();
        QVERIFY(f->type == ProtoWire::WireType::Fixed32);
        QCOMPARE(f->value, std::uint64_t(0x01020304));
        f = wire.next();
        QVERIFY(f->type == ProtoWire::WireType::Fixed64);
        QCOMPARE(f->value, std::uint64_t(7));
        f = wire.next();
        QVERIFY(f->type == ProtoWire::WireType::StartGroup);
        f = wire.next();
        QCOMPARE(f->number, 6u);
        QCOMPARE(f->asInt64(), std::int64_t(-1));
        QVERIFY(!wire.next());
    }

    void rejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("error");
        QTest::newRow("truncated varint") << QByteArray("\x08\x80", 2) << "varint runs past the end";
        QTest::newRow("bytes past end") << QByteArray("\x12\x05hi", 4) << "claims 5 bytes, only 2 remain";
        QTest::newRow("wire type 7") << QByteArray("\x0f", 1) << "invalid wire type 7";
        QTest::newRow("field 0") << QByteArray("\x00\x01", 2) << "invalid field number 0";
        QTest::newRow("fixed32 short") << QByteArray("\x0d\x01\x02", 3) << "runs past the end";
        QTest::newRow("open group") << QByteArray("\x0b\x08\x01", 3) << "unterminated group";
        QTest::newRow("11-byte varint") << QByteArray("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)
                                        << "longer than 10 bytes";
    }
    void rejectsMalformed()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, error);
        const std::vector<std::uint8_t> m(message.begin(), message.end());
        ProtoWire wire(bytes(m));
        try {
            while (wire.next()) { }
            QFAIL("no error");
        } catch (const FormatError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(error), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestProtoWire)
#include "tst_protowire.moc"
