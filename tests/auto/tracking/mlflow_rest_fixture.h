#pragma once
// A tracking server on an ephemeral 127.0.0.1 port over a fresh database in a temporary folder,
// and a keep-alive client — for the MLflow REST tests, which send what MLflow's Python client
// (mlflow.store.tracking.rest_store.RestStore, MLflow 2.x) sends.

#include "core/store/database.h"
#include "core/tracking/tracking_server.h"
#include "tests/auto/http/http_test_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>

#include <memory>

namespace orrery::testing {

struct MlflowServer {
    QTemporaryDir dir;
    std::unique_ptr<tracking::TrackingServer> server;
    std::unique_ptr<HttpTestClient> client;

    bool start()
    {
        QDir(dir.path()).mkpath(QStringLiteral(".orrery")); // a workspace: its cache is .orrery/cache
        store::OpenOptions create;
        create.create = true;
        if (!store::Database::open(databasePath(), create))
            return false;
        auto s = tracking::TrackingServer::start(databasePath(), dir.path());
        if (!s) {
            qWarning("%s", qPrintable(s.status().message()));
            return false;
        }
        server = std::move(*s);
        client = std::make_unique<HttpTestClient>(server->port());
        return true;
    }
    QString databasePath() const { return dir.filePath(QStringLiteral("orrery.db")); }
    QString cacheRoot() const { return dir.filePath(QStringLiteral(".orrery/cache")); }
    // The cache object of `bytes` (DVC layout: files/md5/ab/cdef…).
    QString objectFor(const QByteArray &bytes) const
    {
        const QString md5 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
        return cacheRoot() + QStringLiteral("/files/md5/") + md5.left(2) + QLatin1Char('/') + md5.mid(2);
    }

    HttpReply post(const char *endpoint, const QByteArray &body)
    {
        return client->post(QByteArray("/api/2.0/mlflow/") + endpoint, body);
    }
    HttpReply post(const char *endpoint, const QJsonObject &body)
    {
        return post(endpoint, QJsonDocument(body).toJson(QJsonDocument::Indented)); // MLflow sends indent=2
    }
    HttpReply get(const char *endpoint, const QByteArray &query)
    {
        return client->get(QByteArray("/api/2.0/mlflow/") + endpoint + '?' + query);
    }

    // mlflow.create_experiment / start_run as the client does them; the ids.
    QString createExperiment(const QString &name)
    {
        return post("experiments/create", QJsonObject{{QStringLiteral("name"), name}}).json().value(QStringLiteral("experiment_id")).toString();
    }
    QString createRun(const QString &experimentId, const QString &name = QStringLiteral("bold-comet-7"))
    {
        const QJsonObject body{{QStringLiteral("experiment_id"), experimentId},
                               {QStringLiteral("start_time"), 1700000000123LL},
                               {QStringLiteral("tags"), QJsonArray{QJsonObject{{QStringLiteral("key"), QStringLiteral("mlflow.user")}, {QStringLiteral("value"), QStringLiteral("root")}},
                                                                   QJsonObject{{QStringLiteral("key"), QStringLiteral("mlflow.runName")}, {QStringLiteral("value"), name}}}},
                               {QStringLiteral("run_name"), name}};
        return post("runs/create", body).json().value(QStringLiteral("run")).toObject().value(QStringLiteral("info")).toObject().value(QStringLiteral("run_id")).toString();
    }
};

inline QJsonObject kv(const QString &key, const QString &value)
{
    return {{QStringLiteral("key"), key}, {QStringLiteral("value"), value}};
}

inline QJsonObject metric(const QString &key, const QJsonValue &value, qint64 timestamp, qint64 step)
{
    return {{QStringLiteral("key"), key}, {QStringLiteral("value"), value}, {QStringLiteral("timestamp"), timestamp}, {QStringLiteral("step"), step}};
}

} // namespace orrery::testing
