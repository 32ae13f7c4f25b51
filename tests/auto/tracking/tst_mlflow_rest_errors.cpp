// Bad input to MLflow's REST API, one case per test: each gets MLflow's answer (error_code,
// message, HTTP status), changes nothing, and the server keeps answering.
#include "tests/auto/tracking/mlflow_rest_fixture.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QUrl>
#include <QtTest>

using namespace orrery;
using namespace orrery::testing;

class TstMlflowRestErrors : public QObject {
    Q_OBJECT
    MlflowServer m_s;
    QString m_exp;
    QString m_run;

    void expectError(const HttpReply &r, int status, const char *code, const QString &messagePart = QString())
    {
        QVERIFY2(r.status == status, qPrintable(QStringLiteral("status %1, expected %2: %3").arg(r.status).arg(status).arg(QString::fromUtf8(r.body))));
        QCOMPARE(r.errorCode(), QByteArray(code));
        const QString message = r.json().value(QStringLiteral("message")).toString();
        QVERIFY(!message.isEmpty());
        if (!messagePart.isEmpty())
            QVERIFY2(message.contains(messagePart), qPrintable(message));
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    }
    QJsonObject run()
    {
        return m_s.get("runs/get", "run_id=" + m_run.toUtf8()).json().value(QStringLiteral("run")).toObject();
    }
    int metricCount(const QString &key)
    {
        return m_s.get("metrics/get-history", "run_id=" + m_run.toUtf8() + "&metric_key=" + key.toUtf8()).json().value(QStringLiteral("metrics")).toArray().size();
    }
    QJsonObject batch(const QJsonArray &metrics, const QJsonArray &params = {}, const QJsonArray &tags = {})
    {
        return {{QStringLiteral("run_id"), m_run}, {QStringLiteral("metrics"), metrics}, {QStringLiteral("params"), params}, {QStringLiteral("tags"), tags}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_s.start());
        m_exp = m_s.createExperiment(QStringLiteral("errors"));
        m_run = m_s.createRun(m_exp);
        QVERIFY(!m_run.isEmpty());
        QCOMPARE(m_s.post("runs/log-parameter", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QStringLiteral("lr")}, {QStringLiteral("value"), QStringLiteral("0.01")}}).status, 200);
    }

    void unknownRunIs404()
    {
        expectError(m_s.get("runs/get", "run_id=0123456789abcdef0123456789abcdef"), 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("0123456789abcdef"));
        expectError(m_s.post("runs/log-metric", QJsonObject{{QStringLiteral("run_id"), QStringLiteral("nope")}, {QStringLiteral("key"), QStringLiteral("m")},
                                                            {QStringLiteral("value"), 1}, {QStringLiteral("timestamp"), 1}}), 404, "RESOURCE_DOES_NOT_EXIST");
        expectError(m_s.post("runs/log-batch", QJsonObject{{QStringLiteral("run_id"), QStringLiteral("nope")}}), 404, "RESOURCE_DOES_NOT_EXIST");
        expectError(m_s.get("metrics/get-history", "run_id=nope&metric_key=m"), 404, "RESOURCE_DOES_NOT_EXIST");
        expectError(m_s.post("runs/update", QJsonObject{{QStringLiteral("run_id"), QStringLiteral("nope")}, {QStringLiteral("status"), QStringLiteral("FINISHED")}}), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    void unknownExperimentIs404()
    {
        expectError(m_s.get("experiments/get", "experiment_id=999"), 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("999"));
        expectError(m_s.get("experiments/get-by-name", "experiment_name=never"), 404, "RESOURCE_DOES_NOT_EXIST");
        expectError(m_s.post("runs/create", QJsonObject{{QStringLiteral("experiment_id"), QStringLiteral("999")}}), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    void duplicateExperimentNameIs400AlreadyExists()
    {
        expectError(m_s.post("experiments/create", QJsonObject{{QStringLiteral("name"), QStringLiteral("errors")}}), 400, "RESOURCE_ALREADY_EXISTS",
                    QStringLiteral("errors"));
    }

    void paramRelogWithAnotherValueIs400()
    {
        expectError(m_s.post("runs/log-parameter", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QStringLiteral("lr")}, {QStringLiteral("value"), QStringLiteral("0.1")}}),
                    400, "INVALID_PARAMETER_VALUE", QStringLiteral("Changing param values is not allowed"));
        QVERIFY(run().value(QStringLiteral("data")).toObject().value(QStringLiteral("params")).toArray().contains(kv(QStringLiteral("lr"), QStringLiteral("0.01"))));
    }

    // The batch is refused whole: its metrics and tags are not stored either.
    void batchWithChangedParamChangesNothing()
    {
        const HttpReply r = m_s.post("runs/log-batch", batch({metric(QStringLiteral("never"), 1.0, 1, 0)}, {kv(QStringLiteral("lr"), QStringLiteral("0.5"))},
                                                             {kv(QStringLiteral("never_tag"), QStringLiteral("x"))}));
        expectError(r, 400, "INVALID_PARAMETER_VALUE", QStringLiteral("lr"));
        QCOMPARE(metricCount(QStringLiteral("never")), 0);
        QVERIFY(!QJsonDocument(run()).toJson().contains("never_tag"));
    }

    void duplicateParamKeysInOneBatchAre400()
    {
        expectError(m_s.post("runs/log-batch", batch({}, {kv(QStringLiteral("a"), QStringLiteral("1")), kv(QStringLiteral("a"), QStringLiteral("2"))})),
                    400, "INVALID_PARAMETER_VALUE", QStringLiteral("Duplicate parameter keys"));
    }

    void keysWithDotDotAre400_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("key");
        for (const char *key : {"../../etc/passwd", "a/../b", "/abs", ".."}) {
            QTest::newRow(qPrintable(QStringLiteral("metric %1").arg(QLatin1String(key)))) << QStringLiteral("runs/log-metric") << QString::fromLatin1(key);
            QTest::newRow(qPrintable(QStringLiteral("param %1").arg(QLatin1String(key)))) << QStringLiteral("runs/log-parameter") << QString::fromLatin1(key);
            QTest::newRow(qPrintable(QStringLiteral("tag %1").arg(QLatin1String(key)))) << QStringLiteral("runs/set-tag") << QString::fromLatin1(key);
        }
        QTest::newRow("metric key with a backslash") << QStringLiteral("runs/log-metric") << QStringLiteral("a\\..\\b");
        QTest::newRow("metric key with NUL") << QStringLiteral("runs/log-metric") << QStringLiteral("a") + QChar(0) + QStringLiteral("b");
    }
    void keysWithDotDotAre400()
    {
        QFETCH(QString, endpoint);
        QFETCH(QString, key);
        const QJsonObject body{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), key}, {QStringLiteral("value"), endpoint.endsWith(QLatin1String("metric")) ? QJsonValue(1.5) : QJsonValue(QStringLiteral("v"))},
                               {QStringLiteral("timestamp"), 1}};
        expectError(m_s.post(endpoint.toUtf8().constData(), body), 400, "INVALID_PARAMETER_VALUE");
    }

    void keysOver250BytesAre400()
    {
        const QString longKey(251, QLatin1Char('k'));
        const QString exact(250, QLatin1Char('k'));
        expectError(m_s.post("runs/log-metric", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), longKey}, {QStringLiteral("value"), 1}, {QStringLiteral("timestamp"), 1}}),
                    400, "INVALID_PARAMETER_VALUE", QStringLiteral("251"));
        expectError(m_s.post("runs/log-batch", batch({}, {kv(longKey, QStringLiteral("v"))})), 400, "INVALID_PARAMETER_VALUE");
        // 250 bytes in UTF-8, not characters: 126 two-byte letters are 252 bytes.
        expectError(m_s.post("runs/set-tag", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QString(126, QChar(0xe9))}, {QStringLiteral("value"), QStringLiteral("v")}}),
                    400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(m_s.post("runs/log-metric", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), exact}, {QStringLiteral("value"), 1}, {QStringLiteral("timestamp"), 1}}).status, 200);
        expectError(m_s.post("runs/set-tag", QJsonObject{{QStringLiteral("run_id"), m_run}, {QStringLiteral("key"), QStringLiteral("big")}, {QStringLiteral("value"), QString(5001, QLatin1Char('v'))}}),
                    400, "INVALID_PARAMETER_VALUE");
    }

    // Row 6-8 of the catalogue: truncated, trailing junk, invalid UTF-8, not an object, deep nesting.
    void malformedJsonIs400_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("truncated") << QByteArray("{\"run_id\": \"x\", \"key\": \"a\", \"val"); // (no raw string: moc 6.4 miscounts its quotes)
        QTest::newRow("trailing junk") << QByteArray(R"({"run_id": "x"} garbage)");
        QTest::newRow("invalid UTF-8") << QByteArray("{\"run_id\": \"\xff\xfe\"}");
        QTest::newRow("a list") << QByteArray(R"([1, 2, 3])");
        QTest::newRow("a number") << QByteArray("42");
        QTest::newRow("nested 100k deep") << QByteArray(100000, '[');
        QTest::newRow("single quotes") << QByteArray("{'run_id': 'x'}");
    }
    void malformedJsonIs400()
    {
        QFETCH(QByteArray, body);
        expectError(m_s.post("runs/log-metric", body), 400, "INVALID_PARAMETER_VALUE"); // a body that is no JSON object
        QCOMPARE(m_s.client->get("/health").status, 200);
    }

    void wrongFieldTypesAre400NamingTheField_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("name as number") << QStringLiteral("experiments/create") << QByteArray(R"({"name": 123})") << QStringLiteral("'name'");
        QTest::newRow("value as text") << QStringLiteral("runs/log-metric") << QByteArray(R"({"run_id": "R", "key": "m", "value": "high", "timestamp": 1})") << QStringLiteral("'value'");
        QTest::newRow("timestamp as float") << QStringLiteral("runs/log-metric") << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1.5})") << QStringLiteral("'timestamp'");
        QTest::newRow("step as bool") << QStringLiteral("runs/log-metric") << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1, "step": true})") << QStringLiteral("'step'");
        QTest::newRow("metrics as object") << QStringLiteral("runs/log-batch") << QByteArray(R"({"run_id": "R", "metrics": {"key": "m"}})") << QStringLiteral("'metrics'");
        QTest::newRow("second metric value") << QStringLiteral("runs/log-batch")
                                             << QByteArray(R"({"run_id": "R", "metrics": [{"key": "m", "value": 1, "timestamp": 1}, {"key": "m", "value": [1], "timestamp": 1}]})")
                                             << QStringLiteral("'metrics[1].value'");
        QTest::newRow("tag value as number") << QStringLiteral("runs/log-batch") << QByteArray(R"({"run_id": "R", "tags": [{"key": "t", "value": 5}]})") << QStringLiteral("'tags[0].value'");
        QTest::newRow("run status") << QStringLiteral("runs/update") << QByteArray(R"({"run_id": "R", "status": "DONE"})") << QStringLiteral("'status'");
    }
    void wrongFieldTypesAre400NamingTheField()
    {
        QFETCH(QString, endpoint);
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        body.replace("\"R\"", "\"" + m_run.toUtf8() + "\"");
        expectError(m_s.post(endpoint.toUtf8().constData(), body), 400, "INVALID_PARAMETER_VALUE", field);
    }

    void missingRequiredFieldsAre400NamingThem_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("experiment name") << QStringLiteral("experiments/create") << QByteArray("{}") << QStringLiteral("'name'");
        QTest::newRow("metric key") << QStringLiteral("runs/log-metric") << QByteArray(R"({"run_id": "R", "value": 1, "timestamp": 1})") << QStringLiteral("'key'");
        QTest::newRow("metric value") << QStringLiteral("runs/log-metric") << QByteArray(R"({"run_id": "R", "key": "m", "timestamp": 1})") << QStringLiteral("'value'");
        QTest::newRow("metric timestamp") << QStringLiteral("runs/log-metric") << QByteArray(R"({"run_id": "R", "key": "m", "value": 1})") << QStringLiteral("'timestamp'");
        QTest::newRow("run id") << QStringLiteral("runs/log-parameter") << QByteArray(R"({"key": "k", "value": "v"})") << QStringLiteral("'run_id'");
        // MLflow's log-batch schema names the whole list (validationMessagesAreMlflowsWords has the text).
        QTest::newRow("batch metric key") << QStringLiteral("runs/log-batch") << QByteArray(R"({"run_id": "R", "metrics": [{"value": 1, "timestamp": 1}]})") << QStringLiteral("'metrics'");
    }
    void missingRequiredFieldsAre400NamingThem()
    {
        QFETCH(QString, endpoint);
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        body.replace("\"R\"", "\"" + m_run.toUtf8() + "\"");
        expectError(m_s.post(endpoint.toUtf8().constData(), body), 400, "INVALID_PARAMETER_VALUE", field);
        expectError(m_s.get("metrics/get-history", "run_id=" + m_run.toUtf8()), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("'metric_key'"));
    }

    // MLflow 2.4's own words (mlflow/server/handlers.py, _validate_param_against_schema; the value
    // printed as Python's str() prints what json.loads made of it), checked whole. The texts were
    // checked against Python 3 with the f-string of the vendored handler.
    void validationMessagesAreMlflowsWords_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        const auto invalid = [](const char *value, const char *field, const char *type) {
            return QStringLiteral("Invalid value %1 for parameter '%2' supplied. Hint: Value was of type '%3'. See the API docs for more information "
                                  "about request parameters.").arg(QString::fromUtf8(value), QLatin1String(field), QLatin1String(type));
        };
        const QString metric = QStringLiteral("runs/log-metric");
        QTest::newRow("step as text") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1, "step": "foo"})") << invalid("foo", "step", "str");
        QTest::newRow("step as empty text") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1, "step": ""})") << invalid("", "step", "str");
        QTest::newRow("step as bool") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1, "step": true})") << invalid("True", "step", "bool");
        QTest::newRow("step past int64") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1, "step": 100000000000000000000})")
                                         << invalid("100000000000000000000", "step", "int");
        QTest::newRow("step 1e20") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1, "step": 1e20})") << invalid("1e+20", "step", "float");
        QTest::newRow("timestamp as float") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": 1, "timestamp": 1.5})") << invalid("1.5", "timestamp", "float");
        QTest::newRow("value as text") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": "high", "timestamp": 1})") << invalid("high", "value", "str");
        QTest::newRow("value as null list") << metric << QByteArray(R"({"run_id": "R", "key": "m", "value": [null, false], "timestamp": 1})")
                                            << invalid("[None, False]", "value", "list");
        QTest::newRow("name as int") << QStringLiteral("experiments/create") << QByteArray(R"({"name": 123})") << invalid("123", "name", "int");
        QTest::newRow("name as 1.0") << QStringLiteral("experiments/create") << QByteArray(R"({"name": 1.0})") << invalid("1.0", "name", "float");
        QTest::newRow("name as 0.00001") << QStringLiteral("experiments/create") << QByteArray(R"({"name": 0.00001})") << invalid("1e-05", "name", "float");
        QTest::newRow("metrics as object") << QStringLiteral("runs/log-batch") << QByteArray(R"({"run_id": "R", "metrics": {"key": "m", "n": 2}})")
                                           << invalid("{'key': 'm', 'n': 2}", "metrics", "dict");
        QTest::newRow("second metric value") << QStringLiteral("runs/log-batch")
                                             << QByteArray(R"({"run_id": "R", "metrics": [{"key": "m", "value": 1, "timestamp": 1}, {"key": "m", "value": [1], "timestamp": 1}]})")
                                             << invalid("[1]", "metrics[1].value", "list");
        QTest::newRow("tag value as number") << QStringLiteral("runs/log-batch") << QByteArray(R"({"run_id": "R", "tags": [{"key": "t", "value": 5}]})")
                                             << invalid("5", "tags[0].value", "int");
        // The whole list, its items repr'd in the body's order, as Python prints a list.
        QTest::newRow("order_by item") << QStringLiteral("runs/search")
                                       << QByteArray("{\"order_by\": [\"it's\", 1, null, 2.5e-7, 1e16, 1e15, -0.0, \"tab\\there\", \"\\u00e9\"]}")
                                       << invalid("[\"it's\", 1, None, 2.5e-07, 1e+16, 1000000000000000.0, -0.0, 'tab\\there', '\xc3\xa9']", "order_by", "list");
        QTest::newRow("run status") << QStringLiteral("runs/update") << QByteArray(R"({"run_id": "R", "status": "DONE"})") << invalid("DONE", "status", "str");
        QTest::newRow("view_type") << QStringLiteral("experiments/search") << QByteArray(R"({"view_type": "SOME"})") << invalid("SOME", "view_type", "str");
        QTest::newRow("runs/search max_results") << QStringLiteral("runs/search") << QByteArray(R"({"max_results": 50001})") << invalid("50001", "max_results", "int");
        QTest::newRow("experiments/search max_results 0") << QStringLiteral("experiments/search") << QByteArray(R"({"max_results": 0})")
                                                          << QStringLiteral("Invalid value for max_results. It must be a positive integer, but got 0");
        QTest::newRow("experiments/search max_results 50001") << QStringLiteral("experiments/search") << QByteArray(R"({"max_results": 50001})")
                                                              << QStringLiteral("Invalid value for max_results. It must be at most 50000, but got 50001");
    }
    void validationMessagesAreMlflowsWords()
    {
        QFETCH(QString, endpoint);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        body.replace("\"R\"", "\"" + m_run.toUtf8() + "\"");
        const HttpReply r = m_s.post(endpoint.toUtf8().constData(), body);
        expectError(r, 400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(r.json().value(QStringLiteral("message")).toString(), message);
        QCOMPARE(m_s.client->get("/health").status, 200);
    }

    // A metric without a timestamp, as MLflow 2.4's server reports it: log-metric's schema says
    // the field is missing; log-batch's (_assert_metrics_fields_present) makes the whole metrics
    // list the invalid value. Nothing of the refused batch is stored.
    void metricWithoutTimestamp()
    {
        const HttpReply single = m_s.post("runs/log-metric", QByteArray(R"({"run_id": ")" + m_run.toUtf8() + R"(", "key": "no_ts", "value": 1.5})"));
        expectError(single, 400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(single.json().value(QStringLiteral("message")).toString(),
                 QStringLiteral("Missing value for required parameter 'timestamp'. See the API docs for more information about request parameters."));
        const HttpReply batched = m_s.post("runs/log-batch", QByteArray(R"({"run_id": ")" + m_run.toUtf8()
                                                                         + R"(", "metrics": [{"key": "no_ts", "value": 1.5, "step": 0}], "params": [{"key": "no_ts_p", "value": "1"}]})"));
        expectError(batched, 400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(batched.json().value(QStringLiteral("message")).toString(),
                 QStringLiteral("Invalid value [{'key': 'no_ts', 'value': 1.5, 'step': 0}] for parameter 'metrics' supplied. Hint: Value was of type 'list'. "
                                "See the API docs for more information about request parameters."));
        const HttpReply nullStamp = m_s.post("runs/log-batch", QByteArray(R"({"run_id": ")" + m_run.toUtf8()
                                                                           + R"(", "metrics": [{"key": "no_ts", "value": 2, "timestamp": 1}, {"key": "no_ts", "value": 3, "timestamp": null}]})"));
        expectError(nullStamp, 400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(nullStamp.json().value(QStringLiteral("message")).toString(),
                 QStringLiteral("Invalid value [{'key': 'no_ts', 'value': 2, 'timestamp': 1}, {'key': 'no_ts', 'value': 3, 'timestamp': None}] for parameter 'metrics' "
                                "supplied. Hint: Value was of type 'list'. See the API docs for more information about request parameters."));
        const HttpReply noParamKey = m_s.post("runs/log-batch", QByteArray(R"({"run_id": ")" + m_run.toUtf8() + R"(", "params": [{"key": "", "value": "1"}]})"));
        QCOMPARE(noParamKey.json().value(QStringLiteral("message")).toString(),
                 QStringLiteral("Invalid value [{'key': '', 'value': '1'}] for parameter 'params' supplied. Hint: Value was of type 'list'. "
                                "See the API docs for more information about request parameters."));
        QCOMPARE(metricCount(QStringLiteral("no_ts")), 0);
        QVERIFY(!QJsonDocument(run()).toJson().contains("no_ts_p"));
    }

    // A relative artifact_location is resolved against the server's current directory as MLflow
    // 2.4's resolve_uri_if_local does (the texts were checked with the vendored function), and
    // experiments/get answers the resolved value.
    void relativeArtifactLocationIsResolvedAsMlflowDoes_data()
    {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("stored");
        const QString cwd = QDir::currentPath();
        QTest::newRow("relative path") << QStringLiteral("rel/dir") << cwd + QStringLiteral("/rel/dir");
        QTest::newRow("dot and doubled slashes") << QStringLiteral("./a//b/") << cwd + QStringLiteral("/a/b");
        QTest::newRow("dot") << QStringLiteral(".") << cwd;
        QTest::newRow("relative file URI") << QStringLiteral("file:rel/x") << QStringLiteral("file://") + cwd + QStringLiteral("/rel/x");
        QTest::newRow("relative file URI, percent-encoded") << QStringLiteral("file:./my%20dir") << QStringLiteral("file://") + cwd + QStringLiteral("/my dir");
        QTest::newRow("absolute path") << QStringLiteral("/abs/p") << QStringLiteral("/abs/p");
        QTest::newRow("absolute file URI") << QStringLiteral("file:///abs") << QStringLiteral("file:///abs");
        QTest::newRow("file URI with host") << QStringLiteral("file://localhost/x") << QStringLiteral("file://localhost/x");
        QTest::newRow("s3") << QStringLiteral("s3://b/p") << QStringLiteral("s3://b/p");
    }
    void relativeArtifactLocationIsResolvedAsMlflowDoes()
    {
        QFETCH(QString, given);
        QFETCH(QString, stored);
        const QString name = QStringLiteral("artifact-location %1").arg(QString::fromLatin1(QTest::currentDataTag()));
        const HttpReply created = m_s.post("experiments/create", QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("artifact_location"), given}});
        QVERIFY2(created.status == 200, created.body.constData());
        const QString id = created.json().value(QStringLiteral("experiment_id")).toString();
        const QJsonObject e = m_s.get("experiments/get", "experiment_id=" + id.toUtf8()).json().value(QStringLiteral("experiment")).toObject();
        QCOMPARE(e.value(QStringLiteral("artifact_location")).toString(), stored);
        const QJsonObject byName = m_s.get("experiments/get-by-name", "experiment_name=" + QUrl::toPercentEncoding(name)).json().value(QStringLiteral("experiment")).toObject();
        QCOMPARE(byName.value(QStringLiteral("artifact_location")).toString(), stored);
    }

    void batchLimits_data()
    {
        QTest::addColumn<int>("metrics");
        QTest::addColumn<int>("params");
        QTest::addColumn<int>("tags");
        QTest::addColumn<QString>("message");
        QTest::newRow("1001 metrics") << 1001 << 0 << 0 << QStringLiteral("at most 1000 metrics");
        QTest::newRow("101 params") << 0 << 101 << 0 << QStringLiteral("at most 100 params");
        QTest::newRow("101 tags") << 0 << 0 << 101 << QStringLiteral("at most 100 tags");
        QTest::newRow("1001 items") << 900 << 100 << 1 << QStringLiteral("at most 1000 total");
    }
    void batchLimits()
    {
        QFETCH(int, metrics);
        QFETCH(int, params);
        QFETCH(int, tags);
        QFETCH(QString, message);
        QJsonArray m, p, t;
        for (int i = 0; i < metrics; ++i)
            m.append(metric(QStringLiteral("limit"), i, 1, i));
        for (int i = 0; i < params; ++i)
            p.append(kv(QStringLiteral("p%1").arg(i), QStringLiteral("v")));
        for (int i = 0; i < tags; ++i)
            t.append(kv(QStringLiteral("t%1").arg(i), QStringLiteral("v")));
        expectError(m_s.post("runs/log-batch", batch(m, p, t)), 400, "INVALID_PARAMETER_VALUE", message);
        QCOMPARE(metricCount(QStringLiteral("limit")), 0);
        // At the limit it is fine.
        QJsonArray full;
        for (int i = 0; i < 1000; ++i)
            full.append(metric(QStringLiteral("at_limit"), i, 1, i));
        QCOMPARE(m_s.post("runs/log-batch", batch(full)).status, 200);
    }

    // 1 MB (MLflow's MAX_BATCH_LOG_REQUEST_SIZE): refused with 413 before it is read, and the
    // server answers the next request.
    void bodyOver1MBIs413AndServerStaysUp()
    {
        QByteArray body = "{\"run_id\": \"" + m_run.toUtf8() + "\", \"tags\": [{\"key\": \"pad\", \"value\": \"";
        body += QByteArray(1'000'001 - body.size() - 4, 'x') + "\"}]}";
        QCOMPARE(body.size(), 1'000'001);
        const HttpReply r = m_s.post("runs/log-batch", body);
        QCOMPARE(r.status, 413);
        QCOMPARE(r.errorCode(), QByteArray("BAD_REQUEST"));
        QCOMPARE(m_s.get("runs/get", "run_id=" + m_run.toUtf8()).status, 200);
        HttpTestClient fresh(m_s.server->port());
        QCOMPARE(fresh.get("/health").status, 200);
        QVERIFY(m_s.server->stats().refusedBodies >= 1);
    }

    void loggingToADeletedRunIs400()
    {
        const QString doomed = m_s.createRun(m_exp, QStringLiteral("doomed"));
        QCOMPARE(m_s.post("runs/delete", QJsonObject{{QStringLiteral("run_id"), doomed}}).status, 200);
        const QJsonObject id{{QStringLiteral("run_id"), doomed}};
        QJsonObject m = id;
        m.insert(QStringLiteral("key"), QStringLiteral("m"));
        m.insert(QStringLiteral("value"), 1);
        m.insert(QStringLiteral("timestamp"), 1);
        expectError(m_s.post("runs/log-metric", m), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("active"));
        QJsonObject b = id;
        b.insert(QStringLiteral("metrics"), QJsonArray{metric(QStringLiteral("m"), 1, 1, 0)});
        expectError(m_s.post("runs/log-batch", b), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("active"));
        QJsonObject p = id;
        p.insert(QStringLiteral("key"), QStringLiteral("k"));
        p.insert(QStringLiteral("value"), QStringLiteral("v"));
        expectError(m_s.post("runs/log-parameter", p), 400, "INVALID_PARAMETER_VALUE");
        expectError(m_s.post("runs/set-tag", p), 400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(m_s.get("metrics/get-history", "run_id=" + doomed.toUtf8() + "&metric_key=m").body, QByteArray("{}"));
    }

    void unknownEndpointIs404AndWrongMethod405()
    {
        expectError(m_s.post("runs/explode", QByteArray("{}")), 404, "ENDPOINT_NOT_FOUND");
        expectError(m_s.client->get("/api/2.0/mlflow/"), 404, "ENDPOINT_NOT_FOUND");
        expectError(m_s.client->get("/api/2.1/mlflow/runs/get"), 404, "ENDPOINT_NOT_FOUND");
        expectError(m_s.client->get("/"), 404, "ENDPOINT_NOT_FOUND");
        const HttpReply wrong = m_s.client->get("/api/2.0/mlflow/runs/log-batch");
        expectError(wrong, 405, "BAD_REQUEST", QStringLiteral("POST"));
        QCOMPARE(wrong.headers.value("allow"), QByteArray("POST"));
        expectError(m_s.client->request("DELETE", "/api/2.0/mlflow/runs/delete", "{}"), 405, "BAD_REQUEST");
    }

    // experiments/update (MlflowClient.rename_experiment) refuses as MLflow does, and changes nothing.
    void renameExperimentErrors()
    {
        const QString id = m_s.createExperiment(QStringLiteral("rename-me"));
        const auto update = [&](const QJsonObject &body) { return m_s.post("experiments/update", body); };
        const QString idKey = QStringLiteral("experiment_id");
        const QString nameKey = QStringLiteral("new_name");
        expectError(update({{nameKey, QStringLiteral("x")}}), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("'experiment_id'"));
        expectError(update({{idKey, id}}), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("'new_name'"));
        expectError(update({{idKey, id}, {nameKey, 5}}), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("'new_name'"));
        expectError(update({{idKey, id}, {nameKey, QStringLiteral("   ")}}), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("name"));
        expectError(update({{idKey, id}, {nameKey, QString(501, QLatin1Char('n'))}}), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("500"));
        expectError(update({{idKey, QStringLiteral("999")}, {nameKey, QStringLiteral("x")}}), 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("999"));
        expectError(update({{idKey, id}, {nameKey, QStringLiteral("errors")}}), 400, "RESOURCE_ALREADY_EXISTS", QStringLiteral("errors"));
        QCOMPARE(m_s.post("experiments/delete", QJsonObject{{idKey, id}}).status, 200);
        expectError(update({{idKey, id}, {nameKey, QStringLiteral("fresh")}}), 400, "INVALID_STATE", QStringLiteral("Cannot rename a non-active experiment."));
        expectError(m_s.client->get("/api/2.0/mlflow/experiments/update?experiment_id=" + id.toUtf8() + "&new_name=x"), 405, "BAD_REQUEST");
        const QJsonObject e = m_s.get("experiments/get", "experiment_id=" + id.toUtf8()).json().value(QStringLiteral("experiment")).toObject();
        QCOMPARE(e.value(QStringLiteral("name")).toString(), QStringLiteral("rename-me"));
        QCOMPARE(m_s.get("experiments/get-by-name", "experiment_name=errors").json().value(QStringLiteral("experiment")).toObject().value(idKey).toString(), m_exp);
    }

    // runs/log-inputs: each refusal names the field, and a refused request stores none of its datasets.
    void logInputsErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<QString>("message");
        const QByteArray good = R"({"dataset": {"name": "ok", "digest": "d1", "source_type": "local", "source": "s"}})";
        const auto with = [&](const QByteArray &second) { return "{\"run_id\": \"RUN\", \"datasets\": [" + good + ", " + second + "]}"; };
        QTest::newRow("no run_id") << QByteArray(R"({"datasets": []})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'run_id'");
        QTest::newRow("unknown run") << QByteArray(R"({"run_id": "0123456789abcdef0123456789abcdef", "datasets": []})") << 404 << QByteArray("RESOURCE_DOES_NOT_EXIST") << QStringLiteral("0123456789abcdef");
        QTest::newRow("datasets not a list") << QByteArray(R"({"run_id": "RUN", "datasets": {"name": "x"}})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets'");
        QTest::newRow("no dataset") << with(R"({"tags": []})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets[1].dataset'");
        QTest::newRow("dataset not an object") << with(R"({"dataset": "train.csv"})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets[1].dataset'");
        QTest::newRow("no digest") << with(R"({"dataset": {"name": "x", "source_type": "local", "source": "s"}})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets[1].dataset.digest'");
        QTest::newRow("empty source") << with(R"({"dataset": {"name": "x", "digest": "d", "source_type": "local", "source": ""}})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets[1].dataset.source'");
        QTest::newRow("schema a number") << with(R"({"dataset": {"name": "x", "digest": "d", "source_type": "local", "source": "s", "schema": 5}})") << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets[1].dataset.schema'");
        QTest::newRow("digest of 64") << with("{\"dataset\": {\"name\": \"x\", \"digest\": \"" + QByteArray(64, 'f') + "\", \"source_type\": \"local\", \"source\": \"s\"}}")
                                      << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("Dataset digest exceeds the maximum length of 36: datasets[1].dataset.digest is 64");
        QTest::newRow("name of 501") << with("{\"dataset\": {\"name\": \"" + QByteArray(501, 'n') + "\", \"digest\": \"d\", \"source_type\": \"local\", \"source\": \"s\"}}")
                                     << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("datasets[1].dataset.name");
        QTest::newRow("tag without key") << with(R"({"tags": [{"value": "training"}], "dataset": {"name": "x", "digest": "d", "source_type": "local", "source": "s"}})")
                                         << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("'datasets[1].tags[0].key'");
        QTest::newRow("tag value of 501") << with("{\"tags\": [{\"key\": \"mlflow.data.context\", \"value\": \"" + QByteArray(501, 'v') + "\"}], \"dataset\": {\"name\": \"x\", \"digest\": \"d\", \"source_type\": \"local\", \"source\": \"s\"}}")
                                          << 400 << QByteArray("INVALID_PARAMETER_VALUE") << QStringLiteral("Input tag value exceeds the maximum length of 500: datasets[1].tags[0].value");
        QTest::newRow("model inputs") << QByteArray(R"({"run_id": "RUN", "models": [{"model_id": "m-1"}]})") << 501 << QByteArray("NOT_IMPLEMENTED") << QStringLiteral("models");
    }
    void logInputsErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QByteArray, code);
        QFETCH(QString, message);
        body.replace("RUN", m_run.toUtf8());
        expectError(m_s.post("runs/log-inputs", body), status, code.constData(), message);
        QCOMPARE(run().value(QStringLiteral("inputs")).toObject(), QJsonObject()); // the good first dataset was not stored either
    }

    void logInputsToDeletedRunRefused()
    {
        const QString doomed = m_s.createRun(m_exp, QStringLiteral("deleted-inputs"));
        QCOMPARE(m_s.post("runs/delete", QJsonObject{{QStringLiteral("run_id"), doomed}}).status, 200);
        QByteArray body = R"({"run_id": "RUN", "datasets": [{"dataset": {"name": "x", "digest": "d", "source_type": "local", "source": "s"}}]})";
        body.replace("RUN", doomed.toUtf8());
        expectError(m_s.post("runs/log-inputs", body), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("active"));
        expectError(m_s.client->get("/api/2.0/mlflow/runs/log-inputs?run_id=" + m_run.toUtf8()), 405, "BAD_REQUEST");
    }

    // DELETE on the artifact proxy: only inside one run's artifacts, and only what is there.
    void deleteArtifactErrors()
    {
        const QByteArray proxy = "/api/2.0/mlflow-artifacts/artifacts";
        expectError(m_s.client->request("DELETE", proxy + "/1/" + m_run.toUtf8() + "/artifacts/never.txt"), 404, "RESOURCE_DOES_NOT_EXIST", QStringLiteral("never.txt"));
        expectError(m_s.client->request("DELETE", proxy + "/1/" + m_run.toUtf8()), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("<experiment_id>/<run_id>/artifacts"));
        expectError(m_s.client->request("DELETE", proxy + "/1"), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("only a run's artifacts"));
        expectError(m_s.client->request("DELETE", proxy + "/1/" + m_run.toUtf8() + "/artifacts/../../x"), 400, "INVALID_PARAMETER_VALUE");
        expectError(m_s.client->request("DELETE", proxy + "?path=1"), 400, "BAD_REQUEST", QStringLiteral("GET"));
        const HttpReply patch = m_s.client->request("PATCH", proxy + "/1/" + m_run.toUtf8() + "/artifacts/x");
        expectError(patch, 405, "BAD_REQUEST", QStringLiteral("DELETE"));
        QCOMPARE(patch.headers.value("allow"), QByteArray("GET, PUT, DELETE"));
    }

    void badPagingAndSearchArgumentsAre400()
    {
        expectError(m_s.get("metrics/get-history", "run_id=" + m_run.toUtf8() + "&metric_key=m&page_token=garbage"), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("page token"));
        expectError(m_s.post("experiments/search", QByteArray(R"({"max_results": 0})")), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("max_results"));
        expectError(m_s.post("runs/search", QByteArray(R"({"max_results": 50001})")), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("max_results"));
        expectError(m_s.post("experiments/search", QByteArray(R"({"filter": "name = 'a' OR name = 'b'"})")), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("column"));
        expectError(m_s.post("runs/search", QByteArray(R"({"filter": "metrics.auc >"})")), 400, "INVALID_PARAMETER_VALUE");
        expectError(m_s.post("experiments/search", QByteArray(R"({"view_type": "SOME"})")), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("view_type"));
    }

    // Every spelling of a path out of the artifact folder is refused and nothing is written
    // outside it (MLflow's CVE history: '..', '\', '%2e', '%252e', absolute paths, NUL).
    void artifactTraversalRefused_data()
    {
        QTest::addColumn<QByteArray>("path");
        const QByteArray run = "1/RUN/artifacts/";
        QTest::newRow("dot dot") << run + "../../../../outside.txt";
        QTest::newRow("encoded dots") << run + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/outside.txt";
        QTest::newRow("encoded slash") << run + "..%2f..%2f..%2f..%2foutside.txt";
        QTest::newRow("double encoded") << run + "%252e%252e/%252e%252e/%252e%252e/%252e%252e/outside.txt";
        QTest::newRow("backslash") << run + "..%5c..%5c..%5c..%5coutside.txt";
        QTest::newRow("absolute") << QByteArray("%2ftmp%2foutside.txt");
        QTest::newRow("leading slash") << QByteArray("/tmp/outside.txt");
        QTest::newRow("NUL") << run + "a%00b.txt";
        QTest::newRow("other run's folder") << QByteArray("1/0123456789abcdef0123456789abcdef/artifacts/x.txt");
        QTest::newRow("not under artifacts") << QByteArray("1/RUN/outside.txt");
    }
    void artifactTraversalRefused()
    {
        QFETCH(QByteArray, path);
        path.replace("RUN", m_run.toUtf8());
        const QString outside = m_s.dir.filePath(QStringLiteral("outside.txt"));
        const HttpReply put = m_s.client->request("PUT", "/api/2.0/mlflow-artifacts/artifacts/" + path, "pwned");
        QVERIFY2(put.status == 400 || put.status == 404, qPrintable(QString::number(put.status) + QString::fromUtf8(put.body)));
        const HttpReply get = m_s.client->get("/api/2.0/mlflow-artifacts/artifacts/" + path);
        QVERIFY2(get.status == 400 || get.status == 404, qPrintable(QString::number(get.status)));
        const HttpReply del = m_s.client->request("DELETE", "/api/2.0/mlflow-artifacts/artifacts/" + path);
        QVERIFY2(del.status == 400 || del.status == 404, qPrintable(QString::number(del.status) + QString::fromUtf8(del.body)));
        const HttpReply list = m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=" + path);
        QVERIFY(list.status == 400 || list.status == 404 || list.body == "{}");
        QVERIFY(!QFile::exists(outside));
        QVERIFY(!QFile::exists(QStringLiteral("/tmp/outside.txt")));
        QDirIterator it(m_s.dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.fileName().endsWith(QLatin1String(".txt")) && f.open(QIODevice::ReadOnly))
                QVERIFY2(f.readAll() != "pwned", qPrintable(f.fileName()));
        }
        QCOMPARE(m_s.client->get("/health").status, 200);
    }

    // A client that goes away mid-upload leaves neither the artifact nor its temporary file.
    void cutOffUploadLeavesNothing()
    {
        const QByteArray target = "/api/2.0/mlflow-artifacts/artifacts/1/" + m_run.toUtf8() + "/artifacts/cut/model.bin";
        const QString temporary = m_s.cacheRoot() + QStringLiteral("/tmp");
        {
            HttpTestClient c(m_s.server->port());
            QVERIFY(c.connect());
            QVERIFY(c.sendOnly("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n" + QByteArray(5000, 'm')));
            // The upload is under way: its temporary file is in the cache, the artifact is not.
            QTRY_COMPARE_WITH_TIMEOUT(QDir(temporary).entryList(QDir::Files | QDir::Hidden).size(), 1, 5000);
            QCOMPARE(m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=1/" + m_run.toUtf8() + "/artifacts/cut").body, QByteArray("{}"));
        } // closes the connection with 995,000 bytes missing
        QTRY_VERIFY_WITH_TIMEOUT(QDir(temporary).entryList(QDir::Files | QDir::Hidden).isEmpty(), 5000);
        QVERIFY(!QFile::exists(m_s.objectFor(QByteArray(5000, 'm'))));
        QCOMPARE(m_s.client->get(target).status, 404);
        QCOMPARE(m_s.client->get("/api/2.0/mlflow-artifacts/artifacts?path=1/" + m_run.toUtf8() + "/artifacts").body, QByteArray("{}"));
    }

    void artifactUploadToDeletedOrUnknownRunRefused()
    {
        const QString doomed = m_s.createRun(m_exp, QStringLiteral("gone"));
        QCOMPARE(m_s.post("runs/delete", QJsonObject{{QStringLiteral("run_id"), doomed}}).status, 200);
        expectError(m_s.client->request("PUT", "/api/2.0/mlflow-artifacts/artifacts/1/" + doomed.toUtf8() + "/artifacts/x.bin", "x"), 400, "INVALID_PARAMETER_VALUE", QStringLiteral("active"));
        expectError(m_s.client->request("PUT", "/api/2.0/mlflow-artifacts/artifacts/2/" + m_run.toUtf8() + "/artifacts/x.bin", "x"), 400, "INVALID_PARAMETER_VALUE");
        QCOMPARE(m_s.client->get("/api/2.0/mlflow-artifacts/artifacts/1/" + doomed.toUtf8() + "/artifacts/x.bin").status, 404);
        QVERIFY(!QFile::exists(m_s.objectFor("x")));
    }
};

QTEST_GUILESS_MAIN(TstMlflowRestErrors)
#include "tst_mlflow_rest_errors.moc"
