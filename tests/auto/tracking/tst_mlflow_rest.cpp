// MLflow's Tracking REST API over real HTTP on 127.0.0.1: the requests MLflow's Python client
// sends in a training script's life (set_experiment, start_run, log_params/metrics/batch,
// set_tag, end_run, get_run, get_metric_history, search, delete/restore, log_artifact), with the
// answers' shapes and values checked as the client reads them.
#include "core/tracking/run_manifest.h"
#include "tests/auto/tracking/mlflow_rest_fixture.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::testing;

namespace {

QJsonObject runOf(const HttpReply &r)
{
    return r.json().value(QStringLiteral("run")).toObject();
}

QString tagValue(const QJsonObject &run, const QString &key)
{
    for (const QJsonValue &t : run.value(QStringLiteral("data")).toObject().value(QStringLiteral("tags")).toArray())
        if (t.toObject().value(QStringLiteral("key")).toString() == key)
            return t.toObject().value(QStringLiteral("value")).toString();
    return QStringLiteral("<absent>");
}

QJsonObject latest(const QJsonObject &run, const QString &key)
{
    for (const QJsonValue &m : run.value(QStringLiteral("data")).toObject().value(QStringLiteral("metrics")).toArray())
        if (m.toObject().value(QStringLiteral("key")).toString() == key)
            return m.toObject();
    return {};
}

} // namespace

class TstMlflowRest : public QObject {
    Q_OBJECT
    MlflowServer m_s;
    QString m_exp;
    QString m_run;
    quint64 m_otherConnections = 0; // opened on purpose by tests besides the main client's

