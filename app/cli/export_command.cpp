// orrery-cli export k8s|argo|kserve|terraform|containerfile ENDPOINT [--port P] [--image I] [--out DIR]
// orrery-cli export k8s|argo|kserve|terraform|containerfile ENDPOINT --model NAME (--version V | --alias A)
//                  [--strategy direct|blue-green|canary|shadow] [--steps 5,25,50,100] [--pause 60s]
//                  [--analysis RULES] [--stable-version V] [--port P] [--image I] [--replicas N]
//                  [--min-requests N] [--prometheus URL] [--out DIR] [--json]
//
// Infrastructure as code for one deployment (core/deploy/manifest_export.h). The registered
// version is resolved to its md5-verified cached file as predict and serve resolve it
// (resolveRegisteredModel); the manifests are printed, or written into --out atomically (each
// file whole or not at all), the model file copied there for the Containerfile with its md5
// checked again on the copy.
//
// Without --model the spec is the endpoint's recorded deployment (specFromDeployment); with it,
// the command line's (exportSpecFromOptions).
//
// orrery-cli export prometheus-rules|grafana …: the monitoring formats share this parser and are
// handed to export_monitoring_command.cpp.

#include "app/cli/export_monitoring_command.h"
#include "app/cli/models_command.h"

#include "core/common/atomic_file.h"
#include "core/deploy/deployment_store.h"
#include "core/deploy/manifest_export.h"
#include "core/registry/model_file.h"
#include "core/workspace/workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <cstdio>

namespace orrery::cli {

namespace {

const QList<int> kDefaultCanarySteps{5, 25, 50, 100};

Result<int> parseWhole(const QString &text, const QString &option, int lowest, int highest)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < lowest || value > highest)
        return invalidArgument(QStringLiteral("%1 '%2': give a whole number from %3 to %4").arg(option, text, QString::number(lowest), QString::number(highest)));
    return value;
}

// What is about where and how the pods run rather than the model: --port, --replicas, --image,
// --prometheus (both ways of building a spec take them).
Status applyPlacementOptions(const CommandParser &p, deploy::ExportSpec &spec)
{
    ORRERY_ASSIGN_OR_RETURN(spec.port, parseWhole(p.value(QStringLiteral("port")), QStringLiteral("--port"), 1, 65535));
    ORRERY_ASSIGN_OR_RETURN(spec.replicas, parseWhole(p.value(QStringLiteral("replicas")), QStringLiteral("--replicas"), 1, 1000));
    spec.image = p.value(QStringLiteral("image"));
    if (p.isSet(QStringLiteral("prometheus")))
        spec.prometheusAddress = p.value(QStringLiteral("prometheus"));
    return Status();
}

// The ExportSpec of the endpoint's recorded deployment (`deploy start`): the version being rolled
// out (or the one serving) with the strategy, steps, pause and analysis it was started with; the
// options that are not about the model (--port, --image, --replicas, --prometheus) still apply.
Result<deploy::ExportSpec> specFromDeployment(const Context &context, const CommandParser &p, const QString &endpoint)
{
    for (const char *option : {"version", "alias", "stable-version", "strategy", "steps", "pause", "analysis"})
        if (p.isSet(QLatin1String(option)))
            return invalidArgument(QStringLiteral("--%1 needs --model: without it the export takes endpoint '%2' as `deploy` recorded it").arg(QLatin1String(option), endpoint));
    ORRERY_ASSIGN_OR_RETURN(auto ws, openWorkspace(context));
    auto recorded = deploy::DeploymentStore(ws->database(), ws->cacheDir()).get(endpoint);
    if (!recorded)
        return recorded.status().code() == ErrorCode::NotFound
                   ? invalidArgument(QStringLiteral("endpoint '%1' has no deployment here; give --model NAME with --version V or --alias A, or `orrery-cli deploy start` it first").arg(endpoint))
                   : recorded.status();
    const deploy::Deployment &d = *recorded;
    deploy::ExportSpec spec;
    spec.endpoint = endpoint;
    spec.model = d.model;
    spec.version = d.rollingOut() ? d.candidateVersion : d.stableVersion;
    spec.stableVersion = d.rollingOut() ? d.stableVersion : 0;
    spec.strategy = d.rollingOut() ? deploy::strategyName(d.strategy) : QStringLiteral("direct");
    spec.canarySteps = d.strategy == deploy::Strategy::Canary ? d.steps : QList<int>{};
    spec.pauseSeconds = int((d.pauseMs + 999) / 1000);
    spec.analysisRules = d.analysis;
    spec.minRequests = d.minRequests;
    registry::ModelRegistry registry(ws->database());
    ORRERY_ASSIGN_OR_RETURN(const registry::ModelVersion version, registry.version(spec.model, spec.version));
    ORRERY_ASSIGN_OR_RETURN(spec.modelFile, registry::verifiedModelPath(ws->cacheDir(), version));
    spec.modelMd5 = version.modelMd5;
    ORRERY_TRY(applyPlacementOptions(p, spec));
    return spec;
}

