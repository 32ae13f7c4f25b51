// A version's model file (core/registry/model_file): TorchScript archives written by Python's
// zipfile as PyTorch writes them (entries stored, <archive>/data.pkl, <archive>/extra/signature.json)
// are recognized and their signature read without LibTorch; a signature beside the file is found;
// an archive without one, the baseline JSON model, an MLflow model directory and a stray file are
// kept as not servable with why. Stored files are hashed (md5 checked against Python's hashlib) and
// verified before a load: a changed object refuses naming the file, a missing one says so.
#include "core/registry/model_file.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::registry;

namespace {

// Runs a helper process; a failure stops the test with its output.
orrery::testing::ProcessResult mustRun(const QString &program, const QStringList &args)
{
    auto r = orrery::testing::run(program, args);
    if (!r.ok())
        qFatal("%s", qPrintable(r.describe()));
    return r;
}

const char *kSignature = R"({"inputs": [{"name": "amount", "dtype": "FP32", "shape": [-1, 1]}], "outputs": [{"name": "score", "dtype": "FP32", "shape": [-1, 1]}]})";

// An archive laid out as torch.jit.save lays it out, through Python's zipfile (entries stored).
void writeArchive(const QString &path, bool withSignature)
{
    QString script = QStringLiteral("import sys, zipfile\n"
                                    "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z:\n"
                                    "    z.writestr('model/data.pkl', b'\\x80\\x02}q\\x00.')\n"
                                    "    z.writestr('model/constants.pkl', b'\\x80\\x02).')\n"
                                    "    z.writestr('model/code/__torch__.py', 'class Model: pass\\n')\n");
    if (withSignature)
        script += QStringLiteral("    z.writestr('model/extra/signature.json', sys.argv[2])\n");
    mustRun(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, path, QString::fromLatin1(kSignature)});
}

QString pythonMd5(const QString &path)
{
    return mustRun(QStringLiteral("/usr/bin/python3"),
                   {QStringLiteral("-c"), QStringLiteral("import hashlib,sys; print(hashlib.md5(open(sys.argv[1],'rb').read()).hexdigest())"), path})
        .out.trimmed();
}

} // namespace

class TstModelFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void torchScriptWithItsSignatureInside()
    {
        const QString path = m_dir.filePath(QStringLiteral("inside.pt"));
        writeArchive(path, true);
        const ModelFileInfo info = inspectModelFile(path);
        QCOMPARE(info.format, QStringLiteral("torchscript"));
        QVERIFY2(info.notServableReason.isEmpty(), qPrintable(info.notServableReason));
        QCOMPARE(info.signature.value(QStringLiteral("inputs")).toArray().first().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("amount"));
    }

    void torchScriptWithItsSignatureBeside()
    {
        QDir(m_dir.path()).mkdir(QStringLiteral("beside"));
        const QString path = m_dir.filePath(QStringLiteral("beside/model.pt"));
        writeArchive(path, false);
        QCOMPARE(inspectModelFile(path).notServableReason.contains(QLatin1String("without a signature")), true);
        orrery::testing::writeFile(m_dir.filePath(QStringLiteral("beside/signature.json")), kSignature);
        const ModelFileInfo info = inspectModelFile(path);
        QVERIFY2(info.notServableReason.isEmpty(), qPrintable(info.notServableReason));
        QVERIFY(info.signature.contains(QStringLiteral("outputs")));
    }

    void whatCannotBeServedSaysWhy()
    {
        const QString json = m_dir.filePath(QStringLiteral("model.json"));
        orrery::testing::writeFile(json, R"({"kind": "orrery.baseline_logistic", "weights": [0.1]})");
        ModelFileInfo info = inspectModelFile(json);
        QCOMPARE(info.format, QStringLiteral("orrery.baseline_logistic"));
        QVERIFY(info.notServableReason.contains(QLatin1String("not TorchScript")));

        QDir(m_dir.path()).mkpath(QStringLiteral("mlflow-model/data"));
        orrery::testing::writeFile(m_dir.filePath(QStringLiteral("mlflow-model/MLmodel")), "flavors:\n  python_function: {}\n");
        info = inspectModelFile(m_dir.filePath(QStringLiteral("mlflow-model")));
        QCOMPARE(info.format, QStringLiteral("mlflow"));
        QVERIFY(info.notServableReason.contains(QLatin1String("MLflow model directory")));

        const QString pickle = m_dir.filePath(QStringLiteral("model.pkl"));
        orrery::testing::writeFile(pickle, "\x80\x04\x95");
        info = inspectModelFile(pickle);
        QCOMPARE(info.format, QStringLiteral("file"));
        QVERIFY(!info.notServableReason.isEmpty());

        // A zip that is no TorchScript archive (no data.pkl) is a plain file.
        const QString zip = m_dir.filePath(QStringLiteral("other.zip"));
        mustRun(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QStringLiteral("import zipfile,sys; zipfile.ZipFile(sys.argv[1],'w').writestr('a.txt','x')"), zip});
        QCOMPARE(inspectModelFile(zip).format, QStringLiteral("file"));
    }

    void storedFilesAreVerifiedBeforeEveryLoad()
    {
        const QString path = m_dir.filePath(QStringLiteral("store.pt"));
        writeArchive(path, true);
        const QString cache = m_dir.filePath(QStringLiteral("cache"));
        auto stored = storeModelFile(cache, path);
        QVERIFY2(stored, qPrintable(stored.status().message()));
        QCOMPARE(stored->md5, pythonMd5(path));
        QCOMPARE(stored->fileName, QStringLiteral("store.pt"));
        QCOMPARE(stored->size, QFileInfo(path).size());

        ModelVersion v;
        v.name = QStringLiteral("fraud");
        v.version = 7;
        v.modelMd5 = stored->md5;
        v.modelFileName = stored->fileName;
        auto loaded = verifiedModelPath(cache, v);
        QVERIFY2(loaded, qPrintable(loaded.status().message()));
        QCOMPARE(pythonMd5(*loaded), stored->md5);

        // Changed in the cache: refused, naming the file and both hashes.
        QFile object(*loaded);
        QVERIFY(object.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QVERIFY(object.open(QIODevice::WriteOnly | QIODevice::Truncate));
        object.write("tampered");
        object.close();
        auto changed = verifiedModelPath(cache, v);
        QVERIFY(!changed);
        QCOMPARE(changed.status().code(), ErrorCode::Corrupt);
        QVERIFY(changed.status().message().contains(*loaded));
        QVERIFY(changed.status().message().contains(stored->md5));
        QVERIFY(changed.status().message().contains(QLatin1String("fraud v7")));

        QVERIFY(QFile::remove(*loaded));
        auto missing = verifiedModelPath(cache, v);
        QCOMPARE(missing.status().code(), ErrorCode::NotFound);
        QVERIFY(missing.status().message().contains(QLatin1String("store.pt")));

        v.modelMd5.clear();
        QCOMPARE(verifiedModelPath(cache, v).status().code(), ErrorCode::FailedPrecondition);
        QCOMPARE(storeModelFile(cache, m_dir.filePath(QStringLiteral("absent.pt"))).status().code(), ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TstModelFile)
#include "tst_model_file.moc"
