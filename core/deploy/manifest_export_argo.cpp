// The argo format: an Argo Rollouts Rollout with the pod template of the k8s format, its
// Services, and (with analysis rules) the AnalysisTemplate of manifest_export_analysis.h.
//
// canary      setWeight w, pause, analysis — for each step below 100; the last weight is set
//             and Argo promotes when the steps are done. Without a traffic router Argo reaches a
//             weight by scaling pods, so the replica count bounds how fine the steps can be.
// blue-green  blueGreen with activeService {E} and previewService {E}-preview: the new version
//             answers on the preview until promoted (autoPromotionEnabled: false, as Orrery waits
//             for Promote), after the prePromotionAnalysis when there are rules.
// direct      canary with no steps: Argo replaces the pods at once, as a Deployment would.
#include "core/deploy/manifest_export_formats.h"
#include "core/deploy/manifest_export_objects.h"
#include "core/deploy/manifest_export_yaml.h"

#include <QJsonArray>

namespace orrery::deploy::formats {

namespace {

QJsonObject canarySteps(const ExportSpec &spec, bool analysis)
{
    QJsonArray steps;
    for (const int weight : spec.canarySteps) {
        steps.append(QJsonObject{{QStringLiteral("setWeight"), weight}});
        if (weight >= 100)
            continue;
        steps.append(QJsonObject{{QStringLiteral("pause"), QJsonObject{{QStringLiteral("duration"), QStringLiteral("%1s").arg(spec.pauseSeconds)}}}});
        if (analysis)
            steps.append(QJsonObject{{QStringLiteral("analysis"), analysisReference(spec)}});
    }
    return {{QStringLiteral("steps"), steps}};
}

QJsonObject strategy(const ExportSpec &spec, bool analysis)
{
    if (spec.strategy == QLatin1String("blue-green")) {
        QJsonObject blueGreen{{QStringLiteral("activeService"), spec.endpoint},
                              {QStringLiteral("previewService"), objects::previewServiceName(spec)},
                              {QStringLiteral("autoPromotionEnabled"), false}};
        if (analysis)
            blueGreen.insert(QStringLiteral("prePromotionAnalysis"), analysisReference(spec));
        return {{QStringLiteral("blueGreen"), blueGreen}};
    }
    if (spec.strategy == QLatin1String("canary"))
        return {{QStringLiteral("canary"), canarySteps(spec, analysis)}};
    return {{QStringLiteral("canary"), QJsonObject{}}};
}

QJsonObject rollout(const ExportSpec &spec, bool analysis)
{
    return {{QStringLiteral("apiVersion"), QStringLiteral("argoproj.io/v1alpha1")},
            {QStringLiteral("kind"), QStringLiteral("Rollout")},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), spec.endpoint},
                                                     {QStringLiteral("labels"), objects::objectLabels(spec)},
                                                     {QStringLiteral("annotations"), objects::modelAnnotations(spec)}}},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), spec.replicas},
                                                 {QStringLiteral("revisionHistoryLimit"), 5},
                                                 {QStringLiteral("selector"), QJsonObject{{QStringLiteral("matchLabels"), objects::selectorLabels(spec)}}},
                                                 {QStringLiteral("template"), objects::podTemplate(spec)},
                                                 {QStringLiteral("strategy"), strategy(spec, analysis)}}}};
}

} // namespace

QVector<ExportedFile> argoRollouts(const ExportSpec &spec, const QVector<AnalysisRule> &rules)
{
    const bool analysis = !rules.isEmpty();
    QString what = QStringLiteral("Argo Rollouts Rollout of endpoint '%1' (strategy %2), with its Service").arg(spec.endpoint, spec.strategy);
    if (spec.strategy == QLatin1String("blue-green"))
        what += QStringLiteral("s '%1' (active) and '%2' (preview)").arg(spec.endpoint, objects::previewServiceName(spec));
    if (analysis)
        what += QStringLiteral(" and the AnalysisTemplate '%1' (Prometheus at %2)").arg(objects::analysisTemplateName(spec), spec.prometheusAddress);
    what += QLatin1Char('.');
    if (spec.strategy == QLatin1String("canary"))
        what += QStringLiteral("\nWithout a traffic router Argo approximates a weight by the number of canary and stable pods (%1 replica(s) here):\n"
                               "a step of w% is exact only with 100/w replicas or a traffic router (trafficRouting).")
                    .arg(spec.replicas);
    QByteArray text = yamlDocument(objects::service(spec, spec.endpoint), objects::manifestComment(spec, what));
    if (spec.strategy == QLatin1String("blue-green"))
        text += yamlDocument(objects::service(spec, objects::previewServiceName(spec)));
    if (analysis)
        text += yamlDocument(analysisTemplate(spec, rules),
                             QStringLiteral("Orrery's analysis rules: %1\n"
                                            "Each query is (canary) - (bound), empty until both versions have %2 requests in the window:\n"
                                            "an empty result is Inconclusive (Argo pauses the rollout), never a pass.")
                                 .arg(spec.analysisRules.trimmed(), QString::number(spec.minRequests)));
    text += yamlDocument(rollout(spec, analysis));
    ExportedFile file;
    file.name = spec.endpoint + QStringLiteral("-rollout.yaml");
    file.content = text;
    return {file};
}

} // namespace orrery::deploy::formats