// The ExportSpec of the command line: the registered version resolved to its verified file, the
// version it replaces (--stable-version, else the champion when that is another version), and
// the strategy's defaults (canary when a version is replaced, as `deploy start` does).
Result<deploy::ExportSpec> exportSpecFromOptions(const Context &context, const CommandParser &p, const QString &endpoint)
{
    deploy::ExportSpec spec;
    spec.endpoint = endpoint;
    spec.model = p.value(QStringLiteral("model"));
    if (spec.model.isEmpty())
        return specFromDeployment(context, p, endpoint);
    const bool byVersion = p.isSet(QStringLiteral("version"));
    const bool byAlias = p.isSet(QStringLiteral("alias"));
    if (byVersion == byAlias)
        return invalidArgument(QStringLiteral("give one of --version V and --alias A for model '%1'").arg(spec.model));
    ModelReference ref;
    ref.name = spec.model;
    QString text;
    if (byVersion) {
        ORRERY_ASSIGN_OR_RETURN(ref.version, parseVersionNumber(p.value(QStringLiteral("version")), QStringLiteral("--version")));
        text = QStringLiteral("%1/%2").arg(spec.model, QString::number(ref.version));
    } else {
        ref.alias = p.value(QStringLiteral("alias"));
        text = QStringLiteral("%1@%2").arg(spec.model, ref.alias);
    }
    ORRERY_ASSIGN_OR_RETURN(spec.modelFile, resolveRegisteredModel(context, ref, text, &spec.version));

    ORRERY_ASSIGN_OR_RETURN(auto ws, openWorkspace(context));
    registry::ModelRegistry registry((*ws).database());
    ORRERY_ASSIGN_OR_RETURN(const registry::ModelVersion version, registry.version(spec.model, spec.version));
    spec.modelMd5 = version.modelMd5;
    if (p.isSet(QStringLiteral("stable-version"))) {
        ORRERY_ASSIGN_OR_RETURN(spec.stableVersion, parseVersionNumber(p.value(QStringLiteral("stable-version")), QStringLiteral("--stable-version")));
        ORRERY_TRY(registry.version(spec.model, spec.stableVersion).status().withContext(QStringLiteral("--stable-version")));
    } else if (auto champion = registry.versionByAlias(spec.model, QStringLiteral("champion")); champion && champion->version != spec.version) {
        spec.stableVersion = champion->version;
    }

    spec.strategy = p.isSet(QStringLiteral("strategy")) ? p.value(QStringLiteral("strategy"))
                    : spec.stableVersion > 0            ? QStringLiteral("canary")
                                                        : QStringLiteral("direct");
    if (p.isSet(QStringLiteral("steps"))) {
        auto steps = deploy::parseSteps(p.value(QStringLiteral("steps")));
        if (!steps)
            return steps.status().withContext(QStringLiteral("--steps"));
        spec.canarySteps = *steps;
    } else if (spec.strategy == QLatin1String("canary")) {
        spec.canarySteps = kDefaultCanarySteps;
    }
    if (p.isSet(QStringLiteral("pause"))) {
        auto ms = deploy::parseDurationMs(p.value(QStringLiteral("pause")));
        if (!ms)
            return ms.status().withContext(QStringLiteral("--pause"));
        spec.pauseSeconds = int((*ms + 999) / 1000);
    }
    spec.analysisRules = p.value(QStringLiteral("analysis"));
    ORRERY_ASSIGN_OR_RETURN(spec.minRequests, parseWhole(p.value(QStringLiteral("min-requests")), QStringLiteral("--min-requests"), 1, 100000000));
    ORRERY_TRY(applyPlacementOptions(p, spec));
    return spec;
}

