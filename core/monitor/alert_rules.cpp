#include "core/monitor/alert_rules.h"

#include "core/common/duration.h"
#include "core/monitor/alert_template.h"
#include "core/monitor/metrics_samples.h"
#include "core/common/yaml_check.h"

#include <QFile>
#include <QHash>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <optional>

namespace orrery::monitor {

using common::nearestWord;
using common::YamlCheck;

namespace {

const QStringList kTopKeys = {QStringLiteral("alertmanager"), QStringLiteral("evaluate_every"), QStringLiteral("rules")};
const QStringList kRuleKeys = {QStringLiteral("alert"),    QStringLiteral("metric"),   QStringLiteral("where"),
                               QStringLiteral("op"),       QStringLiteral("threshold"), QStringLiteral("for"),
                               QStringLiteral("keep_firing_for"), QStringLiteral("severity"), QStringLiteral("summary"),
                               QStringLiteral("description")};
const QStringList kOps = {QStringLiteral(">"), QStringLiteral(">="), QStringLiteral("<"), QStringLiteral("<="), QStringLiteral("=="), QStringLiteral("!=")};

// Collects every problem of one file with its place; nothing here throws (yaml-cpp's exceptions
// are caught once, in checkAlertConfig).
class Checker {
public:
    explicit Checker(QString file) : m_check(std::move(file)) {}

    void error(const YAML::Mark &m, const QString &what) { m_check.error(m, what); }
    // In file order (a rule's missing fields, found after its keys, at the rule's start).
    QStringList errors() const { return m_check.errors(); }

    // The entries of a mapping by key, reporting unknown and repeated keys. False when `node` is no mapping.
    bool entries(const YAML::Node &node, const QString &what, const QStringList &known, YamlCheck::Entries *out)
    {
        return m_check.entries(node, what, known, out);
    }

    std::optional<QString> text(const YAML::Node &node, const QString &what, const QString &example) { return m_check.text(node, what, example); }

    std::optional<qint64> duration(const YAML::Node &node, const QString &what, qint64 minMs, qint64 maxMs)
    {
        return m_check.duration(node, what, minMs, maxMs);
    }

    void annotation(const YAML::Node &node, const QString &what, QString *out)
    {
        if (node.IsNull()) {
            out->clear();
            return;
        }
        if (!node.IsScalar()) {
            error(node.Mark(), QStringLiteral("%1 must be text (in quotes when it holds {{ }})").arg(what));
            return;
        }
        const QString t = QString::fromStdString(node.Scalar());
        if (const Status s = checkAnnotationTemplate(t); !s.isOk()) {
            error(node.Mark(), QStringLiteral("%1: %2").arg(what, s.message()));
            return;
        }
        *out = t;
    }

