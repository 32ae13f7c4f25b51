#include "core/common/safe_path.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;

class TstSafePath : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_outside;
    QString root() const { return m_dir.path() + QStringLiteral("/root"); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir().mkpath(root() + QStringLiteral("/sub/deeper")));
        QVERIFY(QFile::link(m_outside.path(), root() + QStringLiteral("/escape")));
        QVERIFY(QFile::link(QStringLiteral("sub"), root() + QStringLiteral("/inside-link")));
        QVERIFY(QFile::link(m_dir.path() + QStringLiteral("/nothing-here"), root() + QStringLiteral("/dangling")));
    }

    void acceptsPlainRelativePaths_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("expected");
        QTest::newRow("file") << "a.csv" << "/a.csv";
        QTest::newRow("nested, not existing yet") << "x/y/z.bin" << "/x/y/z.bin";
        QTest::newRow("dot and double slash") << "./sub//deeper/./f" << "/sub/deeper/f";
        QTest::newRow("link that stays inside") << "inside-link/f" << "/inside-link/f";
        QTest::newRow("dots in a name") << "v1..2/file..txt" << "/v1..2/file..txt";
    }
    void acceptsPlainRelativePaths()
    {
        QFETCH(QString, relative);
        QFETCH(QString, expected);
        auto joined = common::joinInside(root(), relative);
        QVERIFY2(joined.isOk(), qPrintable(joined.status().message()));
        QCOMPARE(*joined, QDir(root()).absolutePath() + expected);
    }

    void rejectsEscapes_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("reason");
        QTest::newRow("parent") << "../etc/passwd" << "'..'";
        QTest::newRow("parent in the middle") << "sub/../../x" << "'..'";
        QTest::newRow("absolute") << "/etc/passwd" << "absolute";
        QTest::newRow("home") << "~/x" << "absolute";
        QTest::newRow("backslash traversal") << "..\\..\\etc" << "backslash";
        QTest::newRow("empty") << "" << "empty";
        QTest::newRow("only dots") << "./." << "root itself";
        QTest::newRow("symlink out") << "escape/secret" << "symlink";
        QTest::newRow("symlink out, itself") << "escape" << "symlink";
        QTest::newRow("dangling symlink") << "dangling/x" << "symlink to nowhere";
        QTest::newRow("NUL byte") << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << "NUL";
    }
    void rejectsEscapes()
    {
        QFETCH(QString, relative);
        QFETCH(QString, reason);
        auto joined = common::joinInside(root(), relative);
        QVERIFY2(!joined.isOk(), qPrintable(joined.isOk() ? *joined : QString()));
        QCOMPARE(joined.status().code(), ErrorCode::InvalidArgument);
        QVERIFY2(joined.status().message().contains(reason), qPrintable(joined.status().message()));
    }

    void isInsideFollowsSymlinks()
    {
        QVERIFY(common::isInside(root(), root() + QStringLiteral("/sub/new-file")));
        QVERIFY(common::isInside(root(), root() + QStringLiteral("/inside-link/x")));
        QVERIFY(!common::isInside(root(), root() + QStringLiteral("/escape/x")));
        QVERIFY(!common::isInside(root(), root() + QStringLiteral("/../x")));
        QVERIFY(!common::isInside(root(), QStringLiteral("/etc/passwd")));
    }
};

QTEST_GUILESS_MAIN(TstSafePath)
#include "tst_safe_path.moc"
