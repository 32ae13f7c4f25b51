// orrery-cli tracking serve [--port P] [--host H] [--token-file F]: MLflow's Tracking REST API over
// the workspace, until SIGINT or SIGTERM. Several `tracking serve` may run on one workspace (SQLite
// WAL shares it). Off loopback it needs a token file (core/http's rule for every server).
#include "app/cli/cli.h"

#include "core/http/bearer_token_file.h"
#include "core/registry/mlflow_registry_api.h"
#include "core/tracking/tracking_server.h"
#include "core/registry/webhook_retrier.h"
#include "core/workspace/workspace.h"

#include <QFile>

#include <csignal>
#include <cstdio>
#include <pthread.h>

namespace orrery::cli {
namespace {

int runServe(const Context &context)
{
    CommandParser p(context, QStringLiteral("tracking serve"),
                    QStringLiteral("Serve MLflow's Tracking REST API 2.0 (and its artifact proxy) over the workspace, so that\n"
                                   "scripts run with MLFLOW_TRACKING_URI=<the printed URL> log into it. Stop with Ctrl-C."));
    p.parser().addOption({QStringLiteral("port"), QStringLiteral("The port (default 5000; 0 picks a free one)."), QStringLiteral("P"),
                          QStringLiteral("5000")});
    p.parser().addOption({QStringLiteral("host"), QStringLiteral("The address to listen on (default 127.0.0.1: this machine only;\n"
                                                                 "any other address needs --token-file)."),
                          QStringLiteral("H"), QStringLiteral("127.0.0.1")});
    p.parser().addOption({QStringLiteral("token-file"), QStringLiteral("A file whose first line is the token every request must carry as\n"
                                                                       "'Authorization: Bearer <token>' (MLflow's client: MLFLOW_TRACKING_TOKEN)."),
                          QStringLiteral("F")});
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("unexpected argument '%1'").arg(p.positional().first()));
    bool ok = false;
    const uint port = p.value(QStringLiteral("port")).toUInt(&ok);
    if (!ok || port > 65535)
        return p.usageError(QStringLiteral("--port takes a number from 0 to 65535, not '%1'").arg(p.value(QStringLiteral("port"))));

    QByteArray token;
    if (p.isSet(QStringLiteral("token-file"))) {
        auto read = http::readBearerTokenFile(p.value(QStringLiteral("token-file")));
        if (!read)
            return fail(read.status());
        token = *read;
    }

    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const QString root = (*ws)->root();
    const QString databasePath = (*ws)->databasePath();
    ws->reset(); // the server opens its own connections

    // SIGINT and SIGTERM are taken by sigwait() below, never by a handler: blocked here, before
    // any thread starts, so that every thread inherits the mask.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    http::HttpServerOptions options;
    options.host = p.value(QStringLiteral("host"));
    options.port = quint16(port);
    options.bearerToken = token;
    // MLflow's model-registry API (registered-models/*, model-versions/*) beside tracking.
    auto server = tracking::TrackingServer::start(databasePath, root, options, {registry::mlflowRegistryExtension()});
    if (!server)
        return fail(server.status().withContext(QStringLiteral("tracking serve")));

    std::printf("Serving MLflow's tracking API for the workspace %s\n", qPrintable(root));
    std::printf("  export MLFLOW_TRACKING_URI=%s\n", qPrintable((*server)->url()));
    if (!token.isEmpty())
        std::printf("  export MLFLOW_TRACKING_TOKEN=<the token in %s>\n", qPrintable(p.value(QStringLiteral("token-file"))));
    std::printf("Ctrl-C stops it.\n");
    std::fflush(stdout);
    // Retries webhook deliveries while this process holds the workspace's "webhooks" lease
    // (core/registry/webhook_retrier.h); started after the signal mask, so it inherits it.
    auto webhookRetrier = registry::WebhookRetrierThread::start(databasePath);

    int signal = 0;
    sigwait(&stopSignals, &signal);
    webhookRetrier->stop(); // ends its round (at most the delivery timeout) and gives the lease up
    const http::HttpServerStats stats = (*server)->stats();
    const Status stopped = (*server)->stop(); // stops serving, then flushes the metric writer
    if (!stopped)
        return fail(stopped.withContext(QStringLiteral("storing the last metric points")));
    std::fprintf(stderr, "stopped (%s): %llu requests on %llu connections\n", signal == SIGTERM ? "SIGTERM" : "SIGINT",
                 static_cast<unsigned long long>(stats.requests), static_cast<unsigned long long>(stats.connections));
    return ExitOk;
}

void printTrackingHelp()
{
    std::printf("Usage: orrery-cli tracking SUBCOMMAND [ARGS…]\n\nExperiment tracking services.\n\nSubcommands:\n"
                "  serve      MLflow-compatible tracking REST API (MLFLOW_TRACKING_URI=http://127.0.0.1:P)\n"
                "\nRun 'orrery-cli tracking serve --help' for its options.\n");
}

} // namespace

int runTracking(const Context &context)
{
    if (context.args.isEmpty() || context.args.first() == QLatin1String("--help") || context.args.first() == QLatin1String("-h")) {
        printTrackingHelp();
        return context.args.isEmpty() ? ExitError : ExitOk;
    }
    if (context.args.first() == QLatin1String("serve")) {
        Context sub = context;
        sub.args = context.args.mid(1);
        return runServe(sub);
    }
    std::fprintf(stderr, "orrery-cli tracking: unknown subcommand '%s'\nRun 'orrery-cli tracking --help' for the list.\n",
                 qPrintable(context.args.first()));
    return ExitError;
}

} // namespace orrery::cli
