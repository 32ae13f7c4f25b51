// MLflow 2.4's model-registry REST API on the tracking server (core/registry/mlflow_registry_api.h)
// over real HTTP on 127.0.0.1: every endpoint with what MLflow's client sends (GET as a query,
// other methods as a JSON body), the answers' shapes (version a string, READY), lineage and the
// stored file for a version made from a run's artifact, and bad input with MLflow's error codes.
#include "core/registry/mlflow_registry_api.h"
#include "core/store/database.h"
#include "core/tracking/tracking_server.h"
#include "tests/auto/http/http_test_client.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using orrery::testing::HttpReply;

namespace {

QString s(const char *t) { return QString::fromLatin1(t); }

struct RegistryServer {
    QTemporaryDir dir;
    std::unique_ptr<tracking::TrackingServer> server;
    std::unique_ptr<testing::HttpTestClient> client;

    bool start()
    {
        QDir(dir.path()).mkpath(s(".orrery"));
        store::OpenOptions create;
        create.create = true;
        if (!store::Database::open(dir.filePath(s("orrery.db")), create))
            return false;
        auto started = tracking::TrackingServer::start(dir.filePath(s("orrery.db")), dir.path(), {}, {registry::mlflowRegistryExtension()});
        if (!started) {
            qWarning("%s", qPrintable(started.status().message()));
            return false;
        }
        server = std::move(*started);
        client = std::make_unique<testing::HttpTestClient>(server->port());
        return true;
    }
    HttpReply call(const QByteArray &method, const char *endpoint, const QJsonObject &body = {})
    {
        return call(method, endpoint, QJsonDocument(body).toJson(QJsonDocument::Indented));
    }
    HttpReply call(const QByteArray &method, const char *endpoint, const QByteArray &body)
    {
        return client->request(method, QByteArray("/api/2.0/mlflow/") + endpoint, body);
    }
    HttpReply get(const char *endpoint, const QByteArray &query)
    {
        return client->get(QByteArray("/api/2.0/mlflow/") + endpoint + '?' + query);
    }
    QString createRun()
    {
        const QString exp = call("POST", "experiments/create", QJsonObject{{s("name"), s("e")}}).json().value(s("experiment_id")).toString();
        const HttpReply r = call("POST", "runs/create", QJsonObject{{s("experiment_id"), exp}, {s("start_time"), 1700000000000LL}});
        const QString run = r.json().value(s("run")).toObject().value(s("info")).toObject().value(s("run_id")).toString();
        call("POST", "runs/log-parameter", QJsonObject{{s("run_id"), run}, {s("key"), s("lr")}, {s("value"), s("0.1")}});
        return run;
    }
};

#define EXPECT_ERROR(reply, httpStatus, code)                                                                      \
    do {                                                                                                           \
        const HttpReply r_ = (reply);                                                                              \
        QVERIFY2(r_.status == (httpStatus) && r_.errorCode() == (code), r_.body.constData());                     \
    } while (0)

} // namespace

