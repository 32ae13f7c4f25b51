#include "tests/bench/registry_population.h"

#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>

namespace orrery {

QString benchRunId(int model, int version)
{
    return QStringLiteral("%1%2").arg(model, 16, 16, QLatin1Char('0')).arg(version, 16, 16, QLatin1Char('0'));
}

Status populateRegistry(store::Database &db, int models, int versions)
{
    store::Transaction tx(db);
    ORRERY_TRY(tx.status());
    auto model = db.prepare(QStringLiteral("INSERT INTO registered_models(name, description, creation_time, last_updated_time) VALUES (?, '', ?, ?)"));
    auto version = db.prepare(QStringLiteral("INSERT INTO model_versions(name, version, creation_time, last_updated_time, source, run_id, status, "
                                             "model_md5, model_size, model_file_name, format, signature, lineage, validation, gate_outcomes) "
                                             "VALUES (?, ?, ?, ?, ?, ?, 'READY', ?, 1000, 'model.pt', 'torchscript', ?, ?, ?, ?)"));
    auto tag = db.prepare(QStringLiteral("INSERT INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?)"));
    auto alias = db.prepare(QStringLiteral("INSERT INTO model_aliases(name, alias, version) VALUES (?, ?, ?)"));
    auto history = db.prepare(QStringLiteral("INSERT INTO model_alias_history(name, alias, version, previous, time, actor, reason) VALUES (?, ?, ?, 0, ?, 'bench', '')"));
    if (!model || !version || !tag || !alias || !history)
        return internalError(QStringLiteral("populateRegistry: prepare failed"));
    const QString signature = QStringLiteral(R"({"inputs":[{"name":"features","dtype":"FP32","shape":[-1,12]}],"outputs":[{"name":"p_1","dtype":"FP32","shape":[-1,1]}]})");
    const qint64 t0 = 1760000000000;
    for (int m = 0; m < models; ++m) {
        const QString name = QStringLiteral("model-%1").arg(m, 4, 10, QLatin1Char('0'));
        model->reset();
        model->bind(1, name).bind(2, t0).bind(3, t0);
        ORRERY_TRY(model->run());
        for (int v = 1; v <= versions; ++v) {
            const QString run = benchRunId(m, v);
            QJsonObject metrics, params;
            for (int k = 0; k < 12; ++k)
                metrics.insert(QStringLiteral("metric_%1").arg(k), 0.5 + 0.001 * ((m * 31 + v * 7 + k) % 400));
            for (int k = 0; k < 8; ++k)
                params.insert(QStringLiteral("param_%1").arg(k), QString::number((m + v + k) % 17));
            const QJsonObject lineage{{QStringLiteral("run_id"), run},
                                      {QStringLiteral("parent_run_id"), benchRunId(m + 100000, v)},
                                      {QStringLiteral("commit"), QStringLiteral("%1").arg(v, 40, 16, QLatin1Char('a'))},
                                      {QStringLiteral("dirty"), false},
                                      {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("data/transactions.csv")},
                                                                                      {QStringLiteral("md5"), QStringLiteral("%1").arg(v, 32, 16, QLatin1Char('0'))}}}},
                                      {QStringLiteral("metrics"), metrics},
                                      {QStringLiteral("params"), params}};
            version->reset();
            version->bind(1, name).bind(2, v).bind(3, t0 + v).bind(4, t0 + v).bind(5, QStringLiteral("runs:/%1/model").arg(run)).bind(6, run);
            version->bind(7, QStringLiteral("%1").arg(m * 1000 + v, 32, 16, QLatin1Char('0'))).bind(8, signature);
            version->bind(9, QString::fromUtf8(QJsonDocument(lineage).toJson(QJsonDocument::Compact)));
            version->bind(10, QStringLiteral("passed")).bind(11, QStringLiteral(R"([{"gate":"roc_auc >= 0.8","passed":true,"explanation":"roc_auc = 0.9, >= 0.8"}])"));
            ORRERY_TRY(version->run());
            for (const auto &[k, val] : {std::pair<QString, QString>{QStringLiteral("team"), QStringLiteral("team-%1").arg(m % 50)},
                                         {QStringLiteral("dataset"), QStringLiteral("ds-%1").arg(v)}}) {
                tag->reset();
                tag->bind(1, name).bind(2, v).bind(3, k).bind(4, val);
                ORRERY_TRY(tag->run());
            }
        }
        for (const auto &[a, v] : {std::pair<QString, int>{QStringLiteral("champion"), versions - 1}, {QStringLiteral("challenger"), versions}}) {
            alias->reset();
            alias->bind(1, name).bind(2, a).bind(3, v);
            ORRERY_TRY(alias->run());
            history->reset();
            history->bind(1, name).bind(2, a).bind(3, v).bind(4, t0 + v);
            ORRERY_TRY(history->run());
        }
    }
    return tx.commit();
}

} // namespace orrery
