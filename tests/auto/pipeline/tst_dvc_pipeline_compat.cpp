// DVC compatibility of pipelines where DVC's own code decides (issue 21): a stage's wdir (its
// deps, outs and params files relative to it in dvc.lock, params read from wdir/params.yaml),
// '..' under wdir, params of a named file logged, and dvc.lock's long `cmd` lines folded as
// DVC's YAML dumper folds them. Lock texts are checked against DVC's documented layout with
// hashlib-independent md5s, and against ruamel.yaml itself (dvc_lock_oracle.py: what DVC writes
// for the same content).
#include "core/common/safe_path.h"
#include "core/pipeline/executor.h"
#include "core/pipeline/lock_file.h"
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/pipeline_graph.h"
#include "core/store/database.h"
#include "core/tracking/tracking_store.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::pipeline;
using testing::readFile;
using testing::writeFile;

namespace {

const char *kPython = "/usr/bin/python3";

QString md5(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Md5).toHex());
}

// DVC's dump of a lock text's content (see dvc_lock_oracle.py).
QByteArray dvcDump(const QByteArray &lock)
{
    testing::ProcessOptions options;
    options.input = lock;
    const auto r = testing::run(QString::fromLatin1(kPython), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/pipeline/dvc_lock_oracle.py")}, options);
    if (!r.ok())
        qFatal("oracle failed: %s", qPrintable(r.describe()));
    return r.out.toUtf8();
}

} // namespace

