// orrery-serve: the LibTorch half of `orrery-cli serve` — one TorchScript model behind the Open
// Inference Protocol v2 (core/serve). orrery-cli resolves a registered model to its md5-verified
// cached file and execs this program beside it (like orrery-train), so LibTorch stays out of
// orrery-cli and a crash inside a model takes only this process down.
//
//   orrery-serve --model FILE --endpoint E [--version V] [--port P] [--host H] [--token-file F]
//                [--max-batch N] [--max-delay-ms D] [--threads T] [--max-body-bytes B]
//   orrery-serve --workspace ROOT [the same options but --model, --endpoint, --version]
//
// Starts listening first (live: /v2/health/live answers), loads the model, then is ready. Prints
// "listening on URL" and "ready: …" on stdout. With --workspace it serves the workspace's
// endpoints as their deployments say and runs their rollouts (core/deploy's RolloutController:
// desired state polled every 50 ms, the server recorded in the database). SIGTERM or SIGINT:
// new infer requests are refused (503), the queued ones answered (up to 10 s), then it stops;
// exit 0.
// Exit status: 0 stopped on a signal; 2 bad arguments, a model that does not load, a port in use.

#include "core/common/clock.h"
#include "core/http/bearer_token_file.h"
#include "core/deploy/rollout_controller.h"
#include "core/http/http_server.h"
#include "core/deploy/deployment.h"
#include "core/monitor/alert_engine.h"
#include "core/monitor/feedback_store.h"
#include "core/monitor/live_monitor.h"
#include "core/monitor/prediction_log.h"
#include "core/registry/webhook_retrier.h"
#include "core/serve/inference_service.h"
#include "core/serve/script_inference_model.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QScopeGuard>

#include <csignal>
#include <cstdio>
#include <pthread.h>

using namespace orrery;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "orrery-cli serve: %s\n", qPrintable(message));
    return 2;
}

