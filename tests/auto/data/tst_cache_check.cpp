#include "core/data/cache_check.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;

namespace {
QString putObject(const QString &cache, const QByteArray &content, const QByteArray &storedAs = {})
{
    const QString md5 = QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Md5).toHex());
    const QString dir = cache + QStringLiteral("/files/md5/") + md5.left(2);
    QDir().mkpath(dir);
    QFile f(dir + QLatin1Char('/') + md5.mid(2));
    f.open(QIODevice::WriteOnly);
    f.write(storedAs.isNull() ? content : storedAs);
    return md5;
}
} // namespace

class TstCacheCheck : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void md5MatchesAnIndependentHash()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f"));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(QByteArray(3 << 20, 'q') + "tail");
        f.close();
        // Known value from md5sum for the empty file, and Qt's one-shot hash for the rest.
        QFile empty(dir.filePath(QStringLiteral("empty")));
        empty.open(QIODevice::WriteOnly);
        empty.close();
        QCOMPARE(*data::md5OfFile(dir.filePath(QStringLiteral("empty"))), QStringLiteral("d41d8cd98f00b204e9800998ecf8427e"));
        QCOMPARE(*data::md5OfFile(path),
                 QString::fromLatin1(QCryptographicHash::hash(QByteArray(3 << 20, 'q') + "tail", QCryptographicHash::Md5).toHex()));
        QCOMPARE(data::md5OfFile(dir.filePath(QStringLiteral("absent"))).status().code(), ErrorCode::Io);
    }

    void emptyOrMissingCacheIsHealthy()
    {
        QTemporaryDir dir;
        auto report = data::checkCache(dir.filePath(QStringLiteral("no-cache")));
        QVERIFY(report.isOk());
        QVERIFY(report->ok());
        QCOMPARE(report->objectsChecked, qint64(0));
    }

    void findsCorruptAndStrayFiles()
    {
        QTemporaryDir dir;
        const QString cache = dir.path();
        putObject(cache, "good object\n");
        putObject(cache, "another good one\n");
        const QString bad = putObject(cache, "original bytes\n", "bit rot bytes\n");
        QFile stray(cache + QStringLiteral("/files/md5/") + bad.left(2) + QStringLiteral("/.tmp-123"));
        stray.open(QIODevice::WriteOnly);
        stray.close();
        auto report = data::checkCache(cache);
        QVERIFY(report.isOk());
        QCOMPARE(report->objectsChecked, qint64(3));
        QCOMPARE(report->corruptObjects, QStringList{QStringLiteral("files/md5/%1/%2").arg(bad.left(2), bad.mid(2))});
        QCOMPARE(report->strayFiles.size(), 1);
        QVERIFY(!report->ok());
    }
};

QTEST_GUILESS_MAIN(TstCacheCheck)
#include "tst_cache_check.moc"