class TstMlflowRegistryRest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void modelsLifecycle()
    {
        RegistryServer srv;
        QVERIFY(srv.start());
        HttpReply r = srv.call("POST", "registered-models/create",
                               QJsonObject{{s("name"), s("fraud")}, {s("description"), s("d")},
                                           {s("tags"), QJsonArray{QJsonObject{{s("key"), s("team")}, {s("value"), s("risk")}}}}});
        QCOMPARE(r.status, 200);
        QJsonObject m = r.json().value(s("registered_model")).toObject();
        QCOMPARE(m.value(s("name")).toString(), s("fraud"));
        QCOMPARE(m.value(s("description")).toString(), s("d"));
        QVERIFY(m.value(s("creation_timestamp")).toDouble() > 0);
        QCOMPARE(m.value(s("tags")).toArray().size(), 1);
        EXPECT_ERROR(srv.call("POST", "registered-models/create", QJsonObject{{s("name"), s("fraud")}}), 400, "RESOURCE_ALREADY_EXISTS");
        QVERIFY(srv.call("POST", "registered-models/create", QJsonObject{{s("name"), s("other")}}).status == 200);

        r = srv.get("registered-models/get", "name=fraud");
        QCOMPARE(r.status, 200);
        EXPECT_ERROR(srv.get("registered-models/get", "name=nope"), 404, "RESOURCE_DOES_NOT_EXIST");
        QVERIFY(srv.get("registered-models/get", "name=nope").json().value(s("message")).toString() == s("Registered Model with name=nope not found"));

        r = srv.get("registered-models/search", "filter=name%20LIKE%20%27fr%25%27");
        QCOMPARE(r.json().value(s("registered_models")).toArray().size(), 1);
        r = srv.get("registered-models/search", "filter=name%20%3D%20%27other%27");
        QCOMPARE(r.json().value(s("registered_models")).toArray().size(), 1);
        r = srv.get("registered-models/search", "max_results=1&order_by=name%20DESC");
        QCOMPARE(r.json().value(s("registered_models")).toArray().at(0).toObject().value(s("name")).toString(), s("other"));
        const QString token = r.json().value(s("next_page_token")).toString();
        QVERIFY(!token.isEmpty());
        r = srv.get("registered-models/search", "max_results=1&order_by=name%20DESC&page_token=" + QUrl::toPercentEncoding(token));
        QCOMPARE(r.json().value(s("registered_models")).toArray().at(0).toObject().value(s("name")).toString(), s("fraud"));
        QVERIFY(!r.json().contains(s("next_page_token")));
        EXPECT_ERROR(srv.get("registered-models/search", "max_results=1001"), 400, "INVALID_PARAMETER_VALUE");
        EXPECT_ERROR(srv.get("registered-models/search", "filter=nonsense"), 400, "INVALID_PARAMETER_VALUE");
        EXPECT_ERROR(srv.get("registered-models/search", "order_by=size"), 400, "INVALID_PARAMETER_VALUE");

        r = srv.call("PATCH", "registered-models/update", QJsonObject{{s("name"), s("fraud")}, {s("description"), s("new")}});
        QCOMPARE(r.json().value(s("registered_model")).toObject().value(s("description")).toString(), s("new"));
        QCOMPARE(srv.call("POST", "registered-models/set-tag", QJsonObject{{s("name"), s("fraud")}, {s("key"), s("k")}, {s("value"), s("v")}}).status, 200);
        QCOMPARE(srv.call("DELETE", "registered-models/delete-tag", QJsonObject{{s("name"), s("fraud")}, {s("key"), s("k")}}).status, 200);
        r = srv.call("POST", "registered-models/rename", QJsonObject{{s("name"), s("fraud")}, {s("new_name"), s("fraud2")}});
        QCOMPARE(r.json().value(s("registered_model")).toObject().value(s("name")).toString(), s("fraud2"));
        EXPECT_ERROR(srv.call("POST", "registered-models/rename", QJsonObject{{s("name"), s("fraud2")}, {s("new_name"), s("other")}}), 400, "RESOURCE_ALREADY_EXISTS");
        QCOMPARE(srv.call("DELETE", "registered-models/delete", QJsonObject{{s("name"), s("fraud2")}}).status, 200);
        EXPECT_ERROR(srv.call("DELETE", "registered-models/delete", QJsonObject{{s("name"), s("fraud2")}}), 404, "RESOURCE_DOES_NOT_EXIST");
        // Also under /ajax-api/2.0/ (MLflow's web UI).
        QCOMPARE(srv.client->get("/ajax-api/2.0/mlflow/registered-models/get?name=other").status, 200);
    }

    void versionsAndAliases()
    {
        RegistryServer srv;
        QVERIFY(srv.start());
        const QString run = srv.createRun();
        QVERIFY(!run.isEmpty());
        QCOMPARE(srv.call("POST", "registered-models/create", QJsonObject{{s("name"), s("m")}}).status, 200);
        HttpReply r = srv.call("POST", "model-versions/create",
                               QJsonObject{{s("name"), s("m")}, {s("source"), QStringLiteral("runs:/%1/model").arg(run)}, {s("run_id"), run},
                                           {s("tags"), QJsonArray{QJsonObject{{s("key"), s("t")}, {s("value"), s("1")}}}}});
        QVERIFY2(r.status == 200, r.body.constData());
        QJsonObject v = r.json().value(s("model_version")).toObject();
        QCOMPARE(v.value(s("version")).toString(), s("1")); // a string in JSON
        QCOMPARE(v.value(s("status")).toString(), s("READY"));
        QCOMPARE(v.value(s("current_stage")).toString(), s("None"));
        QCOMPARE(v.value(s("run_id")).toString(), run);
        QVERIFY(v.value(s("status_message")).toString().contains(s("not servable"))); // no artifact: kept, says why
        r = srv.call("POST", "model-versions/create", QJsonObject{{s("name"), s("m")}, {s("source"), s("s3://bucket/model")}});
        QCOMPARE(r.json().value(s("model_version")).toObject().value(s("version")).toString(), s("2"));

        QCOMPARE(srv.get("model-versions/get", "name=m&version=1").json().value(s("model_version")).toObject().value(s("run_id")).toString(), run);
        EXPECT_ERROR(srv.get("model-versions/get", "name=m&version=9"), 404, "RESOURCE_DOES_NOT_EXIST");
        EXPECT_ERROR(srv.get("model-versions/get", "name=m&version=x"), 400, "INVALID_PARAMETER_VALUE");

        r = srv.get("model-versions/search", "filter=run_id%3D%27" + run.toUtf8() + "%27");
        QCOMPARE(r.json().value(s("model_versions")).toArray().size(), 1);
        r = srv.get("model-versions/search", "filter=run_id%20IN%20(%27" + run.toUtf8() + "%27,%27zzz%27)");
        QCOMPARE(r.json().value(s("model_versions")).toArray().size(), 1);
        r = srv.get("model-versions/search", "filter=name%3D%27m%27");
        QCOMPARE(r.json().value(s("model_versions")).toArray().size(), 2);
        r = srv.get("model-versions/search", "filter=tags.t%3D%271%27");
        QCOMPARE(r.json().value(s("model_versions")).toArray().size(), 1);

        r = srv.call("PATCH", "model-versions/update", QJsonObject{{s("name"), s("m")}, {s("version"), s("1")}, {s("description"), s("x")}});
        QCOMPARE(r.json().value(s("model_version")).toObject().value(s("description")).toString(), s("x"));
        r = srv.call("POST", "model-versions/transition-stage",
                     QJsonObject{{s("name"), s("m")}, {s("version"), s("1")}, {s("stage"), s("production")}, {s("archive_existing_versions"), false}});
        QCOMPARE(r.json().value(s("model_version")).toObject().value(s("current_stage")).toString(), s("Production"));
        EXPECT_ERROR(srv.call("POST", "model-versions/transition-stage", QJsonObject{{s("name"), s("m")}, {s("version"), s("1")}, {s("stage"), s("Prod")}}),
                     400, "INVALID_PARAMETER_VALUE");
        r = srv.call("POST", "registered-models/get-latest-versions", QJsonObject{{s("name"), s("m")}, {s("stages"), QJsonArray{s("Production")}}});
        QCOMPARE(r.json().value(s("model_versions")).toArray().size(), 1);
        QCOMPARE(srv.get("registered-models/get-latest-versions", "name=m").json().value(s("model_versions")).toArray().size(), 2);

        QCOMPARE(srv.call("POST", "model-versions/set-tag", QJsonObject{{s("name"), s("m")}, {s("version"), s("1")}, {s("key"), s("a")}, {s("value"), s("b")}}).status, 200);
        QCOMPARE(srv.call("DELETE", "model-versions/delete-tag", QJsonObject{{s("name"), s("m")}, {s("version"), s("1")}, {s("key"), s("a")}}).status, 200);
        r = srv.get("model-versions/get-download-uri", "name=m&version=1");
        QVERIFY2(r.json().value(s("artifact_uri")).toString().endsWith(run + s("/artifacts/model")), r.body.constData());

        // Aliases: set, get by alias, shown on the model, deleted; a missing version refused.
        QCOMPARE(srv.call("POST", "registered-models/alias", QJsonObject{{s("name"), s("m")}, {s("alias"), s("blue")}, {s("version"), s("2")}}).status, 200);
        r = srv.get("registered-models/alias", "name=m&alias=blue");
        QCOMPARE(r.json().value(s("model_version")).toObject().value(s("version")).toString(), s("2"));
        QCOMPARE(r.json().value(s("model_version")).toObject().value(s("aliases")).toArray(), QJsonArray{s("blue")});
        const QJsonArray aliases = srv.get("registered-models/get", "name=m").json().value(s("registered_model")).toObject().value(s("aliases")).toArray();
        QCOMPARE(aliases.at(0).toObject().value(s("version")).toString(), s("2"));
        EXPECT_ERROR(srv.call("POST", "registered-models/alias", QJsonObject{{s("name"), s("m")}, {s("alias"), s("blue")}, {s("version"), s("7")}}),
                     404, "RESOURCE_DOES_NOT_EXIST");
        EXPECT_ERROR(srv.call("POST", "registered-models/alias", QJsonObject{{s("name"), s("m")}, {s("alias"), s("bad alias")}, {s("version"), s("1")}}),
                     400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(srv.call("DELETE", "registered-models/alias", QJsonObject{{s("name"), s("m")}, {s("alias"), s("blue")}}).status, 200);
        EXPECT_ERROR(srv.get("registered-models/alias", "name=m&alias=blue"), 400, "INVALID_PARAMETER_VALUE"); // MLflow's code
        QCOMPARE(srv.call("DELETE", "model-versions/delete", QJsonObject{{s("name"), s("m")}, {s("version"), s("2")}}).status, 200);
        EXPECT_ERROR(srv.get("model-versions/get", "name=m&version=2"), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    void badInput()
    {
        RegistryServer srv;
        QVERIFY(srv.start());
        EXPECT_ERROR(srv.call("POST", "registered-models/create", QByteArray("{\"name\": ")), 400, "INVALID_PARAMETER_VALUE"); // malformed JSON
        EXPECT_ERROR(srv.call("POST", "registered-models/create", QByteArray("[1]")), 400, "INVALID_PARAMETER_VALUE");
        HttpReply r = srv.call("POST", "registered-models/create", QJsonObject{});
        QVERIFY2(r.status == 400 && r.errorCode() == "INVALID_PARAMETER_VALUE" && r.body.contains("'name'"), r.body.constData());
        r = srv.call("POST", "registered-models/create", QJsonObject{{s("name"), 5}});
        QVERIFY2(r.status == 400 && r.body.contains("'name'"), r.body.constData());
        r = srv.call("POST", "registered-models/create", QJsonObject{{s("name"), s("a/b")}});
        QVERIFY2(r.status == 400 && r.json().value(s("message")).toString().contains(s("cannot contain path separator")), r.body.constData());
        QCOMPARE(srv.call("POST", "registered-models/create", QJsonObject{{s("name"), s("m")}}).status, 200);
        r = srv.call("POST", "model-versions/create", QJsonObject{{s("name"), s("m")}});
        QVERIFY2(r.status == 400 && r.body.contains("'source'"), r.body.constData());
        EXPECT_ERROR(srv.call("POST", "model-versions/create", QJsonObject{{s("name"), s("m")}, {s("source"), s("/etc/passwd")}}), 400, "INVALID_PARAMETER_VALUE");
        EXPECT_ERROR(srv.call("POST", "model-versions/create", QJsonObject{{s("name"), s("m")}, {s("source"), s("s3://b/../x")}}), 400, "INVALID_PARAMETER_VALUE");
        EXPECT_ERROR(srv.call("POST", "model-versions/create", QJsonObject{{s("name"), s("nope")}, {s("source"), s("s3://b/x")}}), 404, "RESOURCE_DOES_NOT_EXIST");
        // version must be a string, as MLflow's schema says.
        r = srv.call("POST", "registered-models/alias", QJsonObject{{s("name"), s("m")}, {s("alias"), s("a")}, {s("version"), 1}});
        QVERIFY2(r.status == 400 && r.body.contains("'version'"), r.body.constData());
        r = srv.call("POST", "model-versions/transition-stage", QJsonObject{{s("name"), s("m")}, {s("version"), s("1")}, {s("stage"), s("None")}, {s("archive_existing_versions"), s("maybe")}});
        QCOMPARE(r.status, 400);
        // Wrong method: 405 with Allow.
        r = srv.call("POST", "registered-models/get", QJsonObject{{s("name"), s("m")}});
        QCOMPARE(r.status, 405);
        QCOMPARE(r.headers.value("allow"), QByteArray("GET"));
    }

    void artifactsListGetAndHistoryBulk()
    {
        RegistryServer srv;
        QVERIFY(srv.start());
        const QString run = srv.createRun();
        const QJsonObject info = srv.get("runs/get", "run_id=" + run.toUtf8()).json().value(s("run")).toObject().value(s("info")).toObject();
        const QString root = info.value(s("artifact_uri")).toString().mid(int(qstrlen("mlflow-artifacts:/")));
        HttpReply up = srv.client->request("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + root.toUtf8() + "/model/a.txt", "hello");
        QVERIFY2(up.status == 200, up.body.constData());
        HttpReply r = srv.get("artifacts/list", "run_id=" + run.toUtf8());
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(s("root_uri")).toString(), info.value(s("artifact_uri")).toString());
        QCOMPARE(r.json().value(s("files")).toArray().at(0).toObject().value(s("path")).toString(), s("model"));
        r = srv.get("artifacts/list", "run_uuid=" + run.toUtf8() + "&path=model");
        const QJsonObject f = r.json().value(s("files")).toArray().at(0).toObject();
        QCOMPARE(f.value(s("path")).toString(), s("model/a.txt"));
        QCOMPARE(f.value(s("file_size")).toInt(), 5);
        EXPECT_ERROR(srv.get("artifacts/list", "run_id=" + run.toUtf8() + "&path=../x"), 400, "INVALID_PARAMETER_VALUE");
        r = srv.client->get("/get-artifact?path=model/a.txt&run_uuid=" + run.toUtf8());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("hello"));

        // A version from the run's artifact: its lineage is the run's (checked through the CLI test);
        // a plain file is kept READY and not servable.
        QCOMPARE(srv.call("POST", "registered-models/create", QJsonObject{{s("name"), s("m")}}).status, 200);
        r = srv.call("POST", "model-versions/create", QJsonObject{{s("name"), s("m")}, {s("source"), info.value(s("artifact_uri")).toString() + s("/model/a.txt")}});
        QVERIFY2(r.status == 200, r.body.constData());
        const QJsonObject v = r.json().value(s("model_version")).toObject();
        QCOMPARE(v.value(s("run_id")).toString(), run);
        QCOMPARE(v.value(s("status")).toString(), s("READY"));
        QVERIFY(v.value(s("status_message")).toString().contains(s("not a TorchScript archive")));

        for (int step = 0; step < 3; ++step)
            QCOMPARE(srv.call("POST", "runs/log-metric", QJsonObject{{s("run_id"), run}, {s("key"), s("loss")}, {s("value"), 1.0 / (step + 1)},
                                                                    {s("timestamp"), 1700000000000LL + step}, {s("step"), step}}).status, 200);
        r = srv.client->get("/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=" + run.toUtf8() + "&metric_key=loss&max_results=2");
        QVERIFY2(r.status == 200, r.body.constData());
        const QJsonArray metrics = r.json().value(s("metrics")).toArray();
        QCOMPARE(metrics.size(), 2);
        QCOMPARE(metrics.at(0).toObject().value(s("run_id")).toString(), run);
        QCOMPARE(metrics.at(0).toObject().value(s("step")).toInt(), 0);
        EXPECT_ERROR(srv.client->get("/ajax-api/2.0/mlflow/metrics/get-history-bulk?metric_key=loss"), 400, "INVALID_PARAMETER_VALUE");

        r = srv.call("POST", "runs/log-inputs", QJsonObject{{s("run_id"), run}});
        QVERIFY2(r.status == 400 && r.json().value(s("message")).toString().startsWith(s("Missing value for required parameter 'datasets'")), r.body.constData());
    }
};

QTEST_GUILESS_MAIN(TstMlflowRegistryRest)
#include "tst_mlflow_registry_rest.moc"
