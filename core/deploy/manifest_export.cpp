#include "core/deploy/manifest_export.h"

#include "core/deploy/manifest_export_analysis.h"
#include "core/deploy/manifest_export_formats.h"
#include "core/deploy/manifest_export_objects.h"

#include <QRegularExpression>

namespace orrery::deploy {

namespace {

struct FormatName {
    ExportFormat format;
    const char *name;
};

constexpr FormatName kFormats[] = {
    {ExportFormat::Kubernetes, "k8s"},
    {ExportFormat::ArgoRollouts, "argo"},
    {ExportFormat::KServe, "kserve"},
    {ExportFormat::Terraform, "terraform"},
    {ExportFormat::Containerfile, "containerfile"},
};

const QStringList &strategies()
{
    static const QStringList names{QStringLiteral("direct"), QStringLiteral("blue-green"), QStringLiteral("canary"), QStringLiteral("shadow")};
    return names;
}

Status validateSteps(const ExportSpec &spec)
{
    if (spec.strategy != QLatin1String("canary")) {
        if (!spec.canarySteps.isEmpty())
            return invalidArgument(QStringLiteral("canary steps are given but the strategy is %1; steps apply to --strategy canary").arg(spec.strategy));
        return Status::ok();
    }
    if (spec.canarySteps.isEmpty())
        return invalidArgument(QStringLiteral("a canary needs its steps, e.g. 5,25,50,100 (percent of the traffic)"));
    for (int i = 0; i < spec.canarySteps.size(); ++i) {
        const int w = spec.canarySteps[i];
        if (w < 1 || w > 100)
            return invalidArgument(QStringLiteral("canary step %1 is %2%: a step's weight is 1 to 100 percent of the traffic").arg(i + 1).arg(w));
        if (i > 0 && w <= spec.canarySteps[i - 1])
            return invalidArgument(QStringLiteral("canary step %1 (%2%) does not increase on step %3 (%4%): steps must increase, e.g. 5,25,50,100")
                                       .arg(i + 1)
                                       .arg(w)
                                       .arg(i)
                                       .arg(spec.canarySteps[i - 1]));
    }
    if (spec.pauseSeconds < 1)
        return invalidArgument(QStringLiteral("the pause between canary steps is %1 s; give at least 1 s (e.g. 60s, 5m)").arg(spec.pauseSeconds));
    return Status::ok();
}

Status validateAnalysis(const ExportSpec &spec)
{
    if (spec.analysisRules.trimmed().isEmpty())
        return Status::ok();
    if (spec.strategy != QLatin1String("canary") && spec.strategy != QLatin1String("blue-green"))
        return invalidArgument(QStringLiteral("analysis rules are given but the strategy is %1; the analysis runs for --strategy canary or blue-green").arg(spec.strategy));
    ORRERY_ASSIGN_OR_RETURN(const QVector<AnalysisRule> rules, parseAnalysisRules(spec.analysisRules));
    for (const AnalysisRule &r : rules)
        if (r.relative && spec.stableVersion <= 0)
            return invalidArgument(QStringLiteral("analysis rule '%1' compares with the stable version, but v%2 replaces none; "
                                                  "name the version it replaces, or write an absolute bound (e.g. error_rate <= 0.01)")
                                       .arg(r.text, QString::number(spec.version)));
    if (spec.minRequests < 1)
        return invalidArgument(QStringLiteral("the analysis' minimum of requests is %1; it must be at least 1").arg(spec.minRequests));
    static const QRegularExpression url(QStringLiteral("^https?://[^\\s/]+(/\\S*)?$"));
    if (!url.match(spec.prometheusAddress).hasMatch())
        return invalidArgument(QStringLiteral("Prometheus address '%1' is no http(s) URL; give e.g. http://prometheus.monitoring.svc:9090").arg(spec.prometheusAddress));
    return Status::ok();
}

} // namespace

Result<ExportFormat> parseExportFormat(const QString &name)
{
    for (const FormatName &f : kFormats)
        if (name == QLatin1String(f.name))
            return f.format;
    return invalidArgument(QStringLiteral("unknown export format '%1'; the formats are %2").arg(name, exportFormatNames().join(QStringLiteral(", "))));
}

QString exportFormatName(ExportFormat format)
{
    for (const FormatName &f : kFormats)
        if (f.format == format)
            return QLatin1String(f.name);
    return QString();
}

QStringList exportFormatNames()
{
    QStringList names;
    for (const FormatName &f : kFormats)
        names << QLatin1String(f.name);
    return names;
}

QString defaultImage(const ExportSpec &spec)
{
    return QStringLiteral("orrery-%1:v%2").arg(spec.endpoint).arg(spec.version);
}

Status validateExportSpec(const ExportSpec &spec)
{
    ORRERY_TRY(validateEndpointName(spec.endpoint));
    if (spec.model.trimmed().isEmpty())
        return invalidArgument(QStringLiteral("the export names no model; give the registered model's name"));
    if (spec.version < 1)
        return invalidArgument(QStringLiteral("model '%1': version %2 is no version (versions start at 1)").arg(spec.model, QString::number(spec.version)));
    static const QRegularExpression md5(QStringLiteral("^[0-9a-f]{32}$"));
    if (!md5.match(spec.modelMd5).hasMatch())
        return invalidArgument(QStringLiteral("model %1 v%2: '%3' is no md5; the registry records one for every stored file").arg(spec.model, QString::number(spec.version), spec.modelMd5));
    if (spec.modelFile.isEmpty())
        return invalidArgument(QStringLiteral("model %1 v%2: no model file; export takes the version's verified cached file").arg(spec.model, QString::number(spec.version)));
    if (!strategies().contains(spec.strategy))
        return invalidArgument(QStringLiteral("unknown strategy '%1'; the strategies are %2").arg(spec.strategy, strategies().join(QStringLiteral(", "))));
    if (spec.stableVersion < 0 || spec.stableVersion == spec.version)
        return invalidArgument(QStringLiteral("the stable version v%1 cannot be replaced by itself (v%2); give the version being replaced, or none")
                                   .arg(spec.stableVersion)
                                   .arg(spec.version));
    ORRERY_TRY(validateSteps(spec));
    ORRERY_TRY(validateAnalysis(spec));
    if (spec.port < 1 || spec.port > 65535)
        return invalidArgument(QStringLiteral("port %1 is no TCP port; give 1 to 65535").arg(spec.port));
    if (spec.replicas < 1 || spec.replicas > 1000)
        return invalidArgument(QStringLiteral("%1 replicas: give 1 to 1000").arg(spec.replicas));
    // An OCI reference: [registry[:port]/]path[:tag][@digest], no spaces, no uppercase in the path.
    static const QRegularExpression image(QStringLiteral("^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$"));
    if (!spec.image.isEmpty() && !image.match(spec.image).hasMatch())
        return invalidArgument(QStringLiteral("image '%1' is no container image reference; write e.g. registry.example.com/team/orrery-fraud:v3").arg(spec.image));
    return Status::ok();
}

Result<QVector<ExportedFile>> exportManifests(ExportFormat format, const ExportSpec &spec)
{
    ORRERY_TRY(validateExportSpec(spec));
    // No format Orrery writes can mirror traffic without a service mesh it cannot assume
    // (Argo Rollouts mirrors only through Istio's setMirrorRoute, KServe and plain Kubernetes
    // not at all); writing the candidate as the endpoint would send it all the traffic, the
    // opposite of a shadow. The image is the same for any strategy.
    if (spec.strategy == QLatin1String("shadow") && format != ExportFormat::Containerfile)
        return invalidArgument(QStringLiteral("a shadow deployment cannot be exported as %1: Kubernetes, KServe and Argo Rollouts without a service mesh "
                                              "cannot mirror traffic to v%2; export the stable version with --strategy direct, or run the shadow with orrery-cli")
                                   .arg(exportFormatName(format))
                                   .arg(spec.version));
    switch (format) {
    case ExportFormat::Kubernetes:
        return formats::kubernetes(spec);
    case ExportFormat::ArgoRollouts: {
        QVector<AnalysisRule> rules;
        if (!spec.analysisRules.trimmed().isEmpty()) {
            ORRERY_ASSIGN_OR_RETURN(rules, parseAnalysisRules(spec.analysisRules));
        }
        return formats::argoRollouts(spec, rules);
    }
    case ExportFormat::KServe:
        return formats::kserve(spec);
    case ExportFormat::Terraform:
        return formats::terraform(spec);
    case ExportFormat::Containerfile:
        return formats::containerfile(spec);
    }
    return internalError(QStringLiteral("export format %1 has no exporter").arg(int(format)));
}

} // namespace orrery::deploy