class TstDvcPipelineCompat : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::Database> m_db;
    StageRegistry m_registry; // command stages only
    QString root() const { return m_dir->path(); }
    QString at(const QString &rel) const { return root() + QLatin1Char('/') + rel; }

    Result<PipelineReport> run()
    {
        ExecutorOptions o;
        o.registry = &m_registry;
        Executor e(root(), *m_db, o);
        return e.run();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto probe = testing::run(QString::fromLatin1(kPython), {QStringLiteral("-c"), QStringLiteral("import ruamel.yaml")});
        QVERIFY2(probe.ok(), "python3-ruamel.yaml is missing: run packaging/setup.sh --test");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QDir().mkpath(at(QStringLiteral(".orrery")));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(at(QStringLiteral(".orrery/orrery.db")), o);
        QVERIFY2(db.isOk(), qPrintable(db.status().message()));
        m_db = std::move(*db);
    }

    void cleanup()
    {
        m_db.reset();
        m_dir.reset();
    }

    // Cases 4, 5 and 6 in one stage: wdir, '..', params.yaml of wdir and a named params file.
    void wdirStageLockAndParamsAsDvc()
    {
        writeFile(at(QStringLiteral("in.txt")), "input\n");
        writeFile(at(QStringLiteral("src/local.txt")), "local\n");
        writeFile(at(QStringLiteral("params.yaml")), "lr: 9\n"); // the root's: not this stage's
        writeFile(at(QStringLiteral("src/params.yaml")), "lr: 0.5\nseed: 7\n");
        writeFile(at(QStringLiteral("src/other.yaml")), "lr: 0.01\nopt:\n  name: adam\n");
        writeFile(at(QStringLiteral("dvc.yaml")), R"(stages:
  build:
    cmd: cat ../in.txt local.txt > out.txt
    deps: [local.txt, ../in.txt]
    params: [lr, {other.yaml: [opt.name, lr]}]
    outs: [out.txt]
    wdir: src
)");
        auto parsed = PipelineFile::load(root());
        QVERIFY2(parsed.isOk(), qPrintable(parsed.status().message()));
        QCOMPARE(parsed->stage(QStringLiteral("build"))->deps, (QStringList{QStringLiteral("local.txt"), QStringLiteral("../in.txt")}));

        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(r->stages.first().state, StageState::Ran);
        QCOMPARE(readFile(at(QStringLiteral("src/out.txt"))), QByteArray("input\nlocal\n"));
        // DVC's layout: paths as dvc.yaml names them (relative to wdir), sorted; params.yaml
        // (wdir's) first, then the other files; keys sorted.
        const QByteArray expected = QStringLiteral(R"(schema: '2.0'
stages:
  build:
    cmd: cat ../in.txt local.txt > out.txt
    deps:
    - path: ../in.txt
      hash: md5
      md5: %1
      size: 6
    - path: local.txt
      hash: md5
      md5: %2
      size: 6
    params:
      params.yaml:
        lr: 0.5
      other.yaml:
        lr: 0.01
        opt.name: adam
    outs:
    - path: out.txt
      hash: md5
      md5: %3
      size: 12
)").arg(md5("input\n"), md5("local\n"), md5("input\nlocal\n")).toUtf8();
        const QByteArray lock = readFile(at(QStringLiteral("dvc.lock")));
        QCOMPARE(lock, expected);
        QCOMPARE(dvcDump(lock), lock);

        // The stage's run holds its params, the named file's as DVC names them.
        tracking::TrackingStore store(*m_db);
        auto child = store.run(r->stages.first().runId);
        QVERIFY(child.isOk());
        QHash<QString, QString> params;
        for (const auto &p : child->params)
            params.insert(p.key, p.value);
        QCOMPARE(params.value(QStringLiteral("lr")), QStringLiteral("0.5"));
        QCOMPARE(params.value(QStringLiteral("other.yaml:lr")), QStringLiteral("0.01"));
        QCOMPARE(params.value(QStringLiteral("other.yaml:opt.name")), QStringLiteral("adam"));

        // Looked up relative to wdir, the lock's hashes are found: nothing runs again.
        auto again = run();
        QVERIFY2(again.isOk(), qPrintable(again.status().message()));
        QCOMPARE(again->stages.first().state, StageState::Skipped);
        // A change of wdir's params.yaml is a change; the root's is not this stage's.
        writeFile(at(QStringLiteral("params.yaml")), "lr: 10\n");
        QCOMPARE(run()->stages.first().state, StageState::Skipped);
        writeFile(at(QStringLiteral("src/params.yaml")), "lr: 0.25\nseed: 7\n");
        auto third = run();
        QCOMPARE(third->stages.first().state, StageState::Ran);
        QVERIFY(readFile(at(QStringLiteral("dvc.lock"))).contains("      params.yaml:\n        lr: 0.25\n"));
    }

    // A lock DVC wrote for a wdir stage (its paths relative to wdir) is up to date for Orrery.
    void dvcWrittenWdirLockIsUpToDate()
    {
        writeFile(at(QStringLiteral("in.txt")), "input\n");
        writeFile(at(QStringLiteral("src/params.yaml")), "lr: 0.5\n");
        writeFile(at(QStringLiteral("src/out.txt")), "input\n");
        writeFile(at(QStringLiteral("dvc.yaml")), "stages:\n  copy:\n    wdir: src\n    cmd: cp ../in.txt out.txt\n    deps: [../in.txt]\n"
                                                 "    params: [lr]\n    outs: [out.txt]\n");
        writeFile(at(QStringLiteral("dvc.lock")), QStringLiteral("schema: '2.0'\nstages:\n  copy:\n    cmd: cp ../in.txt out.txt\n    deps:\n"
                                                                 "    - path: ../in.txt\n      hash: md5\n      md5: %1\n      size: 6\n"
                                                                 "    params:\n      params.yaml:\n        lr: 0.5\n    outs:\n"
                                                                 "    - path: out.txt\n      hash: md5\n      md5: %1\n      size: 6\n")
                                                      .arg(md5("input\n")).toUtf8());
        auto r = run();
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(r->stages.first().state, StageState::Skipped);
    }

    // Case 6: '..' is checked after joining with wdir: inside the workspace it is a path like any.
    void dotDotIsCheckedAfterJoiningWdir()
    {
        QString joined;
        QCOMPARE(*common::cleanPathUnder(QStringLiteral("src"), QStringLiteral("../in.txt"), &joined), QStringLiteral("../in.txt"));
        QCOMPARE(joined, QStringLiteral("in.txt"));
        QCOMPARE(*common::cleanPathUnder(QStringLiteral("a/b"), QStringLiteral("./x/../../c//d"), &joined), QStringLiteral("../c/d"));
        QCOMPARE(joined, QStringLiteral("a/c/d"));
        QCOMPARE(*common::cleanPathUnder(QString(), QStringLiteral("x/../y"), &joined), QStringLiteral("y"));
        QVERIFY(!common::cleanPathUnder(QString(), QStringLiteral("../y")).isOk());
        QVERIFY(!common::cleanPathUnder(QStringLiteral("src"), QStringLiteral("../../y")).isOk());
        QVERIFY(!common::cleanPathUnder(QStringLiteral("src"), QStringLiteral("/etc/passwd")).isOk());
        QVERIFY(!common::cleanPathUnder(QStringLiteral("src"), QStringLiteral("..")).isOk());

        const QByteArray escape = "stages:\n  s:\n    wdir: src\n    cmd: echo\n    deps: [../../secret]\n";
        auto refused = PipelineFile::parse(escape, QStringLiteral("dvc.yaml"), root());
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.status().message().contains(QStringLiteral("../../secret")) && refused.status().message().contains(QStringLiteral("dvc.yaml:5")),
                 qPrintable(refused.status().message()));
        auto noWdir = PipelineFile::parse("stages:\n  s:\n    cmd: echo\n    outs: [../x]\n", QStringLiteral("dvc.yaml"), root());
        QVERIFY(!noWdir.isOk());
        auto fine = PipelineFile::parse("stages:\n  s:\n    cmd: echo\n    outs: [../x]\n    wdir: a/b\n", QStringLiteral("dvc.yaml"), root());
        QVERIFY2(fine.isOk(), qPrintable(fine.status().message()));
        QCOMPARE(fine->stage(QStringLiteral("s"))->outs.first().path, QStringLiteral("../x"));
        QCOMPARE(workspacePath(*fine->stage(QStringLiteral("s")), QStringLiteral("../x")), QStringLiteral("a/x"));
    }

    // Case 7: long cmd lines (and every other scalar) folded as ruamel.yaml folds them.
    void longCommandsFoldedAsDvcWritesThem()
    {
        const QString longCmd = QStringLiteral(
            "python src/train.py --data data/prepared --model-out models/model.pkl --epochs 100 --learning-rate 0.001 --seed 42");
        LockFile lock;
        const auto stage = [](const QString &name, const QStringList &cmd) {
            LockStage s;
            s.name = name;
            s.cmd = cmd;
            s.outs = {{QStringLiteral("out.txt"), md5("x"), 1, -1, false}};
            return s;
        };
        lock.upsert(stage(QStringLiteral("plain"), {longCmd}));
        lock.upsert(stage(QStringLiteral("list"), {longCmd, longCmd + QStringLiteral(" && echo done")}));
        lock.upsert(stage(QStringLiteral("quoted"), {QStringLiteral("echo a: b ") + QStringLiteral("word ").repeated(40) + QStringLiteral("end")}));
        lock.upsert(stage(QStringLiteral("runs_of_spaces"), {QStringLiteral("x").repeated(70) + QStringLiteral(" aaaaaaaaaa   bbbbbbbbbb  cc dd")}));
        lock.upsert(stage(QStringLiteral("one_long_word"), {QStringLiteral("--opt=") + QStringLiteral("y").repeated(120) + QStringLiteral(" tail")}));
        lock.upsert(stage(QStringLiteral("exactly_80"), {QStringLiteral("e").repeated(80 - 9) + QStringLiteral(" next")}));
        lock.upsert(stage(QStringLiteral("exactly_81"), {QStringLiteral("e").repeated(81 - 9) + QStringLiteral(" next")}));
        lock.upsert(stage(QStringLiteral("unicode"), {QStringLiteral("echo ") + QStringLiteral("données é ").repeated(12) + QStringLiteral("fin")}));
        lock.upsert(stage(QStringLiteral("short"), {QStringLiteral("echo hi")}));
        const QByteArray text = lock.serialize();
        const QByteArray dvc = dvcDump(text);
        if (dvc != text) { // the first line that differs, for the failure message
            const QList<QByteArray> a = dvc.split('\n'), b = text.split('\n');
            for (int i = 0; i < qMin(a.size(), b.size()); ++i)
                QVERIFY2(a[i] == b[i], qPrintable(QStringLiteral("line %1: DVC writes\n%2\nOrrery wrote\n%3").arg(i + 1).arg(QString::fromUtf8(a[i]), QString::fromUtf8(b[i]))));
        }
        QCOMPARE(dvc, text);
        // The issue's own line, in closed form: the break after the word that passes column 80.
        QVERIFY2(text.contains("    cmd: python src/train.py --data data/prepared --model-out models/model.pkl --epochs\n"
                               "      100 --learning-rate 0.001 --seed 42\n"),
                 text.constData());
        // And it reads back as the same commands.
        auto back = LockFile::parse(text, QStringLiteral("dvc.lock"));
        QVERIFY2(back.isOk(), qPrintable(back.status().message()));
        QCOMPARE(back->stage(QStringLiteral("plain"))->cmd, QStringList{longCmd});
        QCOMPARE(back->stage(QStringLiteral("list"))->cmd, (QStringList{longCmd, longCmd + QStringLiteral(" && echo done")}));
        for (const LockStage &s : lock.stages)
            QCOMPARE(back->stage(s.name)->cmd, s.cmd);
    }
};

QTEST_GUILESS_MAIN(TstDvcPipelineCompat)
#include "tst_dvc_pipeline_compat.moc"
