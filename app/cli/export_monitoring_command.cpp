// orrery-cli export prometheus-rules [--out FILE|DIR] [--test FILE] [--json]
// orrery-cli export grafana [--out FILE|DIR] [--datasource UID] [--json]
//
// The monitoring side of `export`: the workspace's alert rules (alerts.yaml, or the defaults) as a
// Prometheus rule file with a `promtool test rules` file beside it
// (core/deploy/prometheus_rules_export.h, prometheus_rule_tests.h), and a Grafana dashboard with
// the Monitoring area's panels (core/deploy/grafana_dashboard_export.h). Printed, or written into
// --out atomically.
#include "app/cli/export_monitoring_command.h"

#include "core/common/atomic_file.h"
#include "core/deploy/grafana_dashboard_export.h"
#include "core/deploy/prometheus_rule_tests.h"
#include "core/deploy/prometheus_rules_export.h"
#include "core/monitor/alert_rules.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cstdio>

namespace orrery::cli {

namespace {

const QString kRules = QStringLiteral("prometheus-rules");
const QString kGrafana = QStringLiteral("grafana");

// The options of the deployment formats, which mean nothing here.
const char *const kDeploymentOptions[] = {"model", "version", "alias", "strategy", "steps", "pause", "analysis", "stable-version",
                                          "port", "image", "replicas", "min-requests", "prometheus"};

struct Output {
    QString name; // what it is: "rules", "test", "dashboard"
    QString path; // empty: printed
    QByteArray content;
};

// --out names a folder when one exists there or it ends in '/'; otherwise the file itself.
bool namesFolder(const QString &out) { return out.endsWith(QLatin1Char('/')) || QFileInfo(out).isDir(); }

Status write(const Output &o)
{
    const QString dir = QFileInfo(o.path).absolutePath();
    if (!QDir().mkpath(dir))
        return ioError(QStringLiteral("cannot create the folder %1; check --out").arg(dir));
    return common::writeFileAtomically(o.path, o.content).withContext(QStringLiteral("writing %1").arg(o.path));
}

// The test file beside the rule file: rules.yml → rules.test.yml.
QString besideRules(const QString &rulesPath)
{
    const QFileInfo info(rulesPath);
    const QString base = info.suffix() == QLatin1String("yml") || info.suffix() == QLatin1String("yaml") ? info.completeBaseName() : info.fileName();
    return info.dir().filePath(base + QStringLiteral(".test.yml"));
}

Result<QVector<Output>> prometheusRules(const Context &context, const CommandParser &p, QJsonObject *summary)
{
    if (p.isSet(QStringLiteral("datasource")))
        return invalidArgument(QStringLiteral("--datasource is for `export grafana`; the rule file names no datasource"));
    const QString out = p.value(QStringLiteral("out"));
    if (p.isSet(QStringLiteral("test")) && out.isEmpty())
        return invalidArgument(QStringLiteral("--test needs --out FILE too: the test file loads the rule file by its path"));
    ORRERY_ASSIGN_OR_RETURN(auto ws, openWorkspace(context));
    const QString alertsPath = QDir((*ws).root()).filePath(monitor::kAlertsFileName);
    ORRERY_ASSIGN_OR_RETURN(const monitor::AlertConfig config, monitor::loadAlertConfig(alertsPath));

    QVector<Output> outputs;
    Output rules{QStringLiteral("rules"), QString(), deploy::prometheusRulesYaml(config)};
    if (!out.isEmpty()) {
        rules.path = namesFolder(out) ? QDir(out).filePath(deploy::kPrometheusRulesFileName) : out;
        Output test{QStringLiteral("test"), p.isSet(QStringLiteral("test")) ? p.value(QStringLiteral("test"))
                                           : namesFolder(out)               ? QDir(out).filePath(deploy::kPrometheusRulesTestFileName)
                                                                            : besideRules(rules.path),
                    {}};
        if (QFileInfo(test.path).absoluteFilePath() == QFileInfo(rules.path).absoluteFilePath())
            return invalidArgument(QStringLiteral("--test names the rule file itself (%1); give the test file another name").arg(test.path));
        // promtool reads rule_files relative to the test file's folder.
        const QString ruleFile = QDir(QFileInfo(test.path).absolutePath()).relativeFilePath(QFileInfo(rules.path).absoluteFilePath());
        test.content = deploy::promtoolTestYaml(config.rules, ruleFile);
        outputs << rules << test;
    } else {
        outputs << rules;
    }
    summary->insert(QStringLiteral("source"), config.source.isEmpty() ? QJsonValue() : QJsonValue(config.source));
    summary->insert(QStringLiteral("default_rules"), config.defaultRules);
    QJsonArray names;
    for (const monitor::AlertRule &r : config.rules)
        names.append(r.name);
    summary->insert(QStringLiteral("alerts"), names);
    summary->insert(QStringLiteral("recording_rules"), int(deploy::orreryRecordingRules().size()));
    return outputs;
}

Result<QVector<Output>> grafana(const CommandParser &p)
{
    if (p.isSet(QStringLiteral("test")))
        return invalidArgument(QStringLiteral("--test is for `export prometheus-rules`"));
    deploy::GrafanaDashboardOptions options;
    if (p.isSet(QStringLiteral("datasource"))) {
        options.datasourceUid = p.value(QStringLiteral("datasource"));
        static const QRegularExpression uid(QStringLiteral("^[A-Za-z0-9_-]{1,40}$"));
        if (!uid.match(options.datasourceUid).hasMatch())
            return invalidArgument(QStringLiteral("--datasource '%1' is no Grafana datasource uid (up to 40 letters, digits, '-' and '_'); "
                                                  "copy it from the datasource's page in Grafana (its URL ends in /datasources/edit/UID)")
                                       .arg(options.datasourceUid));
    }
    const QString out = p.value(QStringLiteral("out"));
    Output dashboard{QStringLiteral("dashboard"), QString(), QJsonDocument(deploy::grafanaDashboard(options)).toJson(QJsonDocument::Indented)};
    if (!out.isEmpty())
        dashboard.path = namesFolder(out) ? QDir(out).filePath(deploy::kGrafanaDashboardFileName) : out;
    return QVector<Output>{dashboard};
}

} // namespace

bool isMonitoringExportFormat(const QString &format) { return format == kRules || format == kGrafana; }

int runMonitoringExport(const Context &context, const CommandParser &p)
{
    const QString format = p.positional().value(0);
    if (p.positional().size() != 1)
        return p.usageError(QStringLiteral("`export %1` takes no endpoint: it covers every endpoint (the dashboard has an endpoint variable; "
                                           "alerts.yaml's `where:` narrows a rule)")
                                .arg(format));
    for (const char *option : kDeploymentOptions)
        if (p.isSet(QLatin1String(option)))
            return p.usageError(QStringLiteral("--%1 is for the deployment formats (k8s, argo, kserve, terraform, containerfile), not %2").arg(QLatin1String(option), format));

    QJsonObject summary{{QStringLiteral("format"), format}};
    auto outputs = format == kRules ? prometheusRules(context, p, &summary) : grafana(p);
    if (!outputs)
        return fail(QStringLiteral("export %1: %2").arg(format, outputs.status().message()));
    QJsonArray files;
    for (const Output &o : *outputs) {
        if (o.path.isEmpty()) {
            if (p.json())
                files.append(QJsonObject{{QStringLiteral("name"), o.name}, {QStringLiteral("content"), QString::fromUtf8(o.content)}});
            else
                std::fputs(o.content.constData(), stdout);
            continue;
        }
        if (const Status s = write(o); !s)
            return fail(QStringLiteral("export %1: %2").arg(format, s.message()));
        files.append(QJsonObject{{QStringLiteral("name"), o.name}, {QStringLiteral("path"), o.path}});
        if (!p.json())
            out(QStringLiteral("wrote %1").arg(o.path));
    }
    if (p.json()) {
        summary.insert(QStringLiteral("files"), files);
        printJson(summary);
    }
    return ExitOk;
}

} // namespace orrery::cli
