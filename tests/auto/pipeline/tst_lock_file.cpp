// dvc.lock in DVC's schema 2.0, byte for byte as DVC lays it out, and read back.
#include "core/pipeline/lock_file.h"

#include <QtTest>

using namespace orrery;
using namespace orrery::pipeline;

class TstLockFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesDvcLayout()
    {
        LockStage s;
        s.name = QStringLiteral("prepare");
        s.cmd = {QStringLiteral("python src/prepare.py data/data.xml")};
        s.deps = {{QStringLiteral("src/prepare.py"), QStringLiteral("f09ea0c15980b43010257ccb9f0055e2"), 1576, -1, false},
                  {QStringLiteral("data/data.xml"), QStringLiteral("a304afb96060aad90176268345e10355"), 14445097, -1, false}};
        s.params = {{QStringLiteral("params.yaml"), {{QStringLiteral("prepare.split"), ParamValue::real(0.2)}, {QStringLiteral("prepare.seed"), ParamValue::integer(20170428)}}}};
        s.outs = {{QStringLiteral("data/prepared"), QStringLiteral("153aad06d376ec6f4a5c4e2de2ce7a3b.dir"), 8437363, 2, false}};
        LockFile lock;
        lock.upsert(s);
        const QByteArray expected = R"(schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - path: data/data.xml
      hash: md5
      md5: a304afb96060aad90176268345e10355
      size: 14445097
    - path: src/prepare.py
      hash: md5
      md5: f09ea0c15980b43010257ccb9f0055e2
      size: 1576
    params:
      params.yaml:
        prepare.seed: 20170428
        prepare.split: 0.2
    outs:
    - path: data/prepared
      hash: md5
      md5: 153aad06d376ec6f4a5c4e2de2ce7a3b.dir
      size: 8437363
      nfiles: 2
)";
        QCOMPARE(QString::fromUtf8(lock.serialize()), QString::fromUtf8(expected));
        auto back = LockFile::parse(expected, QStringLiteral("dvc.lock"));
        QVERIFY2(back.isOk(), qPrintable(back.status().message()));
        QCOMPARE(back->serialize(), expected);
        QCOMPARE(back->stage(QStringLiteral("prepare"))->out(QStringLiteral("data/prepared"))->nfiles, 2);
    }

    void readsLegacyAndRefusesOtherSchemas()
    {
        auto legacy = LockFile::parse("schema: '2.0'\nstages:\n  a:\n    cmd: [x, y]\n    deps:\n    - path: f\n      md5: 0123456789abcdef0123456789abcdef\n      size: 3\n",
                                      QStringLiteral("dvc.lock"));
        QVERIFY(legacy.isOk());
        QVERIFY(legacy->stage(QStringLiteral("a"))->deps[0].legacy);
        QCOMPARE(legacy->stage(QStringLiteral("a"))->cmd.size(), 2);
        QVERIFY(legacy->serialize().contains("cmd:\n    - x\n    - y\n"));
        QVERIFY(!legacy->serialize().contains("hash: md5"));
        auto v1 = LockFile::parse("a:\n  cmd: x\n", QStringLiteral("dvc.lock"));
        QVERIFY(!v1.isOk());
        QCOMPARE(v1.status().code(), ErrorCode::Unsupported);
    }
};

QTEST_GUILESS_MAIN(TstLockFile)
#include "tst_lock_file.moc"