    std::optional<AlertRule> rule(const YAML::Node &node, int index)
    {
        AlertRule r;
        r.line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
        QMap<QString, std::pair<YAML::Node, YAML::Node>> e;
        const int before = m_check.count();
        QString what = QStringLiteral("rule %1 of 'rules'").arg(index + 1);
        if (node.IsMap() && node["alert"] && node["alert"].IsScalar() && isLabelName(QString::fromStdString(node["alert"].Scalar())))
            what = QStringLiteral("rule '%1'").arg(QString::fromStdString(node["alert"].Scalar()));
        if (!entries(node, what, kRuleKeys, &e))
            return std::nullopt;
        if (!e.contains(QStringLiteral("alert"))) {
            error(node.Mark(), QStringLiteral("%1 has no 'alert' (its name); add e.g. alert: FeatureDrift").arg(what));
        } else if (auto name = text(e[QStringLiteral("alert")].second, QStringLiteral("the name of %1").arg(what), QStringLiteral("alert: FeatureDrift"))) {
            r.name = *name;
            if (!isLabelName(r.name))
                error(e[QStringLiteral("alert")].second.Mark(),
                      QStringLiteral("the alert name '%1' is not an identifier; use letters, digits and '_', not starting with a digit (e.g. %2)")
                          .arg(r.name, suggestedName(r.name)));
        }
        for (const QString &required : {QStringLiteral("metric"), QStringLiteral("op"), QStringLiteral("threshold")})
            if (!e.contains(required))
                error(node.Mark(), QStringLiteral("%1 has no '%2'; add e.g. %3").arg(what, required,
                                                                                 required == QLatin1String("metric") ? QStringLiteral("metric: orrery_feature_drift")
                                                                                 : required == QLatin1String("op")   ? QStringLiteral("op: \">\"")
                                                                                                                     : QStringLiteral("threshold: 0")));
        if (e.contains(QStringLiteral("metric"))) {
            const YAML::Node &n = e[QStringLiteral("metric")].second;
            if (auto m = text(n, QStringLiteral("the metric of %1").arg(what), QStringLiteral("orrery_feature_drift"))) {
                r.metric = *m;
                const QStringList known = knownAlertMetrics();
                if (!known.contains(r.metric))
                    error(n.Mark(), QStringLiteral("%1 names the metric '%2', which Orrery's /metrics does not have; %3the gauges are: %4")
                                        .arg(what, r.metric, nearestWord(r.metric, known), known.join(QStringLiteral(", "))));
            }
        }
        if (e.contains(QStringLiteral("where"))) {
            const YAML::Node &n = e[QStringLiteral("where")].second;
            if (!n.IsMap()) {
                error(n.Mark(), QStringLiteral("'where' of %1 must map label names to values, e.g. where: {endpoint: fraud}").arg(what));
            } else {
                for (const auto &kv : n) {
                    const QString label = kv.first.IsScalar() ? QString::fromStdString(kv.first.Scalar()) : QString();
                    if (!isLabelName(label) || label == QLatin1String("__name__")) {
                        error(kv.first.Mark(), QStringLiteral("'%1' in 'where' of %2 is not a label name; use letters, digits and '_' (e.g. endpoint, feature)").arg(label, what));
                        continue;
                    }
                    if (r.where.contains(label)) {
                        error(kv.first.Mark(), QStringLiteral("label '%1' appears twice in 'where' of %2; keep one").arg(label, what));
                        continue;
                    }
                    if (!kv.second.IsScalar()) {
                        error(kv.second.Mark(), QStringLiteral("the value of '%1' in 'where' of %2 must be a single value, e.g. %1: fraud").arg(label, what));
                        continue;
                    }
                    r.where.insert(label, QString::fromStdString(kv.second.Scalar()));
                }
            }
        }
        if (e.contains(QStringLiteral("op"))) {
            const YAML::Node &n = e[QStringLiteral("op")].second;
            const QString op = n.IsScalar() ? QString::fromStdString(n.Scalar()).trimmed() : QString();
            const int i = int(kOps.indexOf(op));
            if (i < 0)
                error(n.Mark(), op.isEmpty() ? QStringLiteral("the op of %1 is empty; write the operator in quotes, e.g. op: \">\" (YAML reads a bare > as the start of a text block)").arg(what)
                                             : QStringLiteral("the op '%1' of %2 is not a comparison; use one of %3 (in quotes)").arg(op, what, kOps.join(QLatin1Char(' '))));
            else
                r.op = CompareOp(i);
        }
        if (e.contains(QStringLiteral("threshold"))) {
            const YAML::Node &n = e[QStringLiteral("threshold")].second;
            if (auto t = text(n, QStringLiteral("the threshold of %1").arg(what), QStringLiteral("threshold: 0.5"))) {
                bool ok = false;
                r.threshold = t->trimmed().toDouble(&ok);
                if (!ok || !std::isfinite(r.threshold))
                    error(n.Mark(), QStringLiteral("the threshold '%1' of %2 is not a finite number; write one such as 0.5 or 1e-3").arg(*t, what));
            }
        }
        if (e.contains(QStringLiteral("for")))
            if (auto d = duration(e[QStringLiteral("for")].second, QStringLiteral("'for' of %1").arg(what), 0, 24LL * 3'600'000))
                r.forMs = *d;
        if (e.contains(QStringLiteral("keep_firing_for")))
            if (auto d = duration(e[QStringLiteral("keep_firing_for")].second, QStringLiteral("'keep_firing_for' of %1").arg(what), 0, 24LL * 3'600'000))
                r.keepFiringForMs = *d;
        if (e.contains(QStringLiteral("severity")))
            if (auto s = text(e[QStringLiteral("severity")].second, QStringLiteral("the severity of %1").arg(what), QStringLiteral("severity: warning")))
                r.severity = *s;
        if (e.contains(QStringLiteral("summary")))
            annotation(e[QStringLiteral("summary")].second, QStringLiteral("the summary of %1").arg(what), &r.summary);
        else
            r.summary = QStringLiteral("%1 (value {{ $value }})").arg(r.expression());
        if (e.contains(QStringLiteral("description")))
            annotation(e[QStringLiteral("description")].second, QStringLiteral("the description of %1").arg(what), &r.description);
        if (m_check.count() != before)
            return std::nullopt;
        return r;
    }

