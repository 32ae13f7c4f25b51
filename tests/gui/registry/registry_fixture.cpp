#include "tests/gui/registry/registry_fixture.h"

#include "core/registry/model_file.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"
#include "core/tracking/tracking_store.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QJsonArray>

namespace orrery::testing {

const char *const kPipelineRun = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const char *const kStageRun = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const char *const kTrainRunV1 = "11111111111111111111111111111111";
const char *const kTrainRunV2 = "22222222222222222222222222222222";

namespace {

const char *kSignature = R"({"inputs": [{"name": "amount", "dtype": "FP32", "shape": [-1, 1]}, {"name": "merchant_risk", "dtype": "FP32", "shape": [-1, 1]}], "outputs": [{"name": "score", "dtype": "FP32", "shape": [-1, 1]}]})";

bool writeArchive(const QString &path, int index)
{
    const QString script = QStringLiteral("import sys, zipfile\n"
                                          "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z:\n"
                                          "    z.writestr('model/data.pkl', b'\\x80\\x02}q\\x00.' + sys.argv[3].encode())\n"
                                          "    z.writestr('model/constants.pkl', b'\\x80\\x02).')\n"
                                          "    z.writestr('model/code/__torch__.py', 'class Model: pass\\n')\n"
                                          "    z.writestr('model/extra/signature.json', sys.argv[2])\n");
    auto r = run(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, path, QString::fromLatin1(kSignature), QString::number(index)});
    if (!r.ok())
        qWarning("%s", qPrintable(r.describe()));
    return r.ok();
}

QString runId(int index)
{
    return QString(32, QLatin1Char(QChar('0' + index % 10).toLatin1()));
}

} // namespace

int addFraudVersion(const QString &dbPath, const QString &cacheRoot, const QString &scratch, int index, registry::Validation validation)
{
    const QString file = QDir(scratch).filePath(QStringLiteral("model-%1.pt").arg(index));
    if (!writeArchive(file, index))
        return 0;
    auto stored = registry::storeModelFile(cacheRoot, file);
    if (!stored) {
        qWarning("storeModelFile: %s", qPrintable(stored.status().message()));
        return 0;
    }
    store::OpenOptions o;
    o.create = true;
    auto db = store::Database::open(dbPath, o);
    if (!db) {
        qWarning("open: %s", qPrintable(db.status().message()));
        return 0;
    }
    // The training run the version names exists in tracking too (with its lr), so Experiments can
    // show and diff it.
    {
        tracking::TrackingStore runs(**db);
        auto experiment = runs.experimentByName(QStringLiteral("fraud"));
        const QString experimentId = experiment ? experiment->id : runs.createExperiment(QStringLiteral("fraud")).value();
        auto run = (*db)->prepare(QStringLiteral("INSERT OR IGNORE INTO runs(id, experiment_id, name, user_id, status, start_time, end_time, "
                                                 "heartbeat_time, artifact_uri) VALUES (?, ?, 'fraud-mlp', 'tester', 'FINISHED', ?, ?, ?, '')"));
        auto param = (*db)->prepare(QStringLiteral("INSERT OR IGNORE INTO params(run_id, key, value) VALUES (?, 'lr', ?)"));
        const qint64 start = 1760000000000 + index * 60000;
        if (!run || !param || !run->bind(1, runId(index)).bind(2, experimentId.toLongLong()).bind(3, start).bind(4, start + 1000).bind(5, start + 1000).run()
            || !param->bind(1, runId(index)).bind(2, QString::number(0.001 * index)).run()) {
            qWarning("fixture runs: could not insert run %d", index);
            return 0;
        }
    }
    registry::ModelRegistry reg(**db, nullptr, QStringLiteral("tester"));
    registry::NewVersion v;
    v.name = QStringLiteral("fraud");
    v.source = QStringLiteral("models/model.pt");
    v.runId = runId(index);
    v.modelMd5 = stored->md5;
    v.modelSize = stored->size;
    v.modelFileName = stored->fileName;
    v.format = stored->info.format;
    v.signature = stored->info.signature;
    v.notServableReason = stored->info.notServableReason;
    v.validation = validation;
    const double auc = 0.88 + 0.02 * index - (validation == registry::Validation::Failed ? 0.07 : 0.0);
    v.gateOutcomes = {{QStringLiteral("roc_auc >= 0.85"), auc >= 0.85, QStringLiteral("roc_auc = %1 %2 0.85").arg(auc).arg(auc >= 0.85 ? QStringLiteral(">=") : QStringLiteral("< needs >="))},
                      {QStringLiteral("data tests"), true, QStringLiteral("validate stage passed 12 checks")}};
    if (validation == registry::Validation::Failed)
        v.gateOutcomes.push_back({QStringLiteral("beats champion v1 on roc_auc by >= 0.01"), false,
                                  QStringLiteral("roc_auc %1 vs champion 0.9 on holdout data/holdout.csv: worse").arg(auc)});
    v.lineage = QJsonObject{
        {QStringLiteral("run_id"), v.runId},
        {QStringLiteral("run_name"), QStringLiteral("train-%1").arg(index)},
        {QStringLiteral("experiment_id"), QStringLiteral("1")},
        {QStringLiteral("parent_run_id"), QString::fromLatin1(kPipelineRun)},
        {QStringLiteral("stage_run_id"), QString::fromLatin1(kStageRun)},
        {QStringLiteral("commit"), QStringLiteral("%1c0ffee%2").arg(index).arg(QString(32, QLatin1Char('d')))},
        {QStringLiteral("branch"), QStringLiteral("main")},
        {QStringLiteral("dirty"), index == 2},
        {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("data/transactions.csv")},
                                                        {QStringLiteral("md5"), index == 1 ? QStringLiteral("0f1e2d3c4b5a69788796a5b4c3d2e1f0") : QStringLiteral("9a8b7c6d5e4f30211203f4e5d6c7b8a9")},
                                                        {QStringLiteral("run_id"), QString::fromLatin1(kPipelineRun)}},
                                            QJsonObject{{QStringLiteral("path"), QStringLiteral("data/merchants.csv")},
                                                        {QStringLiteral("md5"), QStringLiteral("5d41402abc4b2a76b9719d911017c592")},
                                                        {QStringLiteral("run_id"), QString::fromLatin1(kPipelineRun)}}}},
        {QStringLiteral("params"), QJsonObject{{QStringLiteral("lr"), QString::number(0.01 / index)}, {QStringLiteral("epochs"), QStringLiteral("20")},
                                               {QStringLiteral("hidden"), QStringLiteral("64")}}},
        {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("roc_auc"), auc}, {QStringLiteral("recall"), 0.6 + 0.05 * index},
                                                {QStringLiteral("false_positive_rate"), 0.05 - 0.005 * index}}}};
    v.card = QStringLiteral("# fraud v%1\n\nScores card transactions for **fraud**.\n\n"
                            "## Intended use\n\n- Batch scoring of yesterday's transactions\n- Not for credit decisions\n").arg(index);
    auto created = reg.recordValidatedVersion(v);
    if (!created) {
        qWarning("recordValidatedVersion: %s", qPrintable(created.status().message()));
        return 0;
    }
    return created->version;
}

bool buildFraudRegistry(const QString &dbPath, const QString &cacheRoot, const QString &scratch)
{
    return addFraudVersion(dbPath, cacheRoot, scratch, 1, registry::Validation::Passed) == 1
        && addFraudVersion(dbPath, cacheRoot, scratch, 2, registry::Validation::Passed) == 2
        && addFraudVersion(dbPath, cacheRoot, scratch, 3, registry::Validation::Failed) == 3;
}

} // namespace orrery::testing
