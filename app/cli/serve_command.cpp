// orrery-cli serve [--port P] [--host H] [--token-file F] [--max-batch N] [--max-delay-ms D] …
// orrery-cli serve --model FILE|models:/NAME@ALIAS|models:/NAME/VERSION|NAME@ALIAS|NAME/VERSION
//                  --endpoint E [the same options]
//
// Without --model it serves the workspace's endpoints as `deploy …` set them and runs their
// rollouts (orrery-serve --workspace: core/deploy's RolloutController); with --model, one model
// with no workspace database and no rollouts (what a container runs).
//
// Serves one model over the Open Inference Protocol v2 (core/serve). Like train and predict, the
// LibTorch work runs in a sibling executable, orrery-serve, which this command execs: a
// registered model is first resolved here to its md5-verified cached file (as predict does), and
// its version number is what the endpoint reports; a file is version 1. Binds 127.0.0.1 unless
// --host says otherwise, and then needs --token-file (core/http's rule). SIGTERM drains it.

#include "app/cli/models_command.h"
#include "core/workspace/workspace.h"

#include <QFileInfo>

namespace orrery::cli {

int runServeModel(const Context &context)
{
    CommandParser p(context, QStringLiteral("serve"),
                    QStringLiteral("Serve the workspace's endpoints as `deploy` set them, running their rollouts (no --model),\n"
                                   "or one TorchScript model (--model, --endpoint), over the Open Inference Protocol v2 (REST):\n"
                                   "/v2/health/live, /v2/health/ready, /v2, /v2/models/E[/versions/V][/ready], POST .../infer.\n"
                                   "Requests are batched dynamically (--max-batch rows, --max-delay-ms). SIGTERM drains it."));
    p.parser().addOptions({
        {QStringLiteral("model"), QStringLiteral("A TorchScript file, or a registered version: NAME@ALIAS, NAME/VERSION, models:/NAME@ALIAS, models:/NAME/VERSION."), QStringLiteral("MODEL")},
        {QStringLiteral("endpoint"), QStringLiteral("The endpoint's name: /v2/models/E/infer."), QStringLiteral("E")},
        {QStringLiteral("version"), QStringLiteral("With a model file: the version it reports (default 1; a registered version reports its own)."), QStringLiteral("V")},
        {QStringLiteral("port"), QStringLiteral("TCP port (default 8080; 0 picks a free one)."), QStringLiteral("P"), QStringLiteral("8080")},
        {QStringLiteral("host"), QStringLiteral("Address to bind (default 127.0.0.1; any other address needs --token-file)."), QStringLiteral("H"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("token-file"), QStringLiteral("A file whose first line is the token every request must carry as 'Authorization: Bearer <token>'."), QStringLiteral("F")},
        {QStringLiteral("max-batch"), QStringLiteral("Most rows per model call, and per request (default 64)."), QStringLiteral("N"), QStringLiteral("64")},
        {QStringLiteral("max-delay-ms"), QStringLiteral("How long a request waits for others to share its batch (default 0: a free\ninference thread takes what is queued at once; under load the requests that arrive\nwhile a batch runs form the next one)."), QStringLiteral("D"), QStringLiteral("0")},
        {QStringLiteral("threads"), QStringLiteral("Inference threads (default 1)."), QStringLiteral("T"), QStringLiteral("1")},
        {QStringLiteral("sample-inputs"), QStringLiteral("Without --model: the share of requests whose inputs the prediction log keeps (default 0.1;\nevery answer's outputs, version and latency are always logged)."), QStringLiteral("R")},
        {QStringLiteral("no-prediction-log"), QStringLiteral("Without --model: log no predictions.")},
        {QStringLiteral("monitor-window"), QStringLiteral("Without --model: the live drift windows' length (default 60s; e.g. 10s for a demo), in\n"
                                                          "the clock's time (ORRERY_CLOCK_SCALE=30 closes a 1m window every 2 real seconds)."), QStringLiteral("D")},
        {QStringLiteral("no-monitor"), QStringLiteral("Without --model: no live drift windows.")},
        {QStringLiteral("max-body-bytes"), QStringLiteral("Largest infer request body (default 16 MB; larger: 413)."), QStringLiteral("B"), QStringLiteral("16777216")},
    });
    int code = 0;
    if (!p.parse(&code))
        return code;
    QString model = p.value(QStringLiteral("model"));
    const QString endpoint = p.value(QStringLiteral("endpoint"));
    QStringList forwarded;
    for (const char *option : {"port", "host", "token-file", "max-batch", "max-delay-ms", "threads", "max-body-bytes"})
        if (p.isSet(QLatin1String(option)))
            forwarded << QStringLiteral("--%1").arg(QLatin1String(option)) << p.value(QLatin1String(option));
    if (model.isEmpty() && endpoint.isEmpty()) {
        if (p.isSet(QStringLiteral("sample-inputs")))
            forwarded << QStringLiteral("--sample-inputs") << p.value(QStringLiteral("sample-inputs"));
        if (p.isSet(QStringLiteral("no-prediction-log")))
            forwarded << QStringLiteral("--no-prediction-log");
        if (p.isSet(QStringLiteral("monitor-window")))
            forwarded << QStringLiteral("--monitor-window") << p.value(QStringLiteral("monitor-window"));
        if (p.isSet(QStringLiteral("no-monitor")))
            forwarded << QStringLiteral("--no-monitor");
        auto ws = openWorkspace(context);
        if (!ws)
            return fail(ws.status().withContext(QStringLiteral("serve")));
        const QStringList args = QStringList{QStringLiteral("--workspace"), (*ws)->root()} + forwarded;
        ws->reset(); // the server opens its own connections
        return execSibling(QStringLiteral("serve"), QStringLiteral("orrery-serve"), args);
    }
    if (p.isSet(QStringLiteral("sample-inputs")) || p.isSet(QStringLiteral("no-prediction-log")) || p.isSet(QStringLiteral("monitor-window"))
        || p.isSet(QStringLiteral("no-monitor")))
        return p.usageError(QStringLiteral("--sample-inputs, --no-prediction-log, --monitor-window and --no-monitor are for the workspace's server (no --model): one model alone logs and monitors nothing"));
    if (model.isEmpty() || endpoint.isEmpty())
        return p.usageError(QStringLiteral("give --model FILE|NAME@ALIAS|NAME/VERSION and --endpoint NAME"));
    if (!registry::ModelRegistry::validateModelName(endpoint))
        return p.usageError(QStringLiteral("--endpoint '%1' is no usable name: use letters, digits, '.', '_' and '-'").arg(endpoint));
    int version = 1;
    if (p.isSet(QStringLiteral("version"))) {
        bool ok = false;
        version = p.value(QStringLiteral("version")).toInt(&ok);
        if (!ok || version < 1)
            return p.usageError(QStringLiteral("--version needs a version number (1 or more)"));
    }
    if (!QFileInfo::exists(model)) {
        if (p.isSet(QStringLiteral("version")))
            return p.usageError(QStringLiteral("--version is for a model file; a registered version (%1) reports its own").arg(model));
        const auto ref = parseModelReference(model);
        if (!ref)
            return fail(QStringLiteral("serve: '%1' is no file and names no registered model; give a file or NAME@ALIAS, NAME/VERSION").arg(model));
        auto path = resolveRegisteredModel(context, *ref, model, &version);
        if (!path)
            return fail(QStringLiteral("serve: %1").arg(path.status().message()));
        model = *path;
    } else if (!QFileInfo(model).isFile()) {
        return fail(QStringLiteral("serve: '%1' is a folder; give the TorchScript file").arg(model));
    }
    QStringList args{QStringLiteral("--model"), QFileInfo(model).absoluteFilePath(), QStringLiteral("--endpoint"), endpoint,
                     QStringLiteral("--version"), QString::number(version)};
    args += forwarded;
    return execSibling(QStringLiteral("serve"), QStringLiteral("orrery-serve"), args);
}

} // namespace orrery::cli
