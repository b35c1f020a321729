// The safe unpickler: every protocol's plain values, the memo, refused calls (nothing ever
// runs), and hostile inputs (deep nesting, huge lengths and memo indices, truncation).
#include "base/CheckpointError.h"
#include "pickle/Unpickler.h"

#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <random>

using namespace ckpt;
using namespace ckpt::pickle;

namespace {
// Builds a pickle opcode by opcode, so byte strings stay readable in the tests.
struct PickleBytes {
    std::string s;
    PickleBytes& op(unsigned char c)
    {
        s += static_cast<char>(c);
        return *this;
    }
    PickleBytes& raw(std::string_view b)
    {
        s += b;
        return *this;
    }
    PickleBytes& le(std::uint64_t v, int n)
    {
        for (int i = 0; i < n; ++i)
            s += static_cast<char>((v >> (8 * i)) & 0xff);
        return *this;
    }
    PickleBytes& proto(int p) { return op(0x80).op(static_cast<unsigned char>(p)); }
    PickleBytes& global(std::string_view module, std::string_view name)
    {
        return op('c').raw(module).raw("\n").raw(name).raw("\n");
    }
    PickleBytes& unicode(std::string_view text) { return op('X').le(text.size(), 4).raw(text); }
    PickleBytes& binint1(int v) { return op('K').op(static_cast<unsigned char>(v)); }
    PickleBytes& stop() { return op('.'); }
    std::span<const std::byte> span() const { return std::as_bytes(std::span(s)); }
};

Document parse(const std::string& bytes, const PickleOptions& options = {})
{
    return unpickle(std::as_bytes(std::span(bytes)), options);
}

Document parse(const QByteArray& bytes)
{
    return unpickle(std::as_bytes(std::span(bytes.constData(), static_cast<std::size_t>(bytes.size()))));
}

// Runs the parser and returns the FormatError message, or "" when it succeeded.
QString failure(const std::string& bytes, const PickleOptions& options = {})
{
    try {
        parse(bytes, options);
    } catch (const FormatError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// A pickle that, if it were executed, would run `command` through os.system.
std::string osSystemPickle(const std::string& command)
{
    return PickleBytes().proto(2).global("os", "system").unicode(command).op(0x85).op('R').stop().s;
}
} // namespace

class TestPickle : public QObject {
    Q_OBJECT
private slots:
    // pickle.dumps(v, protocol=p) of one dict of plain values, p = 0..5, made by CPython.
    void plainValues_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("protocol 0") << QByteArray(
            "\x28\x64\x70\x30\x0a\x56\x69\x6e\x74\x0a\x70\x31\x0a\x49\x31\x0a\x73\x56\x6e\x65\x67\x0a\x70\x32"
            "\x0a\x49\x2d\x35\x0a\x73\x56\x62\x69\x67\x0a\x70\x33\x0a\x4c\x31\x30\x39\x39\x35\x31\x31\x36\x32"
            "\x37\x37\x37\x36\x4c\x0a\x73\x56\x68\x75\x67\x65\x0a\x70\x34\x0a\x4c\x2d\x31\x31\x38\x30\x35\x39"
            "\x31\x36\x32\x30\x37\x31\x37\x34\x31\x31\x33\x30\x33\x34\x32\x34\x4c\x0a\x73\x56\x66\x0a\x70\x35"
            "\x0a\x46\x32\x2e\x35\x0a\x73\x56\x73\x0a\x70\x36\x0a\x56\x68\xe9\x6c\x6c\x6f\x0a\x70\x37\x0a\x73"
            "\x56\x62\x0a\x70\x38\x0a\x63\x5f\x63\x6f\x64\x65\x63\x73\x0a\x65\x6e\x63\x6f\x64\x65\x0a\x70\x39"
            "\x0a\x28\x56\x5c\x75\x30\x30\x30\x30\xff\x0a\x70\x31\x30\x0a\x56\x6c\x61\x74\x69\x6e\x31\x0a\x70"
            "\x31\x31\x0a\x74\x70\x31\x32\x0a\x52\x70\x31\x33\x0a\x73\x56\x74\x0a\x70\x31\x34\x0a\x28\x49\x31"
            "\x0a\x56\x78\x0a\x70\x31\x35\x0a\x74\x70\x31\x36\x0a\x73\x56\x6c\x0a\x70\x31\x37\x0a\x28\x6c\x70"
            "\x31\x38\x0a\x4e\x61\x49\x30\x31\x0a\x61\x49\x30\x30\x0a\x61\x73\x56\x6e\x0a\x70\x31\x39\x0a\x28"
            "\x64\x70\x32\x30\x0a\x56\x6b\x0a\x70\x32\x31\x0a\x28\x6c\x70\x32\x32\x0a\x49\x31\x0a\x61\x49\x32"
            "\x0a\x61\x73\x73\x56\x73\x65\x74\x0a\x70\x32\x33\x0a\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f"
            "\x5f\x0a\x73\x65\x74\x0a\x70\x32\x34\x0a\x28\x28\x6c\x70\x32\x35\x0a\x49\x33\x0a\x61\x74\x70\x32"
            "\x36\x0a\x52\x70\x32\x37\x0a\x73\x56\x66\x73\x0a\x70\x32\x38\x0a\x63\x5f\x5f\x62\x75\x69\x6c\x74"
            "\x69\x6e\x5f\x5f\x0a\x66\x72\x6f\x7a\x65\x6e\x73\x65\x74\x0a\x70\x32\x39\x0a\x28\x28\x6c\x70\x33"
            "\x30\x0a\x49\x34\x0a\x61\x74\x70\x33\x31\x0a\x52\x70\x33\x32\x0a\x73\x56\x63\x0a\x70\x33\x33\x0a"
            "\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x63\x6f\x6d\x70\x6c\x65\x78\x0a\x70\x33\x34"
            "\x0a\x28\x46\x31\x2e\x30\x0a\x46\x32\x2e\x30\x0a\x74\x70\x33\x35\x0a\x52\x70\x33\x36\x0a\x73\x56"
            "\x62\x61\x0a\x70\x33\x37\x0a\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x62\x79\x74\x65"
            "\x61\x72\x72\x61\x79\x0a\x70\x33\x38\x0a\x28\x67\x39\x0a\x28\x56\x61\x62\x0a\x70\x33\x39\x0a\x67"
            "\x31\x31\x0a\x74\x70\x34\x30\x0a\x52\x70\x34\x31\x0a\x74\x70\x34\x32\x0a\x52\x70\x34\x33\x0a\x73"
            "\x2e",
            505);
        QTest::newRow("protocol 1") << QByteArray(
            "\x7d\x71\x00\x28\x58\x03\x00\x00\x00\x69\x6e\x74\x71\x01\x4b\x01\x58\x03\x00\x00\x00\x6e\x65\x67"
            "\x71\x02\x4a\xfb\xff\xff\xff\x58\x03\x00\x00\x00\x62\x69\x67\x71\x03\x4c\x31\x30\x39\x39\x35\x31"
            "\x31\x36\x32\x37\x37\x37\x36\x4c\x0a\x58\x04\x00\x00\x00\x68\x75\x67\x65\x71\x04\x4c\x2d\x31\x31"
            "\x38\x30\x35\x39\x31\x36\x32\x30\x37\x31\x37\x34\x31\x31\x33\x30\x33\x34\x32\x34\x4c\x0a\x58\x01"
            "\x00\x00\x00\x66\x71\x05\x47\x40\x04\x00\x00\x00\x00\x00\x00\x58\x01\x00\x00\x00\x73\x71\x06\x58"
            "\x06\x00\x00\x00\x68\xc3\xa9\x6c\x6c\x6f\x71\x07\x58\x01\x00\x00\x00\x62\x71\x08\x63\x5f\x63\x6f"
            "\x64\x65\x63\x73\x0a\x65\x6e\x63\x6f\x64\x65\x0a\x71\x09\x28\x58\x03\x00\x00\x00\x00\xc3\xbf\x71"
            "\x0a\x58\x06\x00\x00\x00\x6c\x61\x74\x69\x6e\x31\x71\x0b\x74\x71\x0c\x52\x71\x0d\x58\x01\x00\x00"
            "\x00\x74\x71\x0e\x28\x4b\x01\x58\x01\x00\x00\x00\x78\x71\x0f\x74\x71\x10\x58\x01\x00\x00\x00\x6c"
            "\x71\x11\x5d\x71\x12\x28\x4e\x49\x30\x31\x0a\x49\x30\x30\x0a\x65\x58\x01\x00\x00\x00\x6e\x71\x13"
            "\x7d\x71\x14\x58\x01\x00\x00\x00\x6b\x71\x15\x5d\x71\x16\x28\x4b\x01\x4b\x02\x65\x73\x58\x03\x00"
            "\x00\x00\x73\x65\x74\x71\x17\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x73\x65\x74\x0a"
            "\x71\x18\x28\x5d\x71\x19\x4b\x03\x61\x74\x71\x1a\x52\x71\x1b\x58\x02\x00\x00\x00\x66\x73\x71\x1c"
            "\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x66\x72\x6f\x7a\x65\x6e\x73\x65\x74\x0a\x71"
            "\x1d\x28\x5d\x71\x1e\x4b\x04\x61\x74\x71\x1f\x52\x71\x20\x58\x01\x00\x00\x00\x63\x71\x21\x63\x5f"
            "\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x63\x6f\x6d\x70\x6c\x65\x78\x0a\x71\x22\x28\x47\x3f"
            "\xf0\x00\x00\x00\x00\x00\x00\x47\x40\x00\x00\x00\x00\x00\x00\x00\x74\x71\x23\x52\x71\x24\x58\x02"
            "\x00\x00\x00\x62\x61\x71\x25\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x62\x79\x74\x65"
            "\x61\x72\x72\x61\x79\x0a\x71\x26\x28\x68\x09\x28\x58\x02\x00\x00\x00\x61\x62\x71\x27\x68\x0b\x74"
            "\x71\x28\x52\x71\x29\x74\x71\x2a\x52\x71\x2b\x75\x2e",
            469);
        QTest::newRow("protocol 2") << QByteArray(
            "\x80\x02\x7d\x71\x00\x28\x58\x03\x00\x00\x00\x69\x6e\x74\x71\x01\x4b\x01\x58\x03\x00\x00\x00\x6e"
            "\x65\x67\x71\x02\x4a\xfb\xff\xff\xff\x58\x03\x00\x00\x00\x62\x69\x67\x71\x03\x8a\x06\x00\x00\x00"
            "\x00\x00\x01\x58\x04\x00\x00\x00\x68\x75\x67\x65\x71\x04\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00"
            "\xc0\x58\x01\x00\x00\x00\x66\x71\x05\x47\x40\x04\x00\x00\x00\x00\x00\x00\x58\x01\x00\x00\x00\x73"
            "\x71\x06\x58\x06\x00\x00\x00\x68\xc3\xa9\x6c\x6c\x6f\x71\x07\x58\x01\x00\x00\x00\x62\x71\x08\x63"
            "\x5f\x63\x6f\x64\x65\x63\x73\x0a\x65\x6e\x63\x6f\x64\x65\x0a\x71\x09\x58\x03\x00\x00\x00\x00\xc3"
            "\xbf\x71\x0a\x58\x06\x00\x00\x00\x6c\x61\x74\x69\x6e\x31\x71\x0b\x86\x71\x0c\x52\x71\x0d\x58\x01"
            "\x00\x00\x00\x74\x71\x0e\x4b\x01\x58\x01\x00\x00\x00\x78\x71\x0f\x86\x71\x10\x58\x01\x00\x00\x00"
            "\x6c\x71\x11\x5d\x71\x12\x28\x4e\x88\x89\x65\x58\x01\x00\x00\x00\x6e\x71\x13\x7d\x71\x14\x58\x01"
            "\x00\x00\x00\x6b\x71\x15\x5d\x71\x16\x28\x4b\x01\x4b\x02\x65\x73\x58\x03\x00\x00\x00\x73\x65\x74"
            "\x71\x17\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x73\x65\x74\x0a\x71\x18\x5d\x71\x19"
            "\x4b\x03\x61\x85\x71\x1a\x52\x71\x1b\x58\x02\x00\x00\x00\x66\x73\x71\x1c\x63\x5f\x5f\x62\x75\x69"
            "\x6c\x74\x69\x6e\x5f\x5f\x0a\x66\x72\x6f\x7a\x65\x6e\x73\x65\x74\x0a\x71\x1d\x5d\x71\x1e\x4b\x04"
            "\x61\x85\x71\x1f\x52\x71\x20\x58\x01\x00\x00\x00\x63\x71\x21\x63\x5f\x5f\x62\x75\x69\x6c\x74\x69"
            "\x6e\x5f\x5f\x0a\x63\x6f\x6d\x70\x6c\x65\x78\x0a\x71\x22\x47\x3f\xf0\x00\x00\x00\x00\x00\x00\x47"
            "\x40\x00\x00\x00\x00\x00\x00\x00\x86\x71\x23\x52\x71\x24\x58\x02\x00\x00\x00\x62\x61\x71\x25\x63"
            "\x5f\x5f\x62\x75\x69\x6c\x74\x69\x6e\x5f\x5f\x0a\x62\x79\x74\x65\x61\x72\x72\x61\x79\x0a\x71\x26"
            "\x68\x09\x58\x02\x00\x00\x00\x61\x62\x71\x27\x68\x0b\x86\x71\x28\x52\x71\x29\x85\x71\x2a\x52\x71"
            "\x2b\x75\x2e",
            435);
        QTest::newRow("protocol 3") << QByteArray(
            "\x80\x03\x7d\x71\x00\x28\x58\x03\x00\x00\x00\x69\x6e\x74\x71\x01\x4b\x01\x58\x03\x00\x00\x00\x6e"
            "\x65\x67\x71\x02\x4a\xfb\xff\xff\xff\x58\x03\x00\x00\x00\x62\x69\x67\x71\x03\x8a\x06\x00\x00\x00"
            "\x00\x00\x01\x58\x04\x00\x00\x00\x68\x75\x67\x65\x71\x04\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00"
            "\xc0\x58\x01\x00\x00\x00\x66\x71\x05\x47\x40\x04\x00\x00\x00\x00\x00\x00\x58\x01\x00\x00\x00\x73"
            "\x71\x06\x58\x06\x00\x00\x00\x68\xc3\xa9\x6c\x6c\x6f\x71\x07\x58\x01\x00\x00\x00\x62\x71\x08\x43"
            "\x02\x00\xff\x71\x09\x58\x01\x00\x00\x00\x74\x71\x0a\x4b\x01\x58\x01\x00\x00\x00\x78\x71\x0b\x86"
            "\x71\x0c\x58\x01\x00\x00\x00\x6c\x71\x0d\x5d\x71\x0e\x28\x4e\x88\x89\x65\x58\x01\x00\x00\x00\x6e"
            "\x71\x0f\x7d\x71\x10\x58\x01\x00\x00\x00\x6b\x71\x11\x5d\x71\x12\x28\x4b\x01\x4b\x02\x65\x73\x58"
            "\x03\x00\x00\x00\x73\x65\x74\x71\x13\x63\x62\x75\x69\x6c\x74\x69\x6e\x73\x0a\x73\x65\x74\x0a\x71"
            "\x14\x5d\x71\x15\x4b\x03\x61\x85\x71\x16\x52\x71\x17\x58\x02\x00\x00\x00\x66\x73\x71\x18\x63\x62"
            "\x75\x69\x6c\x74\x69\x6e\x73\x0a\x66\x72\x6f\x7a\x65\x6e\x73\x65\x74\x0a\x71\x19\x5d\x71\x1a\x4b"
            "\x04\x61\x85\x71\x1b\x52\x71\x1c\x58\x01\x00\x00\x00\x63\x71\x1d\x63\x62\x75\x69\x6c\x74\x69\x6e"
            "\x73\x0a\x63\x6f\x6d\x70\x6c\x65\x78\x0a\x71\x1e\x47\x3f\xf0\x00\x00\x00\x00\x00\x00\x47\x40\x00"
            "\x00\x00\x00\x00\x00\x00\x86\x71\x1f\x52\x71\x20\x58\x02\x00\x00\x00\x62\x61\x71\x21\x63\x62\x75"
            "\x69\x6c\x74\x69\x6e\x73\x0a\x62\x79\x74\x65\x61\x72\x72\x61\x79\x0a\x71\x22\x43\x02\x61\x62\x71"
            "\x23\x85\x71\x24\x52\x71\x25\x75\x2e",
            369);
        QTest::newRow("protocol 4") << QByteArray(
            "\x80\x04\x95\xea\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x03\x69\x6e\x74\x94\x4b\x01\x8c\x03"
            "\x6e\x65\x67\x94\x4a\xfb\xff\xff\xff\x8c\x03\x62\x69\x67\x94\x8a\x06\x00\x00\x00\x00\x00\x01\x8c"
            "\x04\x68\x75\x67\x65\x94\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0\x8c\x01\x66\x94\x47\x40\x04"
            "\x00\x00\x00\x00\x00\x00\x8c\x01\x73\x94\x8c\x06\x68\xc3\xa9\x6c\x6c\x6f\x94\x8c\x01\x62\x94\x43"
            "\x02\x00\xff\x94\x8c\x01\x74\x94\x4b\x01\x8c\x01\x78\x94\x86\x94\x8c\x01\x6c\x94\x5d\x94\x28\x4e"
            "\x88\x89\x65\x8c\x01\x6e\x94\x7d\x94\x8c\x01\x6b\x94\x5d\x94\x28\x4b\x01\x4b\x02\x65\x73\x8c\x03"
            "\x73\x65\x74\x94\x8f\x94\x28\x4b\x03\x90\x8c\x02\x66\x73\x94\x28\x4b\x04\x91\x94\x8c\x01\x63\x94"
            "\x8c\x08\x62\x75\x69\x6c\x74\x69\x6e\x73\x94\x8c\x07\x63\x6f\x6d\x70\x6c\x65\x78\x94\x93\x94\x47"
            "\x3f\xf0\x00\x00\x00\x00\x00\x00\x47\x40\x00\x00\x00\x00\x00\x00\x00\x86\x94\x52\x94\x8c\x02\x62"
            "\x61\x94\x68\x18\x8c\x09\x62\x79\x74\x65\x61\x72\x72\x61\x79\x94\x93\x94\x43\x02\x61\x62\x94\x85"
            "\x94\x52\x94\x75\x2e",
            245);
        QTest::newRow("protocol 5") << QByteArray(
            "\x80\x05\x95\xdd\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x03\x69\x6e\x74\x94\x4b\x01\x8c\x03"
            "\x6e\x65\x67\x94\x4a\xfb\xff\xff\xff\x8c\x03\x62\x69\x67\x94\x8a\x06\x00\x00\x00\x00\x00\x01\x8c"
            "\x04\x68\x75\x67\x65\x94\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0\x8c\x01\x66\x94\x47\x40\x04"
            "\x00\x00\x00\x00\x00\x00\x8c\x01\x73\x94\x8c\x06\x68\xc3\xa9\x6c\x6c\x6f\x94\x8c\x01\x62\x94\x43"
            "\x02\x00\xff\x94\x8c\x01\x74\x94\x4b\x01\x8c\x01\x78\x94\x86\x94\x8c\x01\x6c\x94\x5d\x94\x28\x4e"
            "\x88\x89\x65\x8c\x01\x6e\x94\x7d\x94\x8c\x01\x6b\x94\x5d\x94\x28\x4b\x01\x4b\x02\x65\x73\x8c\x03"
            "\x73\x65\x74\x94\x8f\x94\x28\x4b\x03\x90\x8c\x02\x66\x73\x94\x28\x4b\x04\x91\x94\x8c\x01\x63\x94"
            "\x8c\x08\x62\x75\x69\x6c\x74\x69\x6e\x73\x94\x8c\x07\x63\x6f\x6d\x70\x6c\x65\x78\x94\x93\x94\x47"
            "\x3f\xf0\x00\x00\x00\x00\x00\x00\x47\x40\x00\x00\x00\x00\x00\x00\x00\x86\x94\x52\x94\x8c\x02\x62"
            "\x61\x94\x96\x02\x00\x00\x00\x00\x00\x00\x00\x61\x62\x94\x75\x2e",
            232);
    }
    void plainValues()
    {
        QFETCH(QByteArray, bytes);
        const Document doc = parse(bytes);
        const Value& root = doc.root();
        QCOMPARE(root.kind, Kind::Dict);
        QCOMPARE(root.entries.size(), std::size_t(14));
        QVERIFY(doc.refusedCalls().empty());
        QCOMPARE(QString::fromStdString(toDisplayString(root, 10, 4000)),
            QString::fromUtf8("{'int': 1, 'neg': -5, 'big': 1099511627776, 'huge': -1180591620717411303424, "
                              "'f': 2.5, 's': 'h\xc3\xa9llo', 'b': b\"\\x00\\xff\", 't': (1, 'x'), "
                              "'l': [None, True, False], 'n': {'k': [1, 2]}, 'set': {3}, "
                              "'fs': frozenset({4}), 'c': (1.0+2.0j), 'ba': b\"ab\"}"));
        QCOMPARE(root.find("int")->kind, Kind::Int);
        QCOMPARE(root.find("neg")->integer, std::int64_t(-5));
        QCOMPARE(root.find("big")->integer, std::int64_t(1) << 40);
        QCOMPARE(root.find("huge")->kind, Kind::BigInt);
        QCOMPARE(root.find("f")->real, 2.5);
        QCOMPARE(root.find("s")->text, std::string("h\xc3\xa9llo"));
        QCOMPARE(root.find("b")->kind, Kind::Bytes);
        QCOMPARE(root.find("b")->text, std::string("\0\xff", 2));
        QCOMPARE(root.find("t")->kind, Kind::Tuple);
        QCOMPARE(root.find("set")->kind, Kind::Set);
        QVERIFY(root.find("fs")->frozen);
        QCOMPARE(root.find("c")->kind, Kind::Complex);
        QCOMPARE(root.find("c")->imag, 2.0);
        QCOMPARE(root.find("ba")->text, std::string("ab"));
        QCOMPARE(doc.endOffset(), std::uint64_t(bytes.size()));
    }

    void memoSharesValues()
    {
        // d = {}; [d, d] under protocol 2: the second item is a BINGET of the first.
        const auto p
            = PickleBytes().proto(2).op(']').op('q').op(0).op('(').op('}').op('q').op(1).op('h').op(1).op('e').stop();
        const Document doc = parse(p.s);
        QCOMPARE(doc.root().items.size(), std::size_t(2));
        QCOMPARE(doc.root().items[0], doc.root().items[1]);
        // LONG_BINPUT / LONG_BINGET with a large index, and protocol 4 MEMOIZE.
        const auto q = PickleBytes()
                           .proto(4)
                           .unicode("x")
                           .op('r')
                           .le(0xfffffff0u, 4)
                           .op('0')
                           .op('j')
                           .le(0xfffffff0u, 4)
                           .op(0x94)
                           .op('h')
                           .op(1)
                           .op(0x86)
                           .stop();
        const Document d2 = parse(q.s);
        QCOMPARE(QString::fromStdString(toDisplayString(d2.root())), QString("('x', 'x')"));
    }

    void cyclicListIsBounded()
    {
        // l = []; l.append(l): rendering must stop.
        const auto p = PickleBytes().proto(2).op(']').op('q').op(0).op('h').op(0).op('a').stop();
        const Document doc = parse(p.s);
        QCOMPARE(doc.root().items.at(0), &doc.root());
        QVERIFY(toDisplayString(doc.root()).size() < 300);
    }

    void refusedCalls_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("call");
        auto row = [](const char* name, const std::string& s, const char* call) {
            QTest::newRow(name) << QByteArray(s.data(), static_cast<qsizetype>(s.size())) << QString(call);
        };
        row("os.system", osSystemPickle("echo hi"), "os.system");
        row("posix.system", PickleBytes().proto(2).global("posix", "system").unicode("id").op(0x85).op('R').stop().s,
            "posix.system");
        row("builtins.eval (protocol 4, STACK_GLOBAL)",
            PickleBytes()
                .proto(4)
                .op(0x8c)
                .op(8)
                .raw("builtins")
                .op(0x8c)
                .op(4)
                .raw("eval")
                .op(0x93)
                .op(0x8c)
                .op(3)
                .raw("1+1")
                .op(0x85)
                .op('R')
                .stop()
                .s,
            "builtins.eval");
        row("__builtin__.eval (protocol 2 spelling)",
            PickleBytes().proto(2).global("__builtin__", "eval").unicode("1+1").op(0x85).op('R').stop().s,
            "builtins.eval");
        row("subprocess.Popen (protocol 0)",
            PickleBytes()
                .global("subprocess", "Popen")
                .op('(')
                .op('(')
                .raw("S'touch'\nS'x'\n")
                .op('l')
                .op('t')
                .op('R')
                .stop()
                .s,
            "subprocess.Popen");
        row("builtins.__import__",
            PickleBytes().proto(3).global("builtins", "__import__").unicode("os").op(0x85).op('R').stop().s,
            "builtins.__import__");
        row("os.system via INST", PickleBytes().op('(').raw("S'ls'\n").op('i').raw("os\nsystem\n").stop().s,
            "os.system");
        row("os.system via OBJ", PickleBytes().proto(1).op('(').global("os", "system").unicode("ls").op('o').stop().s,
            "os.system");
        row("nested in a dict",
            PickleBytes()
                .proto(2)
                .op('}')
                .op('(')
                .unicode("a")
                .binint1(1)
                .unicode("b")
                .raw(osSystemPickle("ls").substr(2, osSystemPickle("ls").size() - 3))
                .op('u')
                .stop()
                .s,
            "os.system");
    }
    void refusedCalls()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, call);
        const Document doc = parse(bytes);
        QCOMPARE(doc.refusedCalls().size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(doc.refusedCalls().front()), call);
        const Value* refused = doc.root().kind == Kind::Dict ? doc.root().find("b") : &doc.root();
        QVERIFY(refused);
        QCOMPARE(refused->kind, Kind::Object);
        QVERIFY(refused->called);
        QVERIFY(QString::fromStdString(toDisplayString(*refused)).contains("[refused call]"));
    }

    // The hostile commands would create a marker file if anything ran them.
    void nothingRuns_data()
    {
        QTest::addColumn<QString>("kind");
        for (const char* k : { "os.system", "subprocess.Popen", "builtins.eval", "builtins.exec" })
            QTest::newRow(k) << QString(k);
    }
    void nothingRuns()
    {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const std::string marker = dir.filePath("marker").toStdString();
        std::string p;
        if (kind == "os.system") {
            p = osSystemPickle("touch " + marker);
        } else if (kind == "subprocess.Popen") {
            p = PickleBytes()
                    .proto(2)
                    .global("subprocess", "Popen")
                    .op(']')
                    .op('(')
                    .unicode("touch")
                    .unicode(marker)
                    .op('e')
                    .op(0x85)
                    .op('R')
                    .stop()
                    .s;
        } else {
            const auto [module, name] = std::pair { std::string("builtins"), kind.mid(9).toStdString() };
            p = PickleBytes()
                    .proto(2)
                    .global(module, name)
                    .unicode("__import__('os').system('touch " + marker + "')")
                    .op(0x85)
                    .op('R')
                    .stop()
                    .s;
        }
        const Document doc = parse(p);
        QCOMPARE(QString::fromStdString(doc.refusedCalls().at(0)), kind);
        QVERIFY(!QFile::exists(QString::fromStdString(marker)));
    }

    void classPlaceholdersReceiveState()
    {
        // An nn.Module-like object: NEWOBJ of an unknown class, then BUILD with its __dict__.
        const auto p = PickleBytes()
                           .proto(2)
                           .global("__main__", "Net")
                           .op(')')
                           .op(0x81)
                           .op('}')
                           .unicode("hidden")
                           .binint1(3)
                           .op('s')
                           .op('b')
                           .stop();
        const Document doc = parse(p.s);
        QCOMPARE(doc.root().kind, Kind::Object);
        QVERIFY(!doc.root().called);
        QVERIFY(doc.refusedCalls().empty());
        QCOMPARE(doc.root().qualifiedName(), std::string("__main__.Net"));
        QCOMPARE(doc.root().attribute("hidden")->integer, std::int64_t(3));
    }

    void persistentIdNeedsACallback()
    {
        const auto p = PickleBytes().proto(2).unicode("k").op('Q').stop();
        QVERIFY(failure(p.s).contains("persistent id"));
        PickleOptions options;
        int calls = 0;
        options.onPersistentId = [&calls](const Value& pid) {
            ++calls;
            if (pid.text != "k")
                throw FormatError("refused");
        };
        QCOMPARE(parse(p.s, options).root().kind, Kind::PersistentId);
        QCOMPARE(calls, 1);
        const auto bad = PickleBytes().proto(2).unicode("other").op('Q').stop();
        QCOMPARE(failure(bad.s, options), QString("refused"));
    }

    void hostileInputs_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        auto row = [](const char* name, const std::string& s, const char* reason) {
            QTest::newRow(name) << QByteArray(s.data(), static_cast<qsizetype>(s.size())) << QString(reason);
        };
        row("empty", "", "unexpected end of data");
        row("truncated BINUNICODE", PickleBytes().proto(2).op('X').le(10, 4).raw("abc").s, "runs past the end");
        row("BINUNICODE claims 4 GB", PickleBytes().proto(2).op('X').le(0xffffffffu, 4).raw("abc").stop().s,
            "runs past the end");
        row("BINBYTES8 claims 2^63", PickleBytes().proto(4).op(0x8e).le(std::uint64_t(1) << 63, 8).stop().s,
            "runs past the end");
        row("BYTEARRAY8 claims 2^64-1", PickleBytes().proto(5).op(0x96).le(~std::uint64_t(0), 8).stop().s,
            "runs past the end");
        row("LONG4 claims 2 GB", PickleBytes().proto(2).op(0x8b).le(0x7fffffffu, 4).stop().s, "runs past the end");
        row("FRAME claims 1 TB", PickleBytes().proto(4).op(0x95).le(std::uint64_t(1) << 40, 8).op('N').stop().s,
            "FRAME runs past the end");
        row("memo GET of a 4 GB index", PickleBytes().proto(2).op('j').le(0xffffffffu, 4).stop().s, "never stored");
        row("text GET of a huge index", PickleBytes().raw("g99999999999999999999\n").stop().s, "bad GET index");
        row("no STOP", PickleBytes().proto(2).op('N').s, "unexpected end of data");
        row("stack underflow", PickleBytes().proto(2).op('a').stop().s, "stack underflow");
        row("unknown opcode", PickleBytes().proto(2).op(0xff).s, "unknown opcode 0xff");
        row("protocol 6", PickleBytes().proto(6).op('N').stop().s, "unsupported pickle protocol 6");
        row("out-of-band buffer", PickleBytes().proto(5).op(0x97).stop().s, "out-of-band");
        row("APPEND to an int", PickleBytes().proto(2).binint1(1).op('N').op('a').stop().s, "APPEND to a int");
        row("REDUCE of a string", PickleBytes().proto(2).unicode("f").op(')').op('R').stop().s, "not a global");
        std::string marks(2000, '(');
        row("2000 nested MARKs", marks + "N.", "MARKs nested deeper");
        std::string lists;
        for (int i = 0; i < 200'000; ++i)
            lists += ']';
        row("200000 values on the stack", PickleBytes().proto(2).raw(lists).stop().s, "stack deeper");
        row("unterminated GLOBAL", PickleBytes().proto(2).raw("cos\nsys").s, "unterminated text line");
    }
    void hostileInputs()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const QString message = failure(bytes.toStdString());
        QVERIFY2(message.contains(reason), qPrintable(message));
        QVERIFY(message.startsWith("pickle: "));
    }

    void deepNestingThroughTheMemo()
    {
        // l0 = []; l1 = [l0]; ... 250000 levels with a constant stack: parsing succeeds and
        // every walker must bound its depth (toDisplayString does).
        PickleBytes p;
        p.proto(2).op(']').op('q').op(0).op('0');
        for (int i = 0; i < 250'000; ++i)
            p.op(']').op('h').op(0).op('a').op('q').op(0).op('0');
        p.op('h').op(0).stop();
        const Document doc = parse(p.s);
        QCOMPARE(doc.root().kind, Kind::List);
        QCOMPARE(QString::fromStdString(toDisplayString(doc.root())), QString("[[[[...]]]]"));
    }

    // Values cost some 400 bytes each in the graph; a byte or three of pickle may make one. The
    // graph may take 176 MiB and the pickle's size, then unpickling stops.
    void memoryIsBoundedByThePickleSize_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        auto row = [](const char* name, const PickleBytes& p) {
            QTest::newRow(name) << QByteArray(p.s.data(), static_cast<qsizetype>(p.s.size()));
        };
        PickleBytes memo; // EMPTY_DICT MEMOIZE POP: a dict and a memo entry per 3 bytes
        memo.proto(4);
        for (int i = 0; i < 2'000'000; ++i)
            memo.op('}').op(0x94).op('0');
        row("memo abuse, 6 MB", memo.op('N').stop());
        PickleBytes chain; // ((((None,),),),): a tuple per byte
        chain.proto(2).op('N');
        for (int i = 0; i < 3'000'000; ++i)
            chain.op(0x85);
        row("TUPLE1 chain, 3 MB", chain.stop());
        PickleBytes key; // one 1 MB key set in a fresh 17-key dict again and again: 1 MB copied each time
        key.proto(2).unicode(std::string(1 << 20, 'k')).op('q').op(0).op('0');
        for (int d = 0; d < 400; ++d) {
            key.op('}').op('(');
            for (int i = 0; i < 16; ++i)
                key.binint1(i).op('N');
            key.op('h').op(0).op('N').op('u').op('0');
        }
        row("a long key copied into 400 dicts", key.op('N').stop());
        PickleBytes name; // a 1 MB class name, instantiated again and again: 1 MB copied each time
        name.proto(2).op('c').raw("m\n").raw(std::string(1 << 20, 'n')).raw("\n").op('q').op(0).op('0');
        for (int i = 0; i < 400; ++i)
            name.op('h').op(0).op(')').op(0x81).op('0');
        row("a long class name instantiated 400 times", name.op('N').stop());
    }

    void memoryIsBoundedByThePickleSize()
    {
        QFETCH(QByteArray, bytes);
        const QString why = failure(bytes.toStdString());
        QVERIFY2(why.contains("its values would take more than") && why.contains("MiB of memory"), qPrintable(why));
    }

    void theGraphBudgetCanBeSetByTheReader()
    {
        // A reader whose pickle came out of a smaller file (an inflated zip member) passes its own
        // budget; within the default, the same pickle parses.
        PickleBytes p;
        p.proto(2).op(']').op('q').op(0).op('0');
        for (int i = 0; i < 10'000; ++i)
            p.op(']').op('0');
        p.op('N').stop();
        QCOMPARE(failure(p.s), QString());
        PickleOptions options;
        options.maxGraphBytes = 1 << 20;
        QVERIFY(failure(p.s, options).contains("more than 1 MiB of memory"));
    }

    void copiesAreCounted()
    {
        // A 1000-item list copied by list(x) again and again: the copies count against the
        // container limit instead of growing memory without bound.
        PickleBytes p;
        p.proto(2).op(']').op('q').op(0).op('(');
        for (int i = 0; i < 1000; ++i)
            p.binint1(i % 256);
        p.op('e').op('0');
        for (int i = 0; i < 100'000; ++i)
            p.global("builtins", "list").op('h').op(0).op(0x85).op('R').op('0');
        p.op('N').stop();
        PickleOptions options;
        options.maxContainerItems = 1'000'000;
        QVERIFY(failure(p.s, options).contains("container items"));
    }

    void manyDictKeysStayFast()
    {
        // 100000 distinct keys, then every key set again: must stay linear.
        PickleBytes p;
        p.proto(2).op('}');
        for (int round = 0; round < 2; ++round) {
            for (int i = 0; i < 100'000; ++i) {
                if (i % 1000 == 0)
                    p.op('('); // SETITEMS in batches of 1000, as pickle writes them
                p.unicode("k" + std::to_string(i)).op('J').le(static_cast<std::uint32_t>(i + round), 4);
                if (i % 1000 == 999)
                    p.op('u');
            }
        }
        p.stop();
        const auto start = std::chrono::steady_clock::now();
        const Document doc = parse(p.s);
        const auto ms
            = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        QCOMPARE(doc.root().entries.size(), std::size_t(100'000));
        QCOMPARE(doc.root().find("k7")->integer, std::int64_t(8));
        QVERIFY2(ms < 5000, qPrintable(QString::number(ms) + " ms"));
    }

    void bigIntegers()
    {
        // LONG1 of the legacy torch magic number, and a 1000-byte LONG4 (rendered, not converted).
        const auto magic
            = PickleBytes().proto(2).op(0x8a).op(10).raw("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19").stop();
        QCOMPARE(parse(magic.s).root().text, std::string("119547037146038801333356"));
        PickleBytes huge;
        huge.proto(2).op(0x8b).le(1000, 4).raw(std::string(999, '\x11')).raw("\x01").stop();
        QCOMPARE(parse(huge.s).root().text, std::string("<integer of 1000 bytes>"));
        const auto minus = PickleBytes().proto(2).op(0x8a).op(2).raw(std::string("\x00\xff", 2)).stop();
        QCOMPARE(parse(minus.s).root().integer, std::int64_t(-256));
    }

    // Every prefix of a real pickle fails cleanly, and random corruptions never crash.
    void truncatedAndCorrupted()
    {
        const std::string good = PickleBytes()
                                     .proto(2)
                                     .op('}')
                                     .op('(')
                                     .unicode("a")
                                     .op(']')
                                     .op('(')
                                     .binint1(1)
                                     .op('G')
                                     .raw(std::string("\x40\x04\0\0\0\0\0\0", 8))
                                     .op('N')
                                     .op('e')
                                     .unicode("b")
                                     .global("collections", "OrderedDict")
                                     .op(')')
                                     .op('R')
                                     .op('u')
                                     .stop()
                                     .s;
        QCOMPARE(parse(good).root().entries.size(), std::size_t(2));
        for (std::size_t n = 0; n < good.size(); ++n)
            QVERIFY2(!failure(good.substr(0, n)).isEmpty(), qPrintable(QString::number(n)));
        std::mt19937 rng(12345);
        for (int i = 0; i < 20'000; ++i) {
            std::string s = good;
            for (int k = 0; k < 3; ++k)
                s[rng() % s.size()] = static_cast<char>(rng());
            failure(s); // either parses or throws FormatError; anything else fails the test
        }
    }
};

QTEST_GUILESS_MAIN(TestPickle)
#include "tst_pickle.moc"
