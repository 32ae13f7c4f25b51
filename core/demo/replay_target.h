#pragma once
// ReplayTarget: what `orrery-cli demo replay --endpoint E` needs from the workspace — the version
// E serves (its signature shapes the requests), where the workspace's server listens (the
// `servers` table, core/deploy/server_record.h), and where the demo's dataset ends and which seed
// made it (so the replay continues its timeline with other transactions).
//
// Errors a person sees name the endpoint and say what to run: an endpoint nobody deployed, one
// that serves nothing yet, a version without a signature.

#include "core/common/status.h"
#include "core/demo/replay_stream.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace orrery::store {
class Database;
}

namespace orrery::demo {

struct ReplayTarget {
    QString endpoint;
    QString model;
    int version = 0;            // the version whose signature shapes the requests
    QJsonObject signature;
    QString serverUrl;          // the newest live server's base URL; empty when none is recorded
    ReplayTimeline timeline;    // after the workspace's data/transactions.csv
    std::optional<quint64> datasetSeed; // the seed `orrery-cli demo` made the dataset with, when recorded
};

// `root`: the workspace folder; `db`: its database (this thread's connection).
Result<ReplayTarget> resolveReplayTarget(store::Database &db, const QString &root, const QString &endpoint);

} // namespace orrery::demo
