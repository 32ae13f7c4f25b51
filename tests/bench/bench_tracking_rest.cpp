// bench tracking REST: MLflow's log-batch of 1,000 metrics over keep-alive HTTP on 127.0.0.1,
// client to server and back, each answer sent only once its points are committed (the Tracking
// issue asks <= 5 ms). The server runs in this process on its own threads, as `tracking serve`
// runs it; the client is a blocking Beast client on the main thread. With PEER_PORT, the same
// client then sends the same bodies to MLflow 2.4's own server on that port (packaging/bench.sh
// starts it from tests/vendor/mlflow-2.4 with its SQLite store) and prints the ratio.
//   bench_tracking_rest WORKDIR [CALLS [PEER_PORT]]
// Prints `bench NAME VALUE UNIT` lines.
#include "core/store/database.h"
#include "core/tracking/tracking_server.h"
#include "tests/auto/http/http_test_client.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace orrery;
using orrery::testing::HttpReply;
using orrery::testing::HttpTestClient;

namespace {

[[noreturn]] void die(const QString &what)
{
    std::fprintf(stderr, "bench_tracking_rest: %s\n", qPrintable(what));
    std::exit(2);
}

// The body RestStore.log_batch sends (message_to_json: indent=2), 1,000 metrics of 10 keys.
QByteArray logBatchBody(const QString &runId, int call)
{
    QByteArray b = "{\n  \"run_id\": \"" + runId.toUtf8() + "\",\n  \"metrics\": [\n";
    for (int i = 0; i < 1000; ++i) {
        const int step = call * 100 + i / 10;
        b += "    {\n      \"key\": \"layer" + QByteArray::number(i % 10) + "/grad_norm\",\n      \"value\": "
            + QByteArray::number(0.5 + 0.001 * i + 1e-7 * call, 'g', 17) + ",\n      \"timestamp\": "
            + QByteArray::number(1700000000000LL + step) + ",\n      \"step\": " + QByteArray::number(step) + "\n    }";
        b += i + 1 < 1000 ? ",\n" : "\n";
    }
    b += "  ]\n}";
    return b;
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v[size_t(p * double(v.size() - 1))];
}

QString createRun(HttpTestClient &client, const char *server)
{
    const HttpReply created = client.post("/api/2.0/mlflow/runs/create", R"({"experiment_id": "0", "run_name": "bench"})");
    const QString runId = created.json().value(QStringLiteral("run")).toObject().value(QStringLiteral("info")).toObject()
                              .value(QStringLiteral("run_id")).toString();
    if (runId.isEmpty())
        die(QStringLiteral("runs/create on %1 failed: %2").arg(QLatin1String(server), QString::fromUtf8(created.body)));
    return runId;
}

// Round trips of `calls` log-batch requests after `warmup` unmeasured ones, in milliseconds.
std::vector<double> logBatchRoundTrips(HttpTestClient &client, const QString &runId, int warmup, int calls)
{
    std::vector<QByteArray> bodies;
    bodies.reserve(size_t(warmup + calls));
    for (int i = 0; i < warmup + calls; ++i)
        bodies.push_back(logBatchBody(runId, i));
    std::vector<double> ms;
    QElapsedTimer t;
    for (int i = 0; i < warmup + calls; ++i) {
        t.start();
        const HttpReply r = client.post("/api/2.0/mlflow/runs/log-batch", bodies[size_t(i)]);
        const double elapsed = double(t.nsecsElapsed()) / 1e6;
        if (r.status != 200)
            die(QStringLiteral("log-batch answered %1: %2").arg(r.status).arg(QString::fromUtf8(r.body.left(300))));
        if (i >= warmup) // the first calls warm caches and the writer's tails
            ms.push_back(elapsed);
    }
    return ms;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2)
        die(QStringLiteral("usage: bench_tracking_rest WORKDIR [CALLS [PEER_PORT]]"));
    const QString dir = QString::fromLocal8Bit(argv[1]);
    const int calls = argc > 2 ? std::atoi(argv[2]) : 300;
    QDir(dir).removeRecursively();
    QDir().mkpath(dir + QStringLiteral("/.orrery"));
    const QString dbPath = dir + QStringLiteral("/.orrery/orrery.db");
    store::OpenOptions create;
    create.create = true;
    if (!store::Database::open(dbPath, create))
        die(QStringLiteral("cannot create %1").arg(dbPath));
    auto server = tracking::TrackingServer::start(dbPath, dir);
    if (!server)
        die(server.status().message());
    HttpTestClient client((*server)->port());

    const QString runId = createRun(client, "Orrery");
    const std::vector<double> ms = logBatchRoundTrips(client, runId, 20, calls);
    const double median = percentile(ms, 0.5);
    std::printf("bench rest_log_batch_1000_roundtrip %.3f ms\n", median);
    std::printf("bench rest_log_batch_1000_roundtrip_p90 %.3f ms\n", percentile(ms, 0.9));
    std::printf("bench rest_log_batch_body %.1f KB\n", double(logBatchBody(runId, 0).size()) / 1024.0);
    std::printf("bench rest_ingest_points_per_s %.0f points/s\n", 1000.0 / (median / 1000.0));
    std::fflush(stdout);

    QElapsedTimer t;
    // One metric at a time, as mlflow.log_metric does.
    std::vector<double> single;
    for (int i = 0; i < 500; ++i) {
        const QByteArray body = "{\"run_uuid\": \"" + runId.toUtf8() + "\", \"run_id\": \"" + runId.toUtf8()
            + "\", \"key\": \"loss\", \"value\": 0.5, \"timestamp\": 1700000000000, \"step\": " + QByteArray::number(i) + "}";
        t.start();
        if (client.post("/api/2.0/mlflow/runs/log-metric", body).status != 200)
            die(QStringLiteral("log-metric failed"));
        single.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("bench rest_log_metric_roundtrip %.3f ms\n", percentile(single, 0.5));

    // runs/get with nothing left to flush: the read path alone.
    client.get("/api/2.0/mlflow/runs/get?run_id=" + runId.toUtf8());
    std::vector<double> reads;
    for (int i = 0; i < 200; ++i) {
        t.start();
        if (client.get("/api/2.0/mlflow/runs/get?run_id=" + runId.toUtf8()).status != 200)
            die(QStringLiteral("runs/get failed"));
        reads.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("bench rest_get_run_roundtrip %.3f ms\n", percentile(reads, 0.5));

    const Status stopped = (*server)->stop();
    if (!stopped)
        die(stopped.message());

    if (argc > 3) { // MLflow's own server, the same bodies from the same client
        HttpTestClient peer(quint16(std::atoi(argv[3])), std::chrono::seconds(120));
        const QString peerRun = createRun(peer, "MLflow");
        const std::vector<double> peerMs = logBatchRoundTrips(peer, peerRun, 3, std::max(10, calls / 10));
        const double peerMedian = percentile(peerMs, 0.5);
        std::printf("bench rest_log_batch_1000_roundtrip_mlflow %.3f ms\n", peerMedian);
        std::printf("bench rest_log_batch_1000_vs_mlflow %.1f x\n", peerMedian / median);
    }
    return 0;
}
