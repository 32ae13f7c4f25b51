// Issue 21 end to end through orrery-cli, as a user moving between dvc and Orrery meets it:
// `data add | status | checkout` on a folder with a symlink and .dvcignore'd files and on an
// executable file agree with the manifests DVC computes (dvc_tree_oracle.py: os.walk, hashlib,
// json, pathspec), a link out of the workspace is refused by name, and `orrery-cli run` runs a
// wdir stage with '..' deps, a named params file and a long command, writing the dvc.lock DVC
// writes (dvc_lock_oracle.py: ruamel.yaml with DVC's settings).
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using Run = orrery::testing::ProcessResult;
using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

const char *kPython = "/usr/bin/python3";

QString md5(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

mode_t modeOf(const QString &path)
{
    struct stat st;
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode : 0;
}

} // namespace

class TstCliDvcCompat : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

    Run cli(const QStringList &args) { return runCli(args, m_ws); }
    QString at(const QString &relative) const { return m_ws + QLatin1Char('/') + relative; }

    QString oracleMd5(const QString &folder)
    {
        const auto r = orrery::testing::run(QString::fromLatin1(kPython),
                                            {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/data/dvc_tree_oracle.py"), m_ws, folder});
        if (!r.ok())
            qFatal("oracle failed: %s", qPrintable(r.describe()));
        return QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("md5")).toString();
    }

    QJsonObject statusOf(const Run &r, const QString &path)
    {
        for (const QJsonValue &v : QJsonDocument::fromJson(r.out.toUtf8()).array())
            if (v.toObject().value(QStringLiteral("path")).toString() == path)
                return v.toObject();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QString::fromLatin1(kPython)), "no /usr/bin/python3: run packaging/setup.sh --test");
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const Run init = runCli({QStringLiteral("init"), m_ws});
        QVERIFY2(init.ok(), qPrintable(init.describe()));
        writeFile(at(QStringLiteral(".dvcignore")), "*.tmp\n");
        writeFile(at(QStringLiteral("shared.csv")), "id\n1\n");
        writeFile(at(QStringLiteral("data/a.csv")), "a\n");
        writeFile(at(QStringLiteral("data/x.tmp")), "scratch");
        writeFile(at(QStringLiteral("data/sub/s.tmp")), "scratch");
        writeFile(at(QStringLiteral("data/sub/b.csv")), "b\n");
        QVERIFY(::symlink("../shared.csv", QFile::encodeName(at(QStringLiteral("data/link.csv"))).constData()) == 0);
        writeFile(at(QStringLiteral("tools/run.sh")), "#!/bin/sh\necho hi\n");
        QVERIFY(::chmod(QFile::encodeName(at(QStringLiteral("tools/run.sh"))).constData(), 0755) == 0);
    }

    void addStatusAndCheckoutAgreeWithDvc()
    {
        Run r = cli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data"), QStringLiteral("tools/run.sh")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QString dvcHash = oracleMd5(QStringLiteral("data"));
        // a.csv and sub/b.csv (2 bytes each) and the link's target (5 bytes); the .tmp files left out
        QVERIFY2(readFile(at(QStringLiteral("data.dvc"))).contains(QStringLiteral("- md5: %1\n  size: 9\n  nfiles: 3\n").arg(dvcHash).toUtf8()),
                 readFile(at(QStringLiteral("data.dvc"))).constData());
        QCOMPARE(readFile(at(QStringLiteral("tools/run.sh.dvc"))),
                 QStringLiteral("outs:\n- md5: %1\n  size: 18\n  isexec: true\n  hash: md5\n  path: run.sh\n").arg(md5("#!/bin/sh\necho hi\n")).toUtf8());

        r = cli({QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(statusOf(r, QStringLiteral("data")).value(QStringLiteral("current_md5")).toString(), dvcHash);

        // Ignored files are not the folder's.
        writeFile(at(QStringLiteral("data/new.tmp")), "more scratch");
        r = cli({QStringLiteral("data"), QStringLiteral("status")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));

        // The link's target changes: modified, for DVC and for Orrery.
        writeFile(at(QStringLiteral("shared.csv")), "id\n2\n");
        r = cli({QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        const QJsonObject changed = statusOf(r, QStringLiteral("data"));
        QCOMPARE(changed.value(QStringLiteral("state")).toString(), QStringLiteral("modified"));
        QCOMPARE(changed.value(QStringLiteral("current_md5")).toString(), oracleMd5(QStringLiteral("data")));
        QCOMPARE(changed.value(QStringLiteral("modified")).toArray(), QJsonArray{QStringLiteral("link.csv")});

        // Checkout puts the recorded file in the link's place; the target is never written.
        r = cli({QStringLiteral("data"), QStringLiteral("checkout"), QStringLiteral("--force"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("restored")).toArray(),
                 QJsonArray{QStringLiteral("data/link.csv")});
        QCOMPARE(readFile(at(QStringLiteral("shared.csv"))), QByteArray("id\n2\n"));
        QCOMPARE(readFile(at(QStringLiteral("data/link.csv"))), QByteArray("id\n1\n"));
        QVERIFY(QFile::exists(at(QStringLiteral("data/new.tmp"))));
        r = cli({QStringLiteral("data"), QStringLiteral("status")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));

        // The execute bit alone is no change, and checkout gives it back.
        QVERIFY(::chmod(QFile::encodeName(at(QStringLiteral("tools/run.sh"))).constData(), 0644) == 0);
        r = cli({QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("tools/run.sh")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("data"), QStringLiteral("checkout"), QStringLiteral("tools/run.sh")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("restored  tools/run.sh")), qPrintable(r.out));
        QVERIFY(modeOf(at(QStringLiteral("tools/run.sh"))) & S_IXUSR);
    }

    void linkOutOfTheWorkspaceIsRefusedByName()
    {
        writeFile(m_dir.filePath(QStringLiteral("outside.txt")), "not workspace data");
        writeFile(at(QStringLiteral("data2/ok.csv")), "ok\n");
        QVERIFY(::symlink(QFile::encodeName(m_dir.filePath(QStringLiteral("outside.txt"))).constData(),
                          QFile::encodeName(at(QStringLiteral("data2/evil.txt"))).constData()) == 0);
        const Run r = cli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data2")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("data2/evil.txt")) && r.err.contains(QStringLiteral("outside the workspace")), qPrintable(r.err));
        QVERIFY(!QFile::exists(at(QStringLiteral("data2.dvc"))));
    }

    void runWritesTheLockDvcWrites()
    {
        writeFile(at(QStringLiteral("in.txt")), "input\n");
        writeFile(at(QStringLiteral("src/params.yaml")), "lr: 0.5\n");
        writeFile(at(QStringLiteral("src/other.yaml")), "lr: 0.01\n");
        const QString cmd = QStringLiteral("cat ../in.txt > out.txt && echo a long command line that goes on well past eighty columns >> out.txt");
        writeFile(at(QStringLiteral("dvc.yaml")), QStringLiteral("stages:\n  build:\n    wdir: src\n    cmd: %1\n    deps: [../in.txt]\n"
                                                               "    params: [lr, {other.yaml: [lr]}]\n    outs: [out.txt]\n").arg(cmd).toUtf8());
        Run r = cli({QStringLiteral("run"), QStringLiteral("--dry-run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QByteArray lock = readFile(at(QStringLiteral("dvc.lock")));
        QVERIFY2(lock.contains("    cmd: cat ../in.txt > out.txt && echo a long command line that goes on well past\n"
                               "      eighty columns >> out.txt\n    deps:\n    - path: ../in.txt\n"),
                 lock.constData());
        QVERIFY2(lock.contains("    params:\n      params.yaml:\n        lr: 0.5\n      other.yaml:\n        lr: 0.01\n"), lock.constData());
        orrery::testing::ProcessOptions options;
        options.input = lock;
        const auto dvc = orrery::testing::run(QString::fromLatin1(kPython),
                                              {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/pipeline/dvc_lock_oracle.py")}, options);
        QVERIFY2(dvc.ok(), qPrintable(dvc.describe()));
        QCOMPARE(dvc.out.toUtf8(), lock);
        r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(readFile(at(QStringLiteral("dvc.lock"))), lock);
    }
};

QTEST_GUILESS_MAIN(TstCliDvcCompat)
#include "tst_cli_dvc_compat.moc"