void printStopped(int signal, bool drained, const serve::InferenceStats &s)
{
    std::fprintf(stderr, "stopped (%s)%s: %llu predictions in %llu batches (largest %d rows), %llu refused\n", signal == SIGTERM ? "SIGTERM" : "SIGINT",
                 drained ? "" : " before every queued request was answered", static_cast<unsigned long long>(s.requests),
                 static_cast<unsigned long long>(s.batches), s.largestBatch, static_cast<unsigned long long>(s.rejected));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The compressed clock (core/common/clock.h) that `orrery-cli serve` hands on: checked first.
    if (const Status clock = common::checkClockEnvironment(); !clock)
        return fail(clock.message());
    if (common::ClockScale::system().compressed())
        std::fprintf(stderr, "orrery-serve: clock %s (ORRERY_CLOCK_SCALE): windows, alerts' for: and canary pauses are its time\n",
                     qPrintable(common::ClockScale::system().describe()));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("model"), QStringLiteral("the TorchScript file"), QStringLiteral("FILE")},
        {QStringLiteral("workspace"), QStringLiteral("serve the workspace's deployments instead"), QStringLiteral("ROOT")},
        {QStringLiteral("sample-inputs"), QStringLiteral("with --workspace: the share of requests whose inputs the prediction log keeps"), QStringLiteral("R"), QStringLiteral("0.1")},
        {QStringLiteral("no-prediction-log"), QStringLiteral("with --workspace: log no predictions")},
        {QStringLiteral("monitor-window"), QStringLiteral("with --workspace: the live drift windows' length (e.g. 60s, 10s), clock time (ORRERY_CLOCK_SCALE)"), QStringLiteral("D"), QStringLiteral("60s")},
        {QStringLiteral("no-monitor"), QStringLiteral("with --workspace: no live drift windows")},
        {QStringLiteral("endpoint"), QStringLiteral("the endpoint's name (/v2/models/E)"), QStringLiteral("E")},
        {QStringLiteral("version"), QStringLiteral("the model version it serves"), QStringLiteral("V"), QStringLiteral("1")},
        {QStringLiteral("port"), QStringLiteral("TCP port (0: any free one)"), QStringLiteral("P"), QStringLiteral("8080")},
        {QStringLiteral("host"), QStringLiteral("address to bind"), QStringLiteral("H"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("token-file"), QStringLiteral("bearer token file"), QStringLiteral("F")},
        {QStringLiteral("max-batch"), QStringLiteral("rows per model call and per request"), QStringLiteral("N"), QStringLiteral("64")},
        {QStringLiteral("max-delay-ms"), QStringLiteral("how long a request waits for others to batch with"), QStringLiteral("D"), QStringLiteral("0")},
        {QStringLiteral("threads"), QStringLiteral("inference threads"), QStringLiteral("T"), QStringLiteral("1")},
        {QStringLiteral("io-threads"), QStringLiteral("HTTP I/O threads"), QStringLiteral("N"), QStringLiteral("1")},
        {QStringLiteral("max-body-bytes"), QStringLiteral("largest infer request body"), QStringLiteral("B"), QStringLiteral("16777216")},
    });
    if (!parser.parse(app.arguments()))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(parser.helpText()));
        return 0;
    }
    auto number = [&](const QString &name, qint64 low, qint64 high, qint64 *out) {
        bool ok = false;
        *out = parser.value(name).toLongLong(&ok);
        return ok && *out >= low && *out <= high;
    };
    serve::ServeOptions options;
    options.endpoint = parser.value(QStringLiteral("endpoint"));
    qint64 port, maxBatch, maxDelay, threads, ioThreads, maxBody;
    if (!number(QStringLiteral("port"), 0, 65535, &port))
        return fail(QStringLiteral("--port needs a number from 0 to 65535"));
    if (!number(QStringLiteral("max-batch"), 1, 1 << 20, &maxBatch))
        return fail(QStringLiteral("--max-batch needs a number of rows from 1 to 1048576"));
    if (!number(QStringLiteral("max-delay-ms"), 0, 10'000, &maxDelay))
        return fail(QStringLiteral("--max-delay-ms needs milliseconds from 0 to 10000"));
    if (!number(QStringLiteral("threads"), 1, 256, &threads) || !number(QStringLiteral("io-threads"), 1, 256, &ioThreads))
        return fail(QStringLiteral("--threads and --io-threads need a number from 1 to 256"));
    if (!number(QStringLiteral("max-body-bytes"), 1024, qint64(1) << 32, &maxBody))
        return fail(QStringLiteral("--max-body-bytes needs a number of bytes from 1024 to 4294967296"));
    options.maxBatch = int(maxBatch);
    options.maxDelayMs = int(maxDelay);
    options.threads = int(threads);
    options.maxBodyBytes = maxBody;
    const QString modelPath = parser.value(QStringLiteral("model"));
    const QString workspaceRoot = parser.value(QStringLiteral("workspace"));
    if (workspaceRoot.isEmpty() && (modelPath.isEmpty() || options.endpoint.isEmpty()))
        return fail(QStringLiteral("give --model FILE and --endpoint NAME, or --workspace ROOT (orrery-cli serve --help)"));
    if (options.endpoint.isEmpty())
        options.endpoint = QStringLiteral("model");

    http::HttpServerOptions httpOptions;
    httpOptions.host = parser.value(QStringLiteral("host"));
    httpOptions.port = quint16(port);
    httpOptions.threads = int(ioThreads);
    httpOptions.maxBodyBytes = maxBody;
    // Probes and scrapers reach these without the token (Kubernetes probes cannot send one).
    httpOptions.publicGetPaths = {QByteArrayLiteral("/v2/health/live"), QByteArrayLiteral("/v2/health/ready"), QByteArrayLiteral("/metrics")};
    if (parser.isSet(QStringLiteral("token-file"))) {
        auto token = http::readBearerTokenFile(parser.value(QStringLiteral("token-file")));
        if (!token)
            return fail(token.status().message());
        httpOptions.bearerToken = *token;
    }

    // SIGINT and SIGTERM are taken by sigwait() below: blocked before any thread starts.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    // Declared before the service, so it outlives the hook queue that feeds it and commits last.
    std::shared_ptr<monitor::PredictionLog> predictionLog;
    if (!workspaceRoot.isEmpty() && !parser.isSet(QStringLiteral("no-prediction-log"))) {
        bool ok = false;
        monitor::PredictionLogOptions logOptions;
        logOptions.inputRate = parser.value(QStringLiteral("sample-inputs")).toDouble(&ok);
        if (!ok || logOptions.inputRate < 0 || logOptions.inputRate > 1)
            return fail(QStringLiteral("--sample-inputs needs a share from 0 to 1"));
        auto log = monitor::PredictionLog::open(workspaceRoot + QStringLiteral("/.orrery/orrery.db"), logOptions);
        if (!log)
            return fail(log.status().withContext(QStringLiteral("the prediction log")).message());
        predictionLog = std::move(*log);
    }
    std::shared_ptr<monitor::FeedbackStore> feedback; // POST …/feedback: labels matched to the log
    if (predictionLog) {
        auto store = monitor::FeedbackStore::open(workspaceRoot + QStringLiteral("/.orrery/orrery.db"), predictionLog);
        if (!store)
            return fail(store.status().withContext(QStringLiteral("the feedback store")).message());
        feedback = std::move(*store);
    }
    serve::InferenceService service(options);
    // The live drift windows see every record first and hand it on to the prediction log.
    std::shared_ptr<monitor::LiveMonitor> liveMonitor;
    if (!workspaceRoot.isEmpty() && !parser.isSet(QStringLiteral("no-monitor"))) {
        monitor::LiveMonitorOptions monitorOptions;
        const auto windowMs = deploy::parseDurationMs(parser.value(QStringLiteral("monitor-window")));
        if (!windowMs || *windowMs < 1000)
            return fail(QStringLiteral("--monitor-window needs a duration of at least 1s (e.g. 60s, 10s)"));
        monitorOptions.windowMs = *windowMs;
        auto live = monitor::LiveMonitor::open(workspaceRoot + QStringLiteral("/.orrery/orrery.db"), monitorOptions, predictionLog,
                                               [&service](const QString &endpoint) { return service.endpointMetrics(endpoint); });
        if (!live)
            return fail(live.status().withContext(QStringLiteral("the live monitor")).message());
        liveMonitor = std::move(*live);
        service.setHook(liveMonitor);
        service.addMetricsSource(liveMonitor);
    } else if (predictionLog) {
        service.setHook(predictionLog);
    }
    if (feedback) {
        feedback->setBeforeMatching(service.hookFlusher());
        service.setFeedbackSink(feedback);
    }
    std::unique_ptr<deploy::RolloutController> controller;
    if (!workspaceRoot.isEmpty()) {
        auto load = [](const QString &path) -> Result<std::shared_ptr<const serve::InferenceModel>> {
            ORRERY_ASSIGN_OR_RETURN(auto model, serve::ScriptInferenceModel::load(path));
            ORRERY_TRY(serve::warmUp(*model));
            return std::shared_ptr<const serve::InferenceModel>(std::move(model));
        };
        controller = std::make_unique<deploy::RolloutController>(workspaceRoot + QStringLiteral("/.orrery/orrery.db"), workspaceRoot + QStringLiteral("/.orrery/cache"),
                                                                 service, load, deploy::RolloutController::Options{});
        service.addMetricsSource(controller->metricsSource());
    }
    // Alert rules (core/monitor/alert_engine.h): the workspace's alerts.yaml (or the defaults)
    // evaluated on the engine's own thread against this server's /metrics, whose orrery_alerts
    // series it adds. The guard stops it before the service it reads is destroyed.
    std::shared_ptr<monitor::AlertEngine> alerts;
    const auto stopAlerts = qScopeGuard([&alerts] {
        if (alerts)
            alerts->stop();
    });
    if (controller) {
        monitor::AlertEngineOptions alertOptions;
        alertOptions.databasePath = workspaceRoot + QStringLiteral("/.orrery/orrery.db");
        alertOptions.rulesPath = workspaceRoot + QStringLiteral("/alerts.yaml");
        alerts = std::make_shared<monitor::AlertEngine>(alertOptions, [&service] { return service.metricsText(); });
        service.addMetricsSource(alerts);
        alerts->start();
    }
    http::HttpServer server(service, httpOptions);
    if (const Status s = server.start(); !s)
        return fail(s.message());
    std::printf("listening on %s\n", qPrintable(server.url()));
    std::fflush(stdout);

    if (controller) {
        if (const Status s = controller->start(httpOptions.host, server.port()); !s)
            return fail(s.message());
        std::printf("ready: the deployments of %s (revision %lld) at %s/v2/models/ENDPOINT/infer\n", qPrintable(workspaceRoot),
                    static_cast<long long>(controller->appliedRevision()), qPrintable(server.url()));
        std::fflush(stdout);
        // The rollouts' changes queue deployment.changed webhooks; this long-running process
        // retries them while it holds the workspace's delivery lease (as tracking serve does).
        auto webhookRetrier = registry::WebhookRetrierThread::start(workspaceRoot + QStringLiteral("/.orrery/orrery.db"));
        int signal = 0;
        sigwait(&stopSignals, &signal);
        webhookRetrier->stop();
        controller->stop(); // no routing change while draining; the server's record goes
        const bool drained = service.drain(10'000);
        server.stop();
        if (liveMonitor)
            liveMonitor->stop(); // the window in progress is written
        printStopped(signal, drained, service.stats());
        return 0;
    }

    auto model = serve::ScriptInferenceModel::load(modelPath);
    if (!model)
        return fail(model.status().message());
    if (const Status warm = serve::warmUp(**model); !warm)
        return fail(warm.message());
    const QString version = parser.value(QStringLiteral("version"));
    service.setModel(std::shared_ptr<const serve::InferenceModel>(std::move(*model)), version);
    std::printf("ready: %s v%s at %s/v2/models/%s/infer (max batch %d, max delay %d ms, %d inference threads)\n", qPrintable(options.endpoint),
                qPrintable(version), qPrintable(server.url()), qPrintable(options.endpoint), options.maxBatch, options.maxDelayMs, options.threads);
    std::fflush(stdout);

    int signal = 0;
    sigwait(&stopSignals, &signal);
    const bool drained = service.drain(10'000);
    server.stop();
    printStopped(signal, drained, service.stats());
    return 0;
}