    void parse(const YAML::Node &root, AlertConfig *config)
    {
        if (root.IsNull()) {
            error(root.Mark(), QStringLiteral("the file is empty; write `rules:` with your rules (or `rules: []` for none), or delete it to use the default rules"));
            return;
        }
        QMap<QString, std::pair<YAML::Node, YAML::Node>> e;
        if (!entries(root, QStringLiteral("the file"), kTopKeys, &e))
            return;
        if (e.contains(QStringLiteral("alertmanager"))) {
            const YAML::Node &n = e[QStringLiteral("alertmanager")].second;
            if (auto t = text(n, QStringLiteral("alertmanager"), QStringLiteral("http://127.0.0.1:9093"))) {
                const QUrl url(t->trimmed(), QUrl::StrictMode);
                const QString scheme = url.scheme().toLower();
                if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) || url.host().isEmpty() || url.hasQuery() || url.hasFragment())
                    error(n.Mark(), QStringLiteral("alertmanager '%1' is not an http(s) URL of Alertmanager; write its base URL, e.g. http://127.0.0.1:9093").arg(*t));
                else
                    config->alertmanager = t->trimmed().endsWith(QLatin1Char('/')) ? t->trimmed().chopped(1) : t->trimmed();
            }
        }
        if (e.contains(QStringLiteral("evaluate_every")))
            if (auto d = duration(e[QStringLiteral("evaluate_every")].second, QStringLiteral("evaluate_every"), 1000, 3'600'000))
                config->evaluateEveryMs = *d;
        if (!e.contains(QStringLiteral("rules"))) {
            config->rules = defaultAlertRules();
            config->defaultRules = true;
            return;
        }
        config->defaultRules = false;
        const YAML::Node &rules = e[QStringLiteral("rules")].second;
        if (rules.IsNull())
            return; // `rules:` with nothing: no rules
        if (!rules.IsSequence()) {
            error(rules.Mark(), QStringLiteral("'rules' must be a list of rules, each starting with '- alert: NAME'"));
            return;
        }
        QHash<QString, int> lines;
        int index = 0;
        for (const auto &node : rules) {
            auto r = rule(node, index++);
            if (!r)
                continue;
            if (lines.contains(r->name)) {
                error(node.Mark(), QStringLiteral("the alert '%1' is defined twice (lines %2 and %3); give each rule its own name").arg(r->name).arg(lines[r->name]).arg(r->line));
                continue;
            }
            lines.insert(r->name, r->line);
            config->rules.append(*r);
        }
    }

private:
    static QString suggestedName(const QString &name)
    {
        QString out;
        for (const QChar c : name)
            out += (c.isLetterOrNumber() && c.unicode() < 128) ? c : QLatin1Char('_');
        if (out.isEmpty() || out.front().isDigit())
            out.prepend(QLatin1Char('A'));
        return out;
    }

    YamlCheck m_check;
};

AlertRule makeRule(const char *name, const char *metric, QMap<QString, QString> where, CompareOp op, double threshold, qint64 forMs, qint64 keepMs,
                   const char *severity, const char *summary, const char *description)
{
    AlertRule r;
    r.name = QLatin1String(name);
    r.metric = QLatin1String(metric);
    r.where = std::move(where);
    r.op = op;
    r.threshold = threshold;
    r.forMs = forMs;
    r.keepFiringForMs = keepMs;
    r.severity = QLatin1String(severity);
    r.summary = QString::fromUtf8(summary);
    r.description = QString::fromUtf8(description);
    return r;
}

} // namespace

QString opText(CompareOp op) { return kOps.value(int(op)); }

bool compare(double value, CompareOp op, double threshold)
{
    switch (op) {
    case CompareOp::Greater: return value > threshold;
    case CompareOp::GreaterOrEqual: return value >= threshold;
    case CompareOp::Less: return value < threshold;
    case CompareOp::LessOrEqual: return value <= threshold;
    case CompareOp::Equal: return value == threshold;
    case CompareOp::NotEqual: return value != threshold;
    }
    return false;
}