    // Owners of the cache object holding `bytes` (cache_refs), and the cache's object count.
    QStringList cacheRefs(const QByteArray &bytes)
    {
        auto db = store::Database::open(m_s.databasePath());
        auto s = (*db)->prepare(QStringLiteral("SELECT owner FROM cache_refs WHERE md5 = ? ORDER BY owner"));
        s->bind(1, QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex()));
        QStringList owners;
        while (s->next())
            owners << s->text(0);
        return owners;
    }
    int objectCount() const
    {
        int n = 0;
        QDirIterator it(m_s.cacheRoot() + QStringLiteral("/files"), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            ++n;
        }
        return n;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_s.start()); }

    // mlflow.set_experiment("fraud-detection"): get-by-name (404), then create.
    void setExperimentCreatesIt()
    {
        const HttpReply missing = m_s.get("experiments/get-by-name", "experiment_name=fraud-detection");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
        const HttpReply created = m_s.post("experiments/create", QByteArray("{\n  \"name\": \"fraud-detection\"\n}"));
        QCOMPARE(created.status, 200);
        m_exp = created.json().value(QStringLiteral("experiment_id")).toString();
        QCOMPARE(m_exp, QStringLiteral("1"));
        const HttpReply found = m_s.get("experiments/get-by-name", "experiment_name=fraud-detection");
        QCOMPARE(found.status, 200);
        const QJsonObject e = found.json().value(QStringLiteral("experiment")).toObject();
        QCOMPARE(e.value(QStringLiteral("experiment_id")).toString(), m_exp);
        QCOMPARE(e.value(QStringLiteral("name")).toString(), QStringLiteral("fraud-detection"));
        QCOMPARE(e.value(QStringLiteral("artifact_location")).toString(), QStringLiteral("mlflow-artifacts:/1"));
        QCOMPARE(e.value(QStringLiteral("lifecycle_stage")).toString(), QStringLiteral("active"));
        QVERIFY(e.value(QStringLiteral("creation_time")).isDouble()); // int64 as a JSON number
        QVERIFY(e.value(QStringLiteral("last_update_time")).toInteger() > 1600000000000LL);
    }

    // mlflow.start_run(): the body RestStore.create_run sends.
    void startRunWithTagsAndStartTime()
    {
        const QByteArray body = R"({
  "experiment_id": "1",
  "user_id": "root",
  "start_time": 1700000000123,
  "tags": [
    {"key": "mlflow.user", "value": "root"},
    {"key": "mlflow.source.name", "value": "train.py"},
    {"key": "mlflow.source.type", "value": "LOCAL"},
    {"key": "mlflow.runName", "value": "bold-comet-7"}
  ],
  "run_name": "bold-comet-7"
})";
        const HttpReply r = m_s.post("runs/create", body);
        QCOMPARE(r.status, 200);
        const QJsonObject run = runOf(r);
        const QJsonObject info = run.value(QStringLiteral("info")).toObject();
        m_run = info.value(QStringLiteral("run_id")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(m_run).hasMatch());
        QCOMPARE(info.value(QStringLiteral("run_uuid")).toString(), m_run);
        QCOMPARE(info.value(QStringLiteral("experiment_id")).toString(), m_exp);
        QCOMPARE(info.value(QStringLiteral("run_name")).toString(), QStringLiteral("bold-comet-7"));
        QCOMPARE(info.value(QStringLiteral("user_id")).toString(), QStringLiteral("root"));
        QCOMPARE(info.value(QStringLiteral("status")).toString(), QStringLiteral("RUNNING"));
        QCOMPARE(info.value(QStringLiteral("start_time")).toInteger(), 1700000000123LL);
        QVERIFY(!info.contains(QStringLiteral("end_time"))); // unset fields are left out, as protobuf does
        QCOMPARE(info.value(QStringLiteral("lifecycle_stage")).toString(), QStringLiteral("active"));
        QCOMPARE(info.value(QStringLiteral("artifact_uri")).toString(), QStringLiteral("mlflow-artifacts:/1/%1/artifacts").arg(m_run));
        QCOMPARE(tagValue(run, QStringLiteral("mlflow.source.name")), QStringLiteral("train.py"));
        QCOMPARE(run.value(QStringLiteral("inputs")).toObject(), QJsonObject());
        QVERIFY(!run.value(QStringLiteral("data")).toObject().contains(QStringLiteral("metrics"))); // none yet: left out

        // A run logged over REST has its reproducibility manifest too: the environment, the
        // workspace's code state (no git repository here, and it says so) and the client's source.
        auto db = store::Database::open(m_s.databasePath());
        auto manifest = tracking::loadManifest(**db, m_run);
        QVERIFY2(manifest.isOk(), qPrintable(manifest.status().message()));
        const QJsonObject client = manifest->json.value(QStringLiteral("client")).toObject();
        QCOMPARE(client.value(QStringLiteral("source_name")).toString(), QStringLiteral("train.py"));
        QCOMPARE(client.value(QStringLiteral("source_type")).toString(), QStringLiteral("LOCAL"));
        QCOMPARE(client.value(QStringLiteral("user")).toString(), QStringLiteral("root"));
        QVERIFY(!manifest->json.value(QStringLiteral("environment")).toObject().value(QStringLiteral("os")).toString().isEmpty());
        QVERIFY(manifest->json.value(QStringLiteral("code")).toObject().contains(QStringLiteral("note")));
    }

    // mlflow.log_params / log_metrics / set_tags in one call: RestStore.log_batch.
    void logBatchMetricsParamsTags()
    {
        QByteArray body = "{\n  \"run_id\": \"" + m_run.toUtf8() + "\",\n  \"metrics\": [";
        for (int step = 0; step < 3; ++step)
            body += QByteArray(step ? "," : "") + "{\"key\": \"loss\", \"value\": " + QByteArray::number(1.0 / (step + 1), 'g', 17)
                + ", \"timestamp\": " + QByteArray::number(1700000001000LL + step) + ", \"step\": " + QByteArray::number(step) + "}";
        body += R"(, {"key": "val/auc", "value": 0.91, "timestamp": 1700000001500, "step": 2}],
  "params": [{"key": "lr", "value": "0.01"}, {"key": "model", "value": "mlp"}],
  "tags": [{"key": "stage", "value": "train"}]
})";
        const HttpReply r = m_s.post("runs/log-batch", body);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("{}"));
    }

    // mlflow.log_metric("loss", 0.25, step=3) and mlflow.log_param / set_tag, which send the
    // deprecated run_uuid beside run_id.
    void logMetricParamAndTag()
    {
        const QByteArray id = m_run.toUtf8();
        QCOMPARE(m_s.post("runs/log-metric", "{\"run_uuid\": \"" + id + "\", \"run_id\": \"" + id
                                                 + "\", \"key\": \"loss\", \"value\": 0.25, \"timestamp\": 1700000002000, \"step\": 3}").status, 200);
        QCOMPARE(m_s.post("runs/log-parameter", "{\"run_uuid\": \"" + id + "\", \"run_id\": \"" + id + "\", \"key\": \"batch_size\", \"value\": \"256\"}").status, 200);
        QCOMPARE(m_s.post("runs/set-tag", "{\"run_uuid\": \"" + id + "\", \"run_id\": \"" + id + "\", \"key\": \"mlflow.note.content\", \"value\": \"first try\"}").status, 200);
        // The same param value again is fine (MLflow only refuses a different one).
        QCOMPARE(m_s.post("runs/log-parameter", "{\"run_id\": \"" + id + "\", \"key\": \"batch_size\", \"value\": \"256\"}").status, 200);
    }

    // runs/get right after logging shows what was logged (the writer is flushed before reading).
    void getRunShowsLatestValues()
    {
        const HttpReply r = m_s.get("runs/get", "run_id=" + m_run.toUtf8());
        QCOMPARE(r.status, 200);
        const QJsonObject run = runOf(r);
        const QJsonObject loss = latest(run, QStringLiteral("loss"));
        QCOMPARE(loss.value(QStringLiteral("value")).toDouble(), 0.25);
        QCOMPARE(loss.value(QStringLiteral("step")).toInteger(), 3LL);
        QCOMPARE(loss.value(QStringLiteral("timestamp")).toInteger(), 1700000002000LL);
        QCOMPARE(latest(run, QStringLiteral("val/auc")).value(QStringLiteral("value")).toDouble(), 0.91);
        const QJsonArray params = run.value(QStringLiteral("data")).toObject().value(QStringLiteral("params")).toArray();
        QCOMPARE(params.size(), 3);
        QVERIFY(params.contains(kv(QStringLiteral("lr"), QStringLiteral("0.01"))));
        QVERIFY(params.contains(kv(QStringLiteral("batch_size"), QStringLiteral("256"))));
        QCOMPARE(tagValue(run, QStringLiteral("stage")), QStringLiteral("train"));
        QCOMPARE(tagValue(run, QStringLiteral("mlflow.note.content")), QStringLiteral("first try"));

        QCOMPARE(m_s.post("runs/log-metric", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QStringLiteral("loss")},
                                                          {QStringLiteral("value"), 0.125}, {QStringLiteral("timestamp"), 1700000003000LL},
                                                          {QStringLiteral("step"), 4}}).status, 200);
        QCOMPARE(latest(runOf(m_s.get("runs/get", "run_id=" + m_run.toUtf8())), QStringLiteral("loss")).value(QStringLiteral("value")).toDouble(), 0.125);
    }

    // mlflow.end_run(): runs/update to FINISHED with end_time.
    void endRunFinished()
    {
        const QByteArray id = m_run.toUtf8();
        const HttpReply r = m_s.post("runs/update", "{\n  \"run_uuid\": \"" + id + "\",\n  \"run_id\": \"" + id
                                                      + "\",\n  \"status\": \"FINISHED\",\n  \"end_time\": 1700000009000\n}");
        QCOMPARE(r.status, 200);
        const QJsonObject info = r.json().value(QStringLiteral("run_info")).toObject();
        QCOMPARE(info.value(QStringLiteral("status")).toString(), QStringLiteral("FINISHED"));
        QCOMPARE(info.value(QStringLiteral("end_time")).toInteger(), 1700000009000LL);
        QCOMPARE(info.value(QStringLiteral("run_id")).toString(), m_run);
        const QJsonObject got = runOf(m_s.get("runs/get", "run_uuid=" + id)).value(QStringLiteral("info")).toObject();
        QCOMPARE(got.value(QStringLiteral("status")).toString(), QStringLiteral("FINISHED"));
    }

    // MlflowClient.get_metric_history: GET with the fields as query parameters.
    void metricHistoryInLoggedOrder()
    {
        const HttpReply r = m_s.get("metrics/get-history", "run_uuid=" + m_run.toUtf8() + "&run_id=" + m_run.toUtf8() + "&metric_key=loss&max_results=25000");
        QCOMPARE(r.status, 200);
        const QJsonArray metrics = r.json().value(QStringLiteral("metrics")).toArray();
        QCOMPARE(metrics.size(), 5);
        QCOMPARE(metrics[0].toObject(), metric(QStringLiteral("loss"), 1.0, 1700000001000LL, 0));
        QCOMPARE(metrics[1].toObject().value(QStringLiteral("value")).toDouble(), 0.5);
        QCOMPARE(metrics[3].toObject(), metric(QStringLiteral("loss"), 0.25, 1700000002000LL, 3));
        QVERIFY(!r.json().contains(QStringLiteral("next_page_token")));
        const HttpReply none = m_s.get("metrics/get-history", "run_id=" + m_run.toUtf8() + "&metric_key=never_logged");
        QCOMPARE(none.status, 200);
        QCOMPARE(none.body, QByteArray("{}"));
    }

    void metricHistoryPages()
    {
        const QString run = m_s.createRun(m_exp, QStringLiteral("pager"));
        QJsonArray metrics;
        for (int i = 0; i < 30; ++i)
            metrics.append(metric(QStringLiteral("acc"), i / 30.0, 1700000000000LL + i, i));
        QCOMPARE(m_s.post("runs/log-batch", QJsonObject{{QStringLiteral("run_id"), run}, {QStringLiteral("metrics"), metrics}}).status, 200);
        QByteArray token;
        QList<qint64> steps;
        for (int page = 0; page < 10; ++page) {
            const HttpReply r = m_s.get("metrics/get-history", "run_id=" + run.toUtf8() + "&metric_key=acc&max_results=12"
                                                                  + (token.isEmpty() ? QByteArray() : "&page_token=" + QUrl::toPercentEncoding(QString::fromLatin1(token))));
            QCOMPARE(r.status, 200);
            for (const QJsonValue &m : r.json().value(QStringLiteral("metrics")).toArray())
                steps << m.toObject().value(QStringLiteral("step")).toInteger();
            token = r.json().value(QStringLiteral("next_page_token")).toString().toLatin1();
            if (token.isEmpty())
                break;
        }
        QCOMPARE(steps.size(), 30);
        QCOMPARE(steps.last(), 29LL);
    }

    // NaN and ±Infinity: accepted as Python's json.dumps writes them (bare tokens) and as
    // protobuf writes them (strings); stored exactly; answered as MLflow's server answers
    // ("NaN", "Infinity", "-Infinity" strings). -0.0, INT64_MAX steps and negative timestamps too.
    void nonFiniteValuesRoundTrip()
    {
        const QByteArray id = m_run.toUtf8();
        // Written out as Python's json.dumps does it, not through QJsonDocument (which cannot).
        const QByteArray body = "{\"run_id\": \"" + id + "\", \"metrics\": ["
                                "{\"key\": \"odd\", \"value\": NaN, \"timestamp\": 1, \"step\": 0}, "
                                "{\"key\": \"odd\", \"value\": Infinity, \"timestamp\": 2, \"step\": 1}, "
                                "{\"key\": \"odd\", \"value\": -Infinity, \"timestamp\": 3, \"step\": 2}, "
                                "{\"key\": \"odd\", \"value\": \"NaN\", \"timestamp\": 4, \"step\": 3}, "
                                "{\"key\": \"odd\", \"value\": \"-Infinity\", \"timestamp\": 5, \"step\": 4}, "
                                "{\"key\": \"odd\", \"value\": -0.0, \"timestamp\": -1, \"step\": 9223372036854775807}], "
                                "\"tags\": [{\"key\": \"note\", \"value\": \"NaN stays text here\"}]}";
        const HttpReply r = m_s.post("runs/log-batch", body);
        QVERIFY2(r.status == 200, r.body.constData());
        const HttpReply h = m_s.get("metrics/get-history", "run_id=" + id + "&metric_key=odd");
        const QJsonArray m = h.json().value(QStringLiteral("metrics")).toArray();
        QCOMPARE(m.size(), 6);
        QCOMPARE(m[0].toObject().value(QStringLiteral("value")).toString(), QStringLiteral("NaN"));
        QCOMPARE(m[1].toObject().value(QStringLiteral("value")).toString(), QStringLiteral("Infinity"));
        QCOMPARE(m[2].toObject().value(QStringLiteral("value")).toString(), QStringLiteral("-Infinity"));
        QCOMPARE(m[3].toObject().value(QStringLiteral("value")).toString(), QStringLiteral("NaN"));
        QCOMPARE(m[4].toObject().value(QStringLiteral("value")).toString(), QStringLiteral("-Infinity"));
        // QJsonDocument (this test's reader) would read -0.0 as 0: look at the text.
        QVERIFY2(h.body.contains("{\"key\":\"odd\",\"step\":9223372036854775807,\"timestamp\":-1,\"value\":-0.0}"), h.body.constData());
        QCOMPARE(m[5].toObject().value(QStringLiteral("timestamp")).toInteger(), -1LL);
        QCOMPARE(m[5].toObject().value(QStringLiteral("step")).toInteger(), std::numeric_limits<qint64>::max());
        QVERIFY(h.body.contains("\"step\":9223372036854775807"));
        QCOMPARE(tagValue(runOf(m_s.get("runs/get", "run_id=" + id)), QStringLiteral("note")), QStringLiteral("NaN stays text here"));
    }

    // Older clients send int64 fields as strings (protobuf's MessageToJson).
    void int64AsStringsAccepted()
    {
        const HttpReply r = m_s.post("runs/create", QByteArray(R"({"experiment_id": "1", "start_time": "1700000000999", "run_name": "old-client"})"));
        QCOMPARE(r.status, 200);
        QCOMPARE(runOf(r).value(QStringLiteral("info")).toObject().value(QStringLiteral("start_time")).toInteger(), 1700000000999LL);
    }

    void searchExperiments()
    {
        m_s.createExperiment(QStringLiteral("churn"));
        const HttpReply all = m_s.post("experiments/search", QByteArray(R"({"max_results": 1000, "view_type": "ACTIVE_ONLY"})"));
        QCOMPARE(all.status, 200);
        QStringList names;
        for (const QJsonValue &e : all.json().value(QStringLiteral("experiments")).toArray())
            names << e.toObject().value(QStringLiteral("name")).toString();
        QVERIFY(names.contains(QStringLiteral("Default")) && names.contains(QStringLiteral("fraud-detection")) && names.contains(QStringLiteral("churn")));
        const HttpReply filtered = m_s.post("experiments/search", QByteArray(R"({"max_results": 10, "filter": "name LIKE 'fraud%'", "order_by": ["name ASC"]})"));
        QCOMPARE(filtered.json().value(QStringLiteral("experiments")).toArray().size(), 1);
        const HttpReply viaGet = m_s.get("experiments/search", "max_results=1&order_by=name+ASC");
        QCOMPARE(viaGet.json().value(QStringLiteral("experiments")).toArray()[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Default"));
        QVERIFY(viaGet.json().contains(QStringLiteral("next_page_token")));
    }

    void experimentTagDeleteRestore()
    {
        const QString id = m_s.createExperiment(QStringLiteral("scratch"));
        QCOMPARE(m_s.post("experiments/set-experiment-tag", QJsonObject{{QStringLiteral("experiment_id"), id}, {QStringLiteral("key"), QStringLiteral("team")}, {QStringLiteral("value"), QStringLiteral("risk")}}).status, 200);
        QCOMPARE(m_s.get("experiments/get", "experiment_id=" + id.toUtf8()).json().value(QStringLiteral("experiment")).toObject().value(QStringLiteral("tags")).toArray()[0].toObject(),
                 kv(QStringLiteral("team"), QStringLiteral("risk")));
        QCOMPARE(m_s.post("experiments/delete", QJsonObject{{QStringLiteral("experiment_id"), id}}).body, QByteArray("{}"));
        QCOMPARE(m_s.get("experiments/get", "experiment_id=" + id.toUtf8()).json().value(QStringLiteral("experiment")).toObject().value(QStringLiteral("lifecycle_stage")).toString(), QStringLiteral("deleted"));
        const HttpReply deleted = m_s.post("experiments/search", QByteArray(R"({"view_type": "DELETED_ONLY"})"));
        QCOMPARE(deleted.json().value(QStringLiteral("experiments")).toArray().size(), 1);
        QCOMPARE(m_s.post("experiments/restore", QJsonObject{{QStringLiteral("experiment_id"), id}}).status, 200);
        QCOMPARE(m_s.get("experiments/get", "experiment_id=" + id.toUtf8()).json().value(QStringLiteral("experiment")).toObject().value(QStringLiteral("lifecycle_stage")).toString(), QStringLiteral("active"));
    }

    void deleteAndRestoreRun()
    {
        const QString run = m_s.createRun(m_exp, QStringLiteral("doomed"));
        QCOMPARE(m_s.post("runs/delete", QJsonObject{{QStringLiteral("run_id"), run}}).body, QByteArray("{}"));
        QCOMPARE(runOf(m_s.get("runs/get", "run_id=" + run.toUtf8())).value(QStringLiteral("info")).toObject().value(QStringLiteral("lifecycle_stage")).toString(), QStringLiteral("deleted"));
        QCOMPARE(m_s.post("runs/restore", QJsonObject{{QStringLiteral("run_id"), run}}).status, 200);
        QCOMPARE(runOf(m_s.get("runs/get", "run_id=" + run.toUtf8())).value(QStringLiteral("info")).toObject().value(QStringLiteral("lifecycle_stage")).toString(), QStringLiteral("active"));
    }

    void deleteTag()
    {
        QCOMPARE(m_s.post("runs/delete-tag", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QStringLiteral("stage")}}).status, 200);
        QCOMPARE(tagValue(runOf(m_s.get("runs/get", "run_id=" + m_run.toUtf8())), QStringLiteral("stage")), QStringLiteral("<absent>"));
        QCOMPARE(m_s.post("runs/delete-tag", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QStringLiteral("stage")}}).status, 404);
    }

    // mlflow.search_runs / MlflowClient.search_runs: RestStore.search_runs's body.
    void searchRuns()
    {
        // (Not a raw string: moc 6.4 loses its way in one that starts with a quote.)
        const HttpReply r = m_s.post("runs/search", QJsonObject{{QStringLiteral("experiment_ids"), QJsonArray{m_exp}},
                                                                {QStringLiteral("filter"), QStringLiteral("metrics.loss < 1 and params.lr = '0.01'")},
                                                                {QStringLiteral("run_view_type"), QStringLiteral("ACTIVE_ONLY")},
                                                                {QStringLiteral("max_results"), 1000},
                                                                {QStringLiteral("order_by"), QJsonArray{QStringLiteral("attributes.start_time DESC")}}});
        QVERIFY2(r.status == 200, r.body.constData());
        const QJsonArray runs = r.json().value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].toObject().value(QStringLiteral("info")).toObject().value(QStringLiteral("run_id")).toString(), m_run);
        QCOMPARE(latest(runs[0].toObject(), QStringLiteral("loss")).value(QStringLiteral("value")).toDouble(), 0.125);
        const HttpReply none = m_s.post("runs/search", QByteArray(R"({"experiment_ids": ["1"], "filter": "metrics.loss > 100"})"));
        QCOMPARE(none.status, 200);
        QCOMPARE(none.body, QByteArray("{}"));
    }

    // mlflow.log_artifact / log_model through the artifact proxy: PUT, list, GET.
    void artifactsUploadListDownload()
    {
        const QByteArray base = "/api/2.0/mlflow-artifacts/artifacts/1/" + m_run.toUtf8() + "/artifacts";
        const QByteArray mlmodel = "artifact_path: model\nflavors:\n  python_function: {loader_module: mlflow.pytorch}\n";
        QCOMPARE(m_s.client->request("PUT", base + "/model/MLmodel", mlmodel, {{"Content-Type", "application/octet-stream"}}).body, QByteArray("{}"));
        const QByteArray weights(3 * 1024 * 1024 + 5, '\x07'); // over the 1 MB API limit: uploads stream
        QCOMPARE(m_s.client->request("PUT", base + "/model/data/model.pth", weights).status, 200);
        QCOMPARE(m_s.client->request("PUT", base + "/report%20v2.txt", "spaces are fine").status, 200);
        // Stored content-addressed in the workspace cache, read-only, and kept from `data gc`.
        QFile stored(m_s.objectFor(mlmodel));
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), mlmodel);
        QCOMPARE(stored.permissions() & (QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther), QFile::Permissions());
        QCOMPARE(cacheRefs(mlmodel), QStringList{QStringLiteral("run:") + m_run});

        const HttpReply top = m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=1%2F" + m_run.toUtf8() + "%2Fartifacts");
        QCOMPARE(top.status, 200);
        const QJsonArray files = top.json().value(QStringLiteral("files")).toArray();
        QCOMPARE(files.size(), 2);
        QCOMPARE(files[0].toObject(), (QJsonObject{{QStringLiteral("path"), QStringLiteral("model")}, {QStringLiteral("is_dir"), true}}));
        QCOMPARE(files[1].toObject().value(QStringLiteral("path")).toString(), QStringLiteral("report v2.txt"));
        const HttpReply model = m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=1/" + m_run.toUtf8() + "/artifacts/model");
        QCOMPARE(model.json().value(QStringLiteral("files")).toArray()[0].toObject(),
                 (QJsonObject{{QStringLiteral("path"), QStringLiteral("MLmodel")}, {QStringLiteral("is_dir"), false}, {QStringLiteral("file_size"), mlmodel.size()}}));

        const HttpReply got = m_s.client->get(base + "/model/data/model.pth");
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body, weights);
        QCOMPARE(m_s.client->get(base + "/model/MLmodel").body, mlmodel);
        QCOMPARE(m_s.client->get(base + "/missing.txt").status, 404);
        // Overwriting replaces the file whole; the old object is no longer the run's.
        QCOMPARE(m_s.client->request("PUT", base + "/model/MLmodel", "v2").status, 200);
        QCOMPARE(m_s.client->get(base + "/model/MLmodel").body, QByteArray("v2"));
        QVERIFY(cacheRefs(mlmodel).isEmpty());
        QCOMPARE(cacheRefs("v2"), QStringList{QStringLiteral("run:") + m_run});

        // The same weights logged by another run are stored once, referenced by both.
        const QString other = m_s.createRun(QStringLiteral("1"), QStringLiteral("same weights"));
        const int objects = objectCount();
        QCOMPARE(m_s.client->request("PUT", "/api/2.0/mlflow-artifacts/artifacts/1/" + other.toUtf8() + "/artifacts/w.pth", weights).status, 200);
        QCOMPARE(objectCount(), objects);
        QCOMPARE(cacheRefs(weights).size(), 2);
        // A file where a folder is needed, and a folder where a file is, are refused.
        // (On a connection of their own: a refused upload's body is never read, so the server
        // closes the connection, and the last test counts the main client's connections.)
        const quint64 before = m_s.server->stats().connections;
        HttpTestClient refused(m_s.server->port());
        const HttpReply onFolder = refused.request("PUT", base + "/model", "x");
        QCOMPARE(onFolder.status, 400);
        QVERIFY2(onFolder.body.contains("is a folder of artifacts"), onFolder.body.constData());
        const HttpReply underFile = refused.request("PUT", base + "/report%20v2.txt/inner", "x");
        QCOMPARE(underFile.status, 400);
        QVERIFY2(underFile.body.contains("is a file, not a folder"), underFile.body.constData());
        m_otherConnections += m_s.server->stats().connections - before;
    }


    // mlflow.<flavor>.log_model records the model in the run after uploading it.
    void logModelRecordsHistory()
    {
        const QJsonObject model{{QStringLiteral("artifact_path"), QStringLiteral("model")}, {QStringLiteral("run_id"), m_run},
                                {QStringLiteral("utc_time_created"), QStringLiteral("2024-01-01 00:00:00.000000")},
                                {QStringLiteral("flavors"), QJsonObject{{QStringLiteral("pytorch"), QJsonObject{}}}}};
        const QString modelJson = QString::fromUtf8(QJsonDocument(model).toJson(QJsonDocument::Compact));
        QCOMPARE(m_s.post("runs/log-model", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("model_json"), modelJson}}).status, 200);
        const QString history = tagValue(runOf(m_s.get("runs/get", "run_id=" + m_run.toUtf8())), QStringLiteral("mlflow.log-model.history"));
        QCOMPARE(QJsonDocument::fromJson(history.toUtf8()).array().size(), 1);
    }

    void ajaxApiAndHealth()
    {
        QCOMPARE(m_s.client->get("/ajax-api/2.0/mlflow/runs/get?run_id=" + m_run.toUtf8()).status, 200);
        const HttpReply h = m_s.client->get("/health");
        QCOMPARE(h.status, 200);
        QCOMPARE(h.body, QByteArray("OK"));
    }

    // MlflowClient.rename_experiment: experiments/update with new_name.
    void renameExperiment()
    {
        const QString id = m_s.createExperiment(QStringLiteral("to-rename"));
        const qint64 before = m_s.get("experiments/get", "experiment_id=" + id.toUtf8()).json().value(QStringLiteral("experiment")).toObject()
                                  .value(QStringLiteral("last_update_time")).toInteger();
        const HttpReply r = m_s.post("experiments/update", QJsonObject{{QStringLiteral("experiment_id"), id}, {QStringLiteral("new_name"), QStringLiteral("renamed")}});
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.body, QByteArray("{}"));
        const QJsonObject e = m_s.get("experiments/get-by-name", "experiment_name=renamed").json().value(QStringLiteral("experiment")).toObject();
        QCOMPARE(e.value(QStringLiteral("experiment_id")).toString(), id);
        QVERIFY(e.value(QStringLiteral("last_update_time")).toInteger() >= before);
        QCOMPARE(m_s.get("experiments/get-by-name", "experiment_name=to-rename").status, 404);
        // Its own name again is no conflict; the old name is free for a new experiment.
        QCOMPARE(m_s.post("experiments/update", QJsonObject{{QStringLiteral("experiment_id"), id}, {QStringLiteral("new_name"), QStringLiteral("renamed")}}).status, 200);
        QVERIFY(!m_s.createExperiment(QStringLiteral("to-rename")).isEmpty());
    }

    // MLflow's stores delete an experiment's runs with it, and restore all of them with it.
    void deletingAnExperimentDeletesItsRuns()
    {
        const QString id = m_s.createExperiment(QStringLiteral("cascade"));
        const QStringList runs{m_s.createRun(id, QStringLiteral("a")), m_s.createRun(id, QStringLiteral("b"))};
        const auto stage = [&](const QString &run) {
            return runOf(m_s.get("runs/get", "run_id=" + run.toUtf8())).value(QStringLiteral("info")).toObject().value(QStringLiteral("lifecycle_stage")).toString();
        };
        const auto found = [&](const char *view) {
            return m_s.post("runs/search", QJsonObject{{QStringLiteral("experiment_ids"), QJsonArray{id}}, {QStringLiteral("run_view_type"), QLatin1String(view)}})
                .json().value(QStringLiteral("runs")).toArray().size();
        };
        QCOMPARE(m_s.post("experiments/delete", QJsonObject{{QStringLiteral("experiment_id"), id}}).status, 200);
        for (const QString &run : runs)
            QCOMPARE(stage(run), QStringLiteral("deleted"));
        QCOMPARE(found("ACTIVE_ONLY"), 0);
        QCOMPARE(found("DELETED_ONLY"), 2);
        QCOMPARE(m_s.post("experiments/restore", QJsonObject{{QStringLiteral("experiment_id"), id}}).status, 200);
        for (const QString &run : runs)
            QCOMPARE(stage(run), QStringLiteral("active"));
        QCOMPARE(found("ACTIVE_ONLY"), 2);
        // Restoring an experiment that is active changes nothing: a run deleted on its own stays so.
        QCOMPARE(m_s.post("runs/delete", QJsonObject{{QStringLiteral("run_id"), runs[0]}}).status, 200);
        QCOMPARE(m_s.post("experiments/restore", QJsonObject{{QStringLiteral("experiment_id"), id}}).status, 200);
        QCOMPARE(stage(runs[0]), QStringLiteral("deleted"));
        QCOMPARE(stage(runs[1]), QStringLiteral("active"));
        // Runs of other experiments are untouched.
        QCOMPARE(stage(m_run), QStringLiteral("active"));
    }

    // mlflow.log_input(dataset, context="training"): runs/log-inputs, read back by runs/get and
    // runs/search as run.inputs.dataset_inputs.
    void logInputs()
    {
        const QString id = m_s.createExperiment(QStringLiteral("with-datasets"));
        const QString run = m_s.createRun(id, QStringLiteral("uses-data"));
        const QJsonObject train{{QStringLiteral("name"), QStringLiteral("fraud-train")}, {QStringLiteral("digest"), QStringLiteral("4f9b1a2c")},
                                {QStringLiteral("source_type"), QStringLiteral("local")}, {QStringLiteral("source"), QStringLiteral("{\"uri\": \"data/train.csv\"}")},
                                {QStringLiteral("schema"), QStringLiteral("{\"mlflow_colspec\": [{\"type\": \"double\", \"name\": \"amount\"}]}")},
                                {QStringLiteral("profile"), QStringLiteral("{\"num_rows\": 1000, \"num_elements\": 20000}")}};
        const QJsonObject eval{{QStringLiteral("name"), QStringLiteral("fraud-eval")}, {QStringLiteral("digest"), QStringLiteral("77aa")},
                               {QStringLiteral("source_type"), QStringLiteral("http")}, {QStringLiteral("source"), QStringLiteral("{\"url\": \"https://example.org/eval.csv\"}")}};
        const QJsonArray datasets{
            QJsonObject{{QStringLiteral("tags"), QJsonArray{kv(QStringLiteral("mlflow.data.context"), QStringLiteral("training"))}}, {QStringLiteral("dataset"), train}},
            QJsonObject{{QStringLiteral("dataset"), eval}}};
        const HttpReply r = m_s.post("runs/log-inputs", QJsonObject{{QStringLiteral("run_id"), run}, {QStringLiteral("datasets"), datasets}});
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.body, QByteArray("{}"));
        // Logged again (a script run twice in one run): still two inputs, as MLflow keeps them.
        QCOMPARE(m_s.post("runs/log-inputs", QJsonObject{{QStringLiteral("run_id"), run}, {QStringLiteral("datasets"), datasets}}).status, 200);

        const QJsonObject inputs = runOf(m_s.get("runs/get", "run_id=" + run.toUtf8())).value(QStringLiteral("inputs")).toObject();
        const QJsonArray got = inputs.value(QStringLiteral("dataset_inputs")).toArray();
        QCOMPARE(got.size(), 2);
        QCOMPARE(got[0].toObject(), datasets[0].toObject());
        QCOMPARE(got[1].toObject(), datasets[1].toObject()); // no tags, no schema, no profile: left out
        const QJsonArray searched = m_s.post("runs/search", QJsonObject{{QStringLiteral("experiment_ids"), QJsonArray{id}}}).json()
                                        .value(QStringLiteral("runs")).toArray();
        QCOMPARE(searched.size(), 1);
        QCOMPARE(searched[0].toObject().value(QStringLiteral("inputs")).toObject(), inputs);

        // Another run of the experiment using the same dataset (name and digest) shares its record.
        const QString second = m_s.createRun(id, QStringLiteral("same-data"));
        QJsonObject again = train;
        again.insert(QStringLiteral("source"), QStringLiteral("{\"uri\": \"elsewhere.csv\"}"));
        QCOMPARE(m_s.post("runs/log-inputs", QJsonObject{{QStringLiteral("run_id"), second},
                                                         {QStringLiteral("datasets"), QJsonArray{QJsonObject{{QStringLiteral("dataset"), again},
                                                                                                             {QStringLiteral("tags"), QJsonArray{kv(QStringLiteral("mlflow.data.context"), QStringLiteral("eval"))}}}}}}).status, 200);
        const QJsonArray secondInputs = runOf(m_s.get("runs/get", "run_id=" + second.toUtf8())).value(QStringLiteral("inputs")).toObject().value(QStringLiteral("dataset_inputs")).toArray();
        QCOMPARE(secondInputs.size(), 1);
        QCOMPARE(secondInputs[0].toObject().value(QStringLiteral("dataset")).toObject(), train); // the first record's fields
        QCOMPARE(secondInputs[0].toObject().value(QStringLiteral("tags")).toArray(), (QJsonArray{kv(QStringLiteral("mlflow.data.context"), QStringLiteral("eval"))}));
        auto db = store::Database::open(m_s.databasePath());
        auto count = (*db)->prepare(QStringLiteral("SELECT count(*) FROM datasets WHERE experiment_id = ?"));
        count->bind(1, id.toLongLong());
        QVERIFY(count->next());
        QCOMPARE(count->int64(0), qint64(2));
        // A run that logged none has an empty inputs object, as before.
        QCOMPARE(runOf(m_s.get("runs/get", "run_id=" + m_run.toUtf8())).value(QStringLiteral("inputs")).toObject(), QJsonObject());
    }

    // MlflowClient's artifact repository delete_artifacts: DELETE on the proxy, a file or a folder.
    void deleteArtifacts()
    {
        const QString run = m_s.createRun(QStringLiteral("1"), QStringLiteral("pruned"));
        const QByteArray base = "/api/2.0/mlflow-artifacts/artifacts/1/" + run.toUtf8() + "/artifacts";
        const QByteArray shared = "the same bytes twice, and in another run";
        QCOMPARE(m_s.client->request("PUT", base + "/plots/a.txt", shared).status, 200);
        QCOMPARE(m_s.client->request("PUT", base + "/plots/deep/b.txt", shared).status, 200);
        QCOMPARE(m_s.client->request("PUT", base + "/plots/c.txt", "only here").status, 200);
        QCOMPARE(m_s.client->request("PUT", base + "/plotsbeside.txt", "not under plots/").status, 200);
        const QString other = m_s.createRun(QStringLiteral("1"), QStringLiteral("keeps its copy"));
        QCOMPARE(m_s.client->request("PUT", "/api/2.0/mlflow-artifacts/artifacts/1/" + other.toUtf8() + "/artifacts/a.txt", shared).status, 200);
        QCOMPARE(cacheRefs(shared).size(), 2);

        // One file: gone from the index; the object is still the run's through plots/deep/b.txt.
        const HttpReply one = m_s.client->request("DELETE", base + "/plots/a.txt");
        QCOMPARE(one.status, 200);
        QCOMPARE(one.body, QByteArray("{}"));
        QCOMPARE(m_s.client->get(base + "/plots/a.txt").status, 404);
        QStringList both{QStringLiteral("run:") + other, QStringLiteral("run:") + run};
        both.sort();
        QCOMPARE(cacheRefs(shared), both);
        QCOMPARE(cacheRefs("only here"), QStringList{QStringLiteral("run:") + run});

        // A folder: everything under it, and nothing beside it that shares its prefix.
        QCOMPARE(m_s.client->request("DELETE", base + "/plots").status, 200);
        QCOMPARE(m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=1/" + run.toUtf8() + "/artifacts/plots").body, QByteArray("{}"));
        QCOMPARE(m_s.client->get(base + "/plotsbeside.txt").body, QByteArray("not under plots/"));
        QCOMPARE(cacheRefs(shared), QStringList{QStringLiteral("run:") + other});
        QVERIFY(cacheRefs("only here").isEmpty());
        // The objects stay in the cache (`data gc` frees them); the other run still reads its copy.
        QVERIFY(QFile::exists(m_s.objectFor("only here")));
        QCOMPARE(m_s.client->get("/api/2.0/mlflow-artifacts/artifacts/1/" + other.toUtf8() + "/artifacts/a.txt").body, shared);

        // Deleting what is not there is an error; the whole artifact folder of a run can go.
        const HttpReply again = m_s.client->request("DELETE", base + "/plots");
        QCOMPARE(again.status, 404);
        QCOMPARE(again.errorCode(), QByteArray("RESOURCE_DOES_NOT_EXIST"));
        QCOMPARE(m_s.client->request("DELETE", base).status, 200);
        QCOMPARE(m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=1/" + run.toUtf8() + "/artifacts").body, QByteArray("{}"));
    }

    void everythingOnOneConnection() { QCOMPARE(m_s.server->stats().connections, quint64(1) + m_otherConnections); }
};

QTEST_GUILESS_MAIN(TstMlflowRest)
#include "tst_mlflow_rest.moc"
