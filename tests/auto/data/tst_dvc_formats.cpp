// The formats DVC must read back: .dvc files, directory manifests, legacy hashes.
#include "core/data/dir_manifest.h"
#include "core/data/dvc_config.h"
#include "core/data/dvc_file.h"
#include "core/data/file_hasher.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::data;

class TstDvcFormats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dvcFileRoundTripInDvcLayout()
    {
        DvcFile f;
        DvcOut o;
        o.path = QStringLiteral("data.xml");
        o.md5 = QStringLiteral("a304afb96060aad90176268345e10355");
        o.size = 30;
        f.outs = {o};
        // Exactly what `dvc add` writes (interop.md).
        QCOMPARE(f.serialize(), QByteArray("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 30\n  hash: md5\n  path: data.xml\n"));
        auto back = DvcFile::parse(f.serialize(), QStringLiteral("data.xml.dvc"));
        QVERIFY(back.isOk());
        QCOMPARE(back->outs.first().md5, o.md5);
        QCOMPARE(back->outs.first().size, qint64(30));
        QVERIFY(!back->outs.first().legacyHash);
    }

    void directoryOutAndUnknownKeysKept()
    {
        const QByteArray text = "outs:\n- md5: 153aad06d376ec6f4a5c4e2de2ce7a3b.dir\n  size: 8437363\n  nfiles: 2\n  hash: md5\n"
                                "  desc: prepared images\n  path: data/prepared\nmeta: {owner: ana}\n";
        auto f = DvcFile::parse(text, QStringLiteral("prepared.dvc"));
        QVERIFY2(f.isOk(), qPrintable(f.status().message()));
        QVERIFY(f->outs.first().isDirectory());
        QCOMPARE(f->outs.first().nfiles, qint64(2));
        const QByteArray again = f->serialize();
        QVERIFY2(again.contains("  desc: prepared images\n"), again.constData());
        QVERIFY2(again.contains("meta: {owner: ana}\n"), again.constData());
        QCOMPARE(DvcFile::parse(again, QStringLiteral("x"))->serialize(), again);
    }

    void legacyFileWithoutHashKey()
    {
        auto f = DvcFile::parse("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: old.csv\n", QStringLiteral("old.csv.dvc"));
        QVERIFY(f.isOk());
        QVERIFY(f->outs.first().legacyHash);
        QVERIFY(!f->serialize().contains("hash:"));
    }

    void badDvcFilesNameThePlace_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("path with ..") << QByteArray("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: ../../etc/passwd\n") << "'..'";
        QTest::newRow("absolute path") << QByteArray("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: /etc/passwd\n") << "absolute";
        QTest::newRow("bad md5") << QByteArray("outs:\n- md5: xyz\n  path: a\n") << "32 hexadecimal";
        QTest::newRow("no outs") << QByteArray("foo: 1\n") << "'outs'";
        QTest::newRow("bad yaml") << QByteArray("outs: [\n") << "b.dvc:";
        QTest::newRow("no path") << QByteArray("outs:\n- md5: a304afb96060aad90176268345e10355\n") << "no path";
        QTest::newRow("not a map") << QByteArray("- 1\n- 2\n") << "mapping";
    }
    void badDvcFilesNameThePlace()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        auto f = DvcFile::parse(text, QStringLiteral("b.dvc"));
        QVERIFY(!f.isOk());
        QVERIFY2(f.status().message().contains(message), qPrintable(f.status().message()));
        QVERIFY(f.status().message().contains(QStringLiteral("b.dvc")));
    }

    void manifestMatchesPythonJsonDumps()
    {
        DirManifest m;
        m.entries = {{QStringLiteral("z.txt"), QStringLiteral("d8e8fca2dc0f896fd7cb4cb0031ba249")},
                     {QStringLiteral("sub/ü \"q\".csv"), QStringLiteral("00000000000000000000000000000001")},
                     {QStringLiteral("a.txt"), QStringLiteral("d41d8cd98f00b204e9800998ecf8427e")},
                     {QStringLiteral("emoji/\U0001F600.bin"), QStringLiteral("00000000000000000000000000000002")}};
        m.sort();
        const QByteArray ours = m.serialize();
        // The oracle: Python's own json.dumps(…, sort_keys=True) over the relpath-sorted list.
        QJsonArray input;
        for (const auto &e : m.entries)
            input.append(QJsonObject{{QStringLiteral("md5"), e.md5}, {QStringLiteral("relpath"), e.relpath}});
        testing::ProcessOptions withInput;
        withInput.input = QJsonDocument(input).toJson();
        const testing::ProcessResult py = testing::run(
            QStringLiteral("/usr/bin/python3"),
            {QStringLiteral("-c"), QStringLiteral("import json,sys; e=json.load(sys.stdin); e.sort(key=lambda x: x['relpath']);"
                                                  "sys.stdout.write(json.dumps(e, sort_keys=True))")},
            withInput);
        QVERIFY2(py.ok(), qPrintable(py.describe()));
        QCOMPARE(ours, py.out.toUtf8());
        auto parsed = DirManifest::parse(ours, QStringLiteral("m"));
        QVERIFY(parsed.isOk());
        QCOMPARE(parsed->entries.size(), 4);
        QCOMPARE(parsed->entries.first().relpath, QStringLiteral("a.txt"));
    }

    void manifestWithTraversalRefused()
    {
        auto m = DirManifest::parse("[{\"md5\": \"d41d8cd98f00b204e9800998ecf8427e\", \"relpath\": \"../x\"}]", QStringLiteral("evil.dir"));
        QVERIFY(!m.isOk());
        QVERIFY(m.status().message().contains(QStringLiteral("evil.dir")));
    }

    void legacyHashNormalisesCrlfInText()
    {
        QTemporaryDir dir;
        const auto write = [&](const char *name, const QByteArray &bytes) {
            QFile f(dir.filePath(QLatin1String(name)));
            f.open(QIODevice::WriteOnly);
            f.write(bytes);
            return f.fileName();
        };
        const QString crlf = write("crlf.txt", "a,b\r\n1,2\r\n");
        const QString lf = write("lf.txt", "a,b\n1,2\n");
        const QString binary = write("bin.dat", QByteArray("\0\r\n\x01", 4));
        QCOMPARE(*legacyMd5OfFile(crlf), QString::fromLatin1(QCryptographicHash::hash("a,b\n1,2\n", QCryptographicHash::Md5).toHex()));
        QCOMPARE(*legacyMd5OfFile(crlf), *legacyMd5OfFile(lf));
        QCOMPARE(*legacyMd5OfFile(binary), QString::fromLatin1(QCryptographicHash::hash(QByteArray("\0\r\n\x01", 4), QCryptographicHash::Md5).toHex()));
    }

    void dvcConfigReadsBothSectionStylesAndKeepsTheRest()
    {
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath(QStringLiteral(".dvc")));
        QFile f(dir.filePath(QStringLiteral(".dvc/config")));
        f.open(QIODevice::WriteOnly);
        f.write("[core]\n    remote = nas\n    autostage = true\n['remote \"nas\"']\n    url = /mnt/nas/store\n[remote \"old\"]\n    url = /srv/old\n");
        f.close();
        auto c = DvcConfig::load(dir.path());
        QVERIFY(c.isOk());
        QCOMPARE(c->defaultRemote(), QStringLiteral("nas"));
        QCOMPARE(c->remoteUrl(QStringLiteral("nas")), QStringLiteral("/mnt/nas/store"));
        QCOMPARE(c->remoteUrl(QStringLiteral("old")), QStringLiteral("/srv/old"));
        c->setValue(QStringLiteral("cache"), QStringLiteral("dir"), QStringLiteral("../.orrery/cache"));
        QVERIFY(c->save(dir.path()).isOk());
        auto again = DvcConfig::load(dir.path());
        QCOMPARE(again->value(QStringLiteral("core"), QStringLiteral("autostage")), QStringLiteral("true"));
        QCOMPARE(again->value(QStringLiteral("cache"), QStringLiteral("dir")), QStringLiteral("../.orrery/cache"));
        QCOMPARE(again->remoteNames(), (QStringList{QStringLiteral("nas"), QStringLiteral("old")}));
    }
};

QTEST_GUILESS_MAIN(TstDvcFormats)
#include "tst_dvc_formats.moc"
