// The architecture as a test: the folders of core/ depend only downwards (no cycle in the graph
// of #include "folder/…" between them), a private header (*_p.h) is included only inside its
// own folder, and nothing below the app links Qt: core/ includes no Qt header, session/ no Qt
// Gui or Widgets header.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <map>
#include <set>
#include <vector>

namespace {
const QString root = QStringLiteral(CKPT_TEST_DATA "/../..");

// formats/hdf5/Hdf5Reader.cpp -> "formats/hdf5"; tensor/Shape.h -> "tensor".
QString folderOf(const QString& relative)
{
    const QStringList parts = relative.split(QLatin1Char('/'));
    if (parts.size() > 2 && parts[0] == QLatin1String("formats"))
        return parts[0] + QLatin1Char('/') + parts[1];
    return parts.size() > 1 ? parts[0] : QStringLiteral(".");
}

struct Include {
    QString file; // the including file, relative to its top folder
    QString target; // what it includes, as written
};

std::vector<Include> includesUnder(const QString& top)
{
    static const QRegularExpression include(QStringLiteral("^\\s*\x23\\s*include\\s+[<\"]([^\">]+)[\">]"));
    std::vector<Include> found;
    QDirIterator it(root + QLatin1Char('/') + top, { "*.h", "*.cpp" }, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QString relative = path.mid(root.size() + top.size() + 2);
        for (const QByteArray& line : f.readAll().split('\n'))
            if (const auto m = include.match(QString::fromUtf8(line)); m.hasMatch())
                found.push_back({ relative, m.captured(1) });
    }
    return found;
}

// The folders on a cycle through `from`, or empty.
QStringList cycleThrough(const std::map<QString, std::set<QString>>& edges, const QString& from)
{
    std::map<QString, QString> parent;
    std::vector<QString> stack { from };
    while (!stack.empty()) {
        const QString at = stack.back();
        stack.pop_back();
        const auto it = edges.find(at);
        if (it == edges.end())
            continue;
        for (const QString& next : it->second) {
            if (next == from) {
                QStringList cycle { from };
                for (QString p = at; p != from; p = parent[p])
                    cycle.insert(1, p);
                return cycle << from;
            }
            if (!parent.count(next)) {
                parent[next] = at;
                stack.push_back(next);
            }
        }
    }
    return {};
}
} // namespace

class TestLayering : public QObject {
    Q_OBJECT

private slots:
    void coreFoldersHaveNoCycle()
    {
        std::map<QString, std::set<QString>> edges;
        for (const Include& inc : includesUnder(QStringLiteral("core"))) {
            if (!QFile::exists(root + QStringLiteral("/core/") + inc.target))
                continue; // a system or library header
            const QString from = folderOf(inc.file), to = folderOf(inc.target);
            if (from != to)
                edges[from].insert(to);
        }
        QVERIFY(edges.size() > 10); // the walk found the tree
        for (const auto& [folder, _] : edges) {
            const QStringList cycle = cycleThrough(edges, folder);
            QVERIFY2(cycle.isEmpty(),
                qPrintable(QStringLiteral("folders depend on each other: ") + cycle.join(QStringLiteral(" -> "))));
        }
    }

    void privateHeadersStayInTheirFolder()
    {
        for (const QString top : { "core", "session", "ui", "app" })
            for (const Include& inc : includesUnder(top)) {
                if (!inc.target.endsWith(QLatin1String("_p.h")) || !inc.target.contains(QLatin1Char('/')))
                    continue;
                const bool inside = top == QLatin1String("core") && folderOf(inc.file) == folderOf(inc.target);
                QVERIFY2(
                    inside, qPrintable(top + QLatin1Char('/') + inc.file + QStringLiteral(" includes ") + inc.target));
            }
    }

    void noQtBelowTheApp()
    {
        for (const Include& inc : includesUnder(QStringLiteral("core")))
            QVERIFY2(!inc.target.startsWith(QLatin1Char('Q')) && !inc.target.startsWith(QLatin1String("qt")),
                qPrintable(inc.file + QStringLiteral(" includes ") + inc.target));
        static const QRegularExpression gui(
            QStringLiteral("^(QtGui|QtWidgets|QWidget|QApplication|QPainter|QColor|QImage|QIcon)"));
        for (const Include& inc : includesUnder(QStringLiteral("session")))
            QVERIFY2(
                !gui.match(inc.target).hasMatch(), qPrintable(inc.file + QStringLiteral(" includes ") + inc.target));
    }
};

QTEST_GUILESS_MAIN(TestLayering)
#include "tst_layering.moc"