// Copies `from` to `to` atomically, hashing what it copies: a file that changed since it was
// verified is not left behind as the image's model.
Status copyChecked(const QString &from, const QString &to, const QString &md5)
{
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(from, in.errorString()));
    common::AtomicFile target(to);
    ORRERY_TRY(target.open());
    QCryptographicHash hash(QCryptographicHash::Md5);
    QByteArray block;
    while (!(block = in.read(1 << 20)).isEmpty()) {
        hash.addData(block);
        ORRERY_TRY(target.write(block));
    }
    if (in.error() != QFileDevice::NoError)
        return ioError(QStringLiteral("cannot read %1: %2").arg(from, in.errorString()));
    if (!md5.isEmpty() && QString::fromLatin1(hash.result().toHex()) != md5)
        return Status(ErrorCode::Corrupt, QStringLiteral("%1 changed while it was copied (md5 %2, the registry says %3); export again")
                                              .arg(from, QString::fromLatin1(hash.result().toHex()), md5));
    return target.commit();
}

Status writeFiles(const QString &dir, const QVector<deploy::ExportedFile> &files)
{
    for (const deploy::ExportedFile &f : files) {
        const QString path = QDir(dir).filePath(f.name);
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            return ioError(QStringLiteral("cannot create the folder %1; check --out").arg(QFileInfo(path).absolutePath()));
        const Status s = f.copyFrom.isEmpty() ? common::writeFileAtomically(path, f.content) : copyChecked(f.copyFrom, path, f.copyMd5);
        if (!s)
            return s.withContext(QStringLiteral("writing %1").arg(path));
    }
    return Status::ok();
}

} // namespace

