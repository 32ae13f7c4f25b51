// The kserve format: an InferenceService (serving.kserve.io/v1beta1) whose predictor is Orrery's
// own container (a custom predictor: KServe does not load the model, `orrery-cli serve` does).
//
// Knative, under KServe's serverless mode, allows one container port named http1 or h2c and
// probes on that port, so the container differs from the k8s format's in those two places only.
// canary      canaryTrafficPercent = the first step; KServe has no steps of its own: the comment
//             says how to raise it, promote (remove the field) and roll back (0).
// blue-green  canaryTrafficPercent 0 with tag routing: the new revision takes no traffic and
//             answers on its `latest-` URL (the preview) until the field is removed.
// direct      no canaryTrafficPercent: the new revision takes all traffic when ready.
#include "core/deploy/manifest_export_formats.h"
#include "core/deploy/manifest_export_objects.h"
#include "core/deploy/manifest_export_yaml.h"

#include <QJsonArray>

namespace orrery::deploy::formats {

namespace {

QJsonObject kserveContainer(const ExportSpec &spec)
{
    QJsonObject c = objects::container(spec);
    c.insert(QStringLiteral("name"), QStringLiteral("kserve-container")); // the name KServe requires of a custom predictor
    c.insert(QStringLiteral("ports"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("http1")},
                                                             {QStringLiteral("containerPort"), spec.port},
                                                             {QStringLiteral("protocol"), QStringLiteral("TCP")}}});
    for (const char *probe : {"readinessProbe", "livenessProbe"}) {
        QJsonObject p = c.value(QLatin1String(probe)).toObject();
        QJsonObject get = p.value(QStringLiteral("httpGet")).toObject();
        get.insert(QStringLiteral("port"), spec.port);
        p.insert(QStringLiteral("httpGet"), get);
        c.insert(QLatin1String(probe), p);
    }
    return c;
}

} // namespace

QVector<ExportedFile> kserve(const ExportSpec &spec)
{
    QJsonObject annotations = objects::modelAnnotations(spec);
    const QJsonObject prometheus = objects::prometheusAnnotations(spec);
    for (auto it = prometheus.begin(); it != prometheus.end(); ++it)
        annotations.insert(it.key(), it.value());
    QJsonObject predictor{{QStringLiteral("minReplicas"), spec.replicas},
                          {QStringLiteral("containers"), QJsonArray{kserveContainer(spec)}},
                          {QStringLiteral("volumes"), QJsonArray{objects::tokenVolume(spec)}},
                          {QStringLiteral("terminationGracePeriodSeconds"), objects::kTerminationGraceSeconds},
                          {QStringLiteral("labels"), QJsonObject{{QStringLiteral("orrery.dev/version"), QString::number(spec.version)}}}};
    QString what = QStringLiteral("KServe InferenceService '%1' (strategy %2).").arg(spec.endpoint, spec.strategy);
    if (spec.strategy == QLatin1String("canary")) {
        predictor.insert(QStringLiteral("canaryTrafficPercent"), spec.canarySteps.first());
        QStringList later;
        for (int i = 1; i < spec.canarySteps.size(); ++i)
            if (spec.canarySteps[i] < 100)
                later << QString::number(spec.canarySteps[i]);
        what += QStringLiteral("\nv%1 takes %2% of the traffic, the previous revision the rest (KServe's serverless mode).\n"
                               "KServe has no steps: %3remove canaryTrafficPercent to promote, set it to 0 to roll back.")
                    .arg(QString::number(spec.version), QString::number(spec.canarySteps.first()),
                         later.isEmpty() ? QString() : QStringLiteral("raise canaryTrafficPercent to %1 and apply again after each pause of %2 s; ")
                                                           .arg(later.join(QStringLiteral(", ")), QString::number(spec.pauseSeconds)));
    } else if (spec.strategy == QLatin1String("blue-green")) {
        predictor.insert(QStringLiteral("canaryTrafficPercent"), 0);
        annotations.insert(QStringLiteral("serving.kserve.io/enable-tag-routing"), QStringLiteral("true"));
        what += QStringLiteral("\nv%1 takes no traffic and answers on its 'latest-' tagged URL (the preview) until you remove\n"
                               "canaryTrafficPercent (promote); the previous revision keeps serving.")
                    .arg(spec.version);
    }
    if (!spec.analysisRules.trimmed().isEmpty())
        what += QStringLiteral("\nKServe runs no analysis: the rules (%1) are Argo Rollouts' (export argo).").arg(spec.analysisRules.trimmed());
    const QJsonObject service{
        {QStringLiteral("apiVersion"), QStringLiteral("serving.kserve.io/v1beta1")},
        {QStringLiteral("kind"), QStringLiteral("InferenceService")},
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), spec.endpoint},
                                                 {QStringLiteral("labels"), objects::objectLabels(spec)},
                                                 {QStringLiteral("annotations"), annotations}}},
        {QStringLiteral("spec"), QJsonObject{{QStringLiteral("predictor"), predictor}}}};
    ExportedFile file;
    file.name = spec.endpoint + QStringLiteral("-inferenceservice.yaml");
    file.content = yamlDocument(service, objects::manifestComment(spec, what));
    return {file};
}

} // namespace orrery::deploy::formats