bool AlertRule::selects(const MetricSample &sample) const
{
    if (sample.name != metric)
        return false;
    for (auto it = where.cbegin(); it != where.cend(); ++it)
        if (sample.labels.value(it.key()) != it.value())
            return false;
    return true;
}

QString AlertRule::expression() const
{
    MetricSample selector;
    selector.name = metric;
    selector.labels = where;
    return QStringLiteral("%1 %2 %3").arg(selector.seriesText(), opText(op), goFloatText(threshold));
}

QVector<AlertRule> defaultAlertRules()
{
    return {
        makeRule("FeatureDrift", "orrery_feature_drift", {}, CompareOp::Greater, 0, 0, 60'000, "warning",
                 "{{ $labels.feature }} drifted on {{ $labels.endpoint }}",
                 "The distribution of {{ $labels.feature }} on endpoint {{ $labels.endpoint }} differs from its reference (after hysteresis)."),
        makeRule("ModelAccuracyLow", "orrery_model_accuracy", {{QStringLiteral("metric"), QStringLiteral("accuracy")}}, CompareOp::Less, 0.8, 300'000, 0,
                 "critical", "Accuracy of {{ $labels.endpoint }} v{{ $labels.version }} is {{ printf \"%.3f\" $value }}",
                 "Accuracy from delayed labels has been below 0.8 for 5 minutes."),
        makeRule("HighLatencyP99", "orrery_window_latency_p99_seconds", {}, CompareOp::Greater, 0.5, 120'000, 0, "warning",
                 "p99 latency of {{ $labels.endpoint }} is {{ printf \"%.3f\" $value }} s", "The 99th percentile latency has been above 0.5 s for 2 minutes."),
        makeRule("HighErrorRatio", "orrery_window_error_ratio", {}, CompareOp::Greater, 0.05, 120'000, 0, "critical",
                 "{{ humanizePercentage $value }} of infer requests to {{ $labels.endpoint }} fail",
                 "More than 5% of infer answers have not been 2xx for 2 minutes."),
    };
}

AlertConfig defaultAlertConfig()
{
    AlertConfig c;
    c.rules = defaultAlertRules();
    c.defaultRules = true;
    return c;
}

QStringList knownAlertMetrics()
{
    return {
        // core/monitor's live windows (docs: the live-monitoring contract)
        QStringLiteral("orrery_feature_drift"), QStringLiteral("orrery_feature_drift_effect"), QStringLiteral("orrery_feature_drift_p_value"),
        QStringLiteral("orrery_feature_missing_share"), QStringLiteral("orrery_feature_out_of_range_share"), QStringLiteral("orrery_feature_unseen_share"),
        QStringLiteral("orrery_monitor_window_rows"), QStringLiteral("orrery_window_latency_p99_seconds"), QStringLiteral("orrery_window_error_ratio"),
        QStringLiteral("orrery_model_accuracy"), QStringLiteral("orrery_feedback_labels"),
        // core/serve and core/deploy
        QStringLiteral("orrery_queue_rows"), QStringLiteral("orrery_endpoint_weight"), QStringLiteral("orrery_rollout_step"),
        QStringLiteral("orrery_rollout_canary_weight"),
    };
}

AlertConfigCheck checkAlertConfig(const QByteArray &yaml, const QString &fileName)
{
    AlertConfigCheck out;
    out.config.source = fileName;
    Checker checker(fileName);
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        checker.parse(root, &out.config);
    } catch (const YAML::Exception &e) {
        checker.error(e.mark, QStringLiteral("YAML syntax: %1 (quote text that holds : { } [ ] > or #)").arg(QString::fromStdString(e.msg)));
    }
    out.errors = checker.errors();
    return out;
}

Result<AlertConfig> parseAlertConfig(const QByteArray &yaml, const QString &fileName)
{
    AlertConfigCheck c = checkAlertConfig(yaml, fileName);
    if (!c.errors.isEmpty())
        return invalidArgument(c.errors.join(QLatin1Char('\n')));
    return c.config;
}

Result<AlertConfig> loadAlertConfig(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return defaultAlertConfig();
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the alert rules %1: %2").arg(path, file.errorString()));
    return parseAlertConfig(file.readAll(), path);
}

} // namespace orrery::monitor