int runExport(const Context &context)
{
    CommandParser p(context, QStringLiteral("export"),
                    QStringLiteral("Export a deployment of a registered model version as infrastructure as code:\n"
                                   "  k8s            Kubernetes Deployment and Service (YAML)\n"
                                   "  argo           Argo Rollouts Rollout with the canary steps (or blue-green), Services,\n"
                                   "                 and an AnalysisTemplate querying Orrery's Prometheus metrics\n"
                                   "  kserve         KServe InferenceService (canaryTrafficPercent for a canary)\n"
                                   "  terraform      the k8s objects for Terraform's kubernetes provider (ENDPOINT.tf.json)\n"
                                   "  containerfile  the image the manifests name: Orrery on debian:12 with the model copied in\n"
                                   "Without --model: the endpoint as `orrery-cli deploy` recorded it (its rollout's version,\n"
                                   "strategy, steps, pause and analysis); with --model: the version and options given.\n"
                                   "The pods read their bearer token from the Secret ENDPOINT-token, which you create.\n"
                                   "Without --out the manifest is printed; with --out DIR its files are written there.\n"
                                   "\n"
                                   "Or the monitoring of every endpoint, for a Prometheus that scrapes the server's /metrics:\n"
                                   "  prometheus-rules  the workspace's alerts.yaml (or the default rules) as Prometheus alerting\n"
                                   "                    rules, with recording rules; with --out, a `promtool test rules` file beside\n"
                                   "                    it (FILE.test.yml, or --test FILE)\n"
                                   "  grafana           a Grafana dashboard (JSON) with the Monitoring area's panels\n"
                                   "  export prometheus-rules [--out FILE|DIR] [--test FILE]\n"
                                   "  export grafana [--out FILE|DIR] [--datasource UID]"));
    p.addJsonOption();
    p.parser().addPositionalArgument(QStringLiteral("format"), QStringLiteral("k8s, argo, kserve, terraform, containerfile; prometheus-rules, grafana"));
    p.parser().addPositionalArgument(QStringLiteral("endpoint"), QStringLiteral("The endpoint: the Kubernetes objects' name (lowercase letters, digits, '-');\nnone for prometheus-rules and grafana."));
    p.parser().addOptions({
        {QStringLiteral("model"), QStringLiteral("The registered model (default: the endpoint's recorded deployment)."), QStringLiteral("NAME")},
        {QStringLiteral("version"), QStringLiteral("Its version to deploy."), QStringLiteral("V")},
        {QStringLiteral("alias"), QStringLiteral("Or the alias naming it (champion, challenger, …)."), QStringLiteral("A")},
        {QStringLiteral("strategy"), QStringLiteral("direct, blue-green, canary or shadow (default: canary when the champion is another\nversion, else direct)."), QStringLiteral("S")},
        {QStringLiteral("steps"), QStringLiteral("Canary weights in percent (default 5,25,50,100)."), QStringLiteral("W,W,…")},
        {QStringLiteral("pause"), QStringLiteral("Pause after each canary step before its analysis (default 60s; s, m, h)."), QStringLiteral("D")},
        {QStringLiteral("analysis"), QStringLiteral("Analysis rules, e.g. 'error_rate <= stable + 0.01, p99_ms <= 1.2 * stable'."), QStringLiteral("RULES")},
        {QStringLiteral("stable-version"), QStringLiteral("The version being replaced (default: the champion, when it is another version)."), QStringLiteral("V")},
        {QStringLiteral("port"), QStringLiteral("The port the server listens on in the pod (default 8080)."), QStringLiteral("P"), QStringLiteral("8080")},
        {QStringLiteral("image"), QStringLiteral("The image the manifests name (default orrery-ENDPOINT:vVERSION)."), QStringLiteral("I")},
        {QStringLiteral("replicas"), QStringLiteral("Pods (default 1)."), QStringLiteral("N"), QStringLiteral("1")},
        {QStringLiteral("min-requests"), QStringLiteral("Requests of each version the analysis waits for (default 200)."), QStringLiteral("N"), QStringLiteral("200")},
        {QStringLiteral("prometheus"), QStringLiteral("The Prometheus the AnalysisTemplate queries (default http://prometheus.monitoring.svc:9090)."), QStringLiteral("URL")},
        {QStringLiteral("out"), QStringLiteral("Write the files into this folder instead of printing them (prometheus-rules,\ngrafana: a file, or a folder)."), QStringLiteral("DIR")},
        {QStringLiteral("test"), QStringLiteral("prometheus-rules: write promtool's test file here (default: beside the rule file)."), QStringLiteral("FILE")},
        {QStringLiteral("datasource"), QStringLiteral("grafana: the uid of the Prometheus datasource every panel queries (default: a\ndatasource variable on the dashboard)."), QStringLiteral("UID")},
    });
    int code = 0;
    if (!p.parse(&code))
        return code;
    const QStringList args = p.positional();
    if (!args.isEmpty() && isMonitoringExportFormat(args[0]))
        return runMonitoringExport(context, p);
    if (p.isSet(QStringLiteral("test")))
        return p.usageError(QStringLiteral("--test is for `export prometheus-rules` (promtool's test file)"));
    if (p.isSet(QStringLiteral("datasource")))
        return p.usageError(QStringLiteral("--datasource is for `export grafana`"));
    if (args.size() != 2)
        return p.usageError(QStringLiteral("expected `export FORMAT ENDPOINT --model NAME (--version V | --alias A)`; FORMAT is one of %1")
                                .arg(deploy::exportFormatNames().join(QStringLiteral(", "))));
    const auto format = deploy::parseExportFormat(args[0]);
    if (!format)
        return p.usageError(format.status().message());
    if (const Status s = deploy::validateEndpointName(args[1]); !s)
        return fail(QStringLiteral("export: %1").arg(s.message()));
    auto spec = exportSpecFromOptions(context, p, args[1]);
    if (!spec)
        return fail(QStringLiteral("export: %1").arg(spec.status().message()));
    auto files = deploy::exportManifests(*format, *spec);
    if (!files)
        return fail(QStringLiteral("export: %1").arg(files.status().message()));

    const QString outDir = p.value(QStringLiteral("out"));
    if (!outDir.isEmpty()) {
        if (const Status s = writeFiles(outDir, *files); !s)
            return fail(QStringLiteral("export: %1").arg(s.message()));
    }
    QJsonArray written;
    for (const deploy::ExportedFile &f : *files) {
        if (!outDir.isEmpty()) {
            written.append(QJsonObject{{QStringLiteral("name"), f.name}, {QStringLiteral("path"), QDir(outDir).filePath(f.name)}});
            if (!p.json())
                out(QStringLiteral("wrote %1").arg(QDir(outDir).filePath(f.name)));
        } else if (!f.copyFrom.isEmpty()) {
            std::fprintf(stderr, "orrery-cli export: %s is not printed; give --out DIR to have it copied there as %s\n",
                         qPrintable(f.copyFrom), qPrintable(f.name));
        } else if (p.json()) {
            written.append(QJsonObject{{QStringLiteral("name"), f.name}, {QStringLiteral("content"), QString::fromUtf8(f.content)}});
        } else {
            std::fputs(f.content.constData(), stdout);
        }
    }
    if (p.json())
        printJson(QJsonObject{{QStringLiteral("format"), deploy::exportFormatName(*format)},
                              {QStringLiteral("endpoint"), spec->endpoint},
                              {QStringLiteral("model"), spec->model},
                              {QStringLiteral("version"), spec->version},
                              {QStringLiteral("stable_version"), spec->stableVersion},
                              {QStringLiteral("strategy"), spec->strategy},
                              {QStringLiteral("files"), written}});
    return ExitOk;
}

} // namespace orrery::cli
