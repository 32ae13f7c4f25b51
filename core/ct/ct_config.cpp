#include "core/ct/ct_config.h"

#include "core/common/duration.h"
#include "core/common/safe_path.h"
#include "core/common/yaml_check.h"
#include "core/deploy/deployment.h"
#include "core/deploy/deployment_store.h"
#include "core/monitor/alert_rules.h"
#include "core/registry/model_registry.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <cmath>

namespace orrery::ct {
namespace {

using common::nearestWord;
using common::YamlCheck;

const QStringList kTopKeys = {QStringLiteral("model"), QStringLiteral("endpoint"), QStringLiteral("dataset"), QStringLiteral("triggers"),
                              QStringLiteral("policies"), QStringLiteral("gate"), QStringLiteral("canary")};
const QStringList kDatasetKeys = {QStringLiteral("path"), QStringLiteral("label"), QStringLiteral("columns"), QStringLiteral("policy"),
                                  QStringLiteral("window"), QStringLiteral("rows"), QStringLiteral("seed"),
                                  QStringLiteral("keep"), QStringLiteral("time_column")};
const QStringList kTriggerKeys = {QStringLiteral("schedule"), QStringLiteral("data"), QStringLiteral("alert"), QStringLiteral("manual")};
const QStringList kPolicyKeys = {QStringLiteral("cooldown"), QStringLiteral("max_per_day"), QStringLiteral("require_approval"), QStringLiteral("min_rows")};
const QStringList kGateKeys = {QStringLiteral("metric"), QStringLiteral("min_improvement"), QStringLiteral("holdout"), QStringLiteral("min_rows")};
const QStringList kGateMetrics = {QStringLiteral("roc_auc"), QStringLiteral("average_precision"), QStringLiteral("accuracy"), QStringLiteral("precision"),
                                  QStringLiteral("recall"), QStringLiteral("f1")};
const QStringList kCanaryKeys = {QStringLiteral("steps"), QStringLiteral("pause"), QStringLiteral("analysis"), QStringLiteral("min_requests"),
                                 QStringLiteral("max_inconclusive")};
const QStringList kPolicies = {QStringLiteral("all"), QStringLiteral("recent"), QStringLiteral("sample")};

constexpr qint64 kDay = 24LL * 3'600'000;

class ConfigReader {
public:
    ConfigReader(YamlCheck &check, const CtCheckContext &context) : m_check(check), m_context(context) {}

    void read(const YAML::Node &root, CtConfig *c)
    {
        if (root.IsNull()) {
            m_check.error(root.Mark(), QStringLiteral("the file is empty; write at least model, endpoint and dataset (orrery-cli ct check --help shows an example)"));
            return;
        }
        YamlCheck::Entries e;
        if (!m_check.entries(root, QStringLiteral("the file"), kTopKeys, &e))
            return;
        for (const QString &required : {QStringLiteral("model"), QStringLiteral("endpoint"), QStringLiteral("dataset")})
            if (!e.contains(required))
                m_check.error(root.Mark(), QStringLiteral("the file has no '%1'; add e.g. %2").arg(required, example(required)));
        if (e.contains(QStringLiteral("model")))
            if (auto m = m_check.text(e[QStringLiteral("model")].second, QStringLiteral("model"), QStringLiteral("model: fraud"))) {
                if (Status s = registry::ModelRegistry::validateModelName(*m); !s.isOk())
                    m_check.error(e[QStringLiteral("model")].second.Mark(), QStringLiteral("model '%1': %2").arg(*m, s.message()));
                else
                    c->model = *m;
            }
        if (e.contains(QStringLiteral("endpoint")))
            if (auto n = m_check.text(e[QStringLiteral("endpoint")].second, QStringLiteral("endpoint"), QStringLiteral("endpoint: fraud"))) {
                if (Status s = deploy::validateEndpointName(*n); !s.isOk())
                    m_check.error(e[QStringLiteral("endpoint")].second.Mark(), QStringLiteral("endpoint '%1': %2").arg(*n, s.message()));
                else
                    c->endpoint = *n;
            }
        if (e.contains(QStringLiteral("dataset")))
            dataset(e[QStringLiteral("dataset")].second, &c->dataset);
        if (e.contains(QStringLiteral("triggers")) && !e[QStringLiteral("triggers")].second.IsNull())
            triggers(e[QStringLiteral("triggers")].second, &c->triggers);
        if (e.contains(QStringLiteral("policies")) && !e[QStringLiteral("policies")].second.IsNull())
            policies(e[QStringLiteral("policies")].second, &c->policies);
        if (e.contains(QStringLiteral("gate")) && !e[QStringLiteral("gate")].second.IsNull())
            gate(e[QStringLiteral("gate")].second, &c->gate);
        if (e.contains(QStringLiteral("canary")) && !e[QStringLiteral("canary")].second.IsNull())
            canary(e[QStringLiteral("canary")].second, &c->canary);
    }

private:
    static QString example(const QString &key)
    {
        if (key == QLatin1String("model"))
            return QStringLiteral("model: fraud");
        if (key == QLatin1String("endpoint"))
            return QStringLiteral("endpoint: fraud");
        if (key == QLatin1String("path"))
            return QStringLiteral("path: data/transactions.csv");
        if (key == QLatin1String("label"))
            return QStringLiteral("label: is_fraud");
        return QStringLiteral("dataset: {path: data/transactions.csv, label: is_fraud}");
    }

    // A path relative to the workspace that stays inside it; empty when it does not.
    QString relativePath(const YAML::Node &node, const QString &what, const QString &example)
    {
        auto t = m_check.text(node, what, example);
        if (!t)
            return QString();
        QString text = t->trimmed();
        while (text.endsWith(QLatin1Char('/')) && text.size() > 1)
            text.chop(1);
        auto clean = common::cleanRelativePath(text);
        if (!clean) {
            m_check.error(node.Mark(), QStringLiteral("%1 '%2': %3; give a path relative to the workspace root, e.g. %4").arg(what, *t, clean.status().message(), example));
            return QString();
        }
        const QString first = clean->section(QLatin1Char('/'), 0, 0);
        if (first == QLatin1String(".git") || first == QLatin1String(".orrery") || first == QLatin1String(".dvc")) {
            m_check.error(node.Mark(), QStringLiteral("%1 '%2' is inside %3, which is not the project's data; give a path such as %4").arg(what, *t, first, example));
            return QString();
        }
        return *clean;
    }

    void dataset(const YAML::Node &node, DatasetConfig *d)
    {
        YamlCheck::Entries e;
        if (!m_check.entries(node, QStringLiteral("'dataset'"), kDatasetKeys, &e))
            return;
        for (const QString &required : {QStringLiteral("path"), QStringLiteral("label")})
            if (!e.contains(required))
                m_check.error(node.Mark(), QStringLiteral("'dataset' has no '%1'; add e.g. %2").arg(required, example(required)));
        if (e.contains(QStringLiteral("path"))) {
            const YAML::Node &n = e[QStringLiteral("path")].second;
            d->path = relativePath(n, QStringLiteral("the dataset's path"), QStringLiteral("data/transactions.csv"));
            if (!d->path.isEmpty() && !m_context.root.isEmpty() && !QFileInfo(m_context.root + QLatin1Char('/') + d->dvcFile()).isFile())
                m_check.error(n.Mark(), QStringLiteral("the dataset %1 is not tracked data (there is no %2); version it with `orrery-cli data add %1` and commit the .dvc file")
                                            .arg(d->path, d->dvcFile()));
        }
        if (e.contains(QStringLiteral("label")))
            if (auto l = m_check.text(e[QStringLiteral("label")].second, QStringLiteral("the dataset's label"), QStringLiteral("label: is_fraud")))
                d->label = l->trimmed();
        if (e.contains(QStringLiteral("columns")) && !e[QStringLiteral("columns")].second.IsNull())
            columns(e[QStringLiteral("columns")].second, d);
        QString policy = QStringLiteral("all");
        YAML::Mark policyMark = node.Mark();
        if (e.contains(QStringLiteral("policy"))) {
            policyMark = e[QStringLiteral("policy")].second.Mark();
            if (auto p = m_check.text(e[QStringLiteral("policy")].second, QStringLiteral("the dataset's policy"), QStringLiteral("policy: recent"))) {
                policy = p->trimmed().toLower();
                if (!kPolicies.contains(policy)) {
                    m_check.error(policyMark, QStringLiteral("the policy '%1' is none of all, recent, sample; %2write one of them").arg(*p, nearestWord(*p, kPolicies)));
                    return;
                }
            }
        }
        d->policy = DataPolicy(kPolicies.indexOf(policy));
        const bool recent = d->policy == DataPolicy::Recent, sample = d->policy == DataPolicy::Sample;
        if (e.contains(QStringLiteral("window"))) {
            if (!recent)
                m_check.error(e[QStringLiteral("window")].first.Mark(), QStringLiteral("'window' applies to policy: recent only (the policy is %1); remove it or set policy: recent").arg(policy));
            else if (auto w = m_check.duration(e[QStringLiteral("window")].second, QStringLiteral("the dataset's window"), 60'000, 3650 * kDay))
                d->windowMs = *w;
        } else if (recent) {
            m_check.error(policyMark, QStringLiteral("policy: recent needs a 'window' (how far back predictions count); add e.g. window: 7d"));
        }
        if (e.contains(QStringLiteral("rows"))) {
            if (!sample)
                m_check.error(e[QStringLiteral("rows")].first.Mark(), QStringLiteral("'rows' applies to policy: sample only (the policy is %1); remove it or set policy: sample").arg(policy));
            else if (auto r = m_check.integer(e[QStringLiteral("rows")].second, QStringLiteral("the dataset's rows"), 1, 100'000'000))
                d->rows = int(*r);
        } else if (sample) {
            m_check.error(policyMark, QStringLiteral("policy: sample needs 'rows' (how many labelled rows to draw); add e.g. rows: 5000"));
        }
        if (e.contains(QStringLiteral("seed"))) {
            if (!sample)
                m_check.error(e[QStringLiteral("seed")].first.Mark(), QStringLiteral("'seed' applies to policy: sample only (the policy is %1); remove it or set policy: sample").arg(policy));
            else if (auto s = m_check.integer(e[QStringLiteral("seed")].second, QStringLiteral("the dataset's seed"), 0, std::numeric_limits<qint64>::max()))
                d->seed = quint64(*s);
        }
        if (e.contains(QStringLiteral("keep")))
            if (auto k = m_check.duration(e[QStringLiteral("keep")].second, QStringLiteral("the dataset's keep"), 60'000, 3650 * kDay))
                d->keepMs = *k;
        if (e.contains(QStringLiteral("time_column")))
            if (auto t = m_check.text(e[QStringLiteral("time_column")].second, QStringLiteral("the dataset's time_column"), QStringLiteral("time_column: timestamp")))
                d->timeColumn = *t;
        if (d->keepMs > 0 && d->timeColumn.isEmpty())
            m_check.error(e[QStringLiteral("keep")].first.Mark(), QStringLiteral("'keep' needs time_column: the column whose time says how old a row is, e.g. time_column: timestamp"));
        if (d->keepMs == 0 && e.contains(QStringLiteral("time_column")))
            m_check.error(e[QStringLiteral("time_column")].first.Mark(), QStringLiteral("'time_column' is used by keep only; add e.g. keep: 30d or remove it"));
    }

    void columns(const YAML::Node &node, DatasetConfig *d)
    {
        if (!node.IsMap()) {
            m_check.error(node.Mark(), QStringLiteral("'columns' must map column names to what fills them, e.g. columns: {timestamp: $time, transaction_id: $request}"));
            return;
        }
        QSet<QString> seen;
        for (const auto &kv : node) {
            const QString column = kv.first.IsScalar() ? QString::fromStdString(kv.first.Scalar()).trimmed() : QString();
            if (column.isEmpty()) {
                m_check.error(kv.first.Mark(), QStringLiteral("a key of 'columns' is empty; write the dataset's column name"));
                continue;
            }
            if (seen.contains(column)) {
                m_check.error(kv.first.Mark(), QStringLiteral("column '%1' appears twice in 'columns'; keep one").arg(column));
                continue;
            }
            seen.insert(column);
            if (column == d->label) {
                m_check.error(kv.first.Mark(), QStringLiteral("column '%1' is the label, which the delayed labels fill; remove it from 'columns'").arg(column));
                continue;
            }
            if (!kv.second.IsNull() && !kv.second.IsScalar()) {
                m_check.error(kv.second.Mark(), QStringLiteral("what fills column '%1' must be $time, $request, $prediction or a text").arg(column));
                continue;
            }
            ColumnFill fill;
            fill.column = column;
            const QString value = kv.second.IsNull() ? QString() : QString::fromStdString(kv.second.Scalar());
            if (value.startsWith(QLatin1Char('$'))) {
                const QString token = value.toLower();
                if (token == QLatin1String("$time"))
                    fill.kind = ColumnFill::Kind::Time;
                else if (token == QLatin1String("$request"))
                    fill.kind = ColumnFill::Kind::Request;
                else if (token == QLatin1String("$prediction"))
                    fill.kind = ColumnFill::Kind::Prediction;
                else {
                    m_check.error(kv.second.Mark(), QStringLiteral("'%1' for column '%2' is none of $time, $request, $prediction; %3write one of them (or quote a text with a '$' in it after another character)")
                                                        .arg(value, column, nearestWord(value, {QStringLiteral("$time"), QStringLiteral("$request"), QStringLiteral("$prediction")})));
                    continue;
                }
            } else {
                fill.value = value;
            }
            d->columns.append(fill);
        }
    }

    void triggers(const YAML::Node &node, TriggerConfig *t)
    {
        YamlCheck::Entries e;
        if (!m_check.entries(node, QStringLiteral("'triggers'"), kTriggerKeys, &e))
            return;
        if (e.contains(QStringLiteral("schedule")) && !e[QStringLiteral("schedule")].second.IsNull()) {
            const YAML::Node &n = e[QStringLiteral("schedule")].second;
            if (auto text = m_check.text(n, QStringLiteral("the schedule"), QStringLiteral("schedule: \"0 3 * * *\""))) {
                auto cron = CronSchedule::parse(*text);
                if (!cron)
                    m_check.error(n.Mark(), cron.status().message());
                else
                    t->schedule = *cron;
            }
        }
        if (e.contains(QStringLiteral("data")) && !e[QStringLiteral("data")].second.IsNull()) {
            const YAML::Node &n = e[QStringLiteral("data")].second;
            const QString example = QStringLiteral("data: [data/transactions.csv.dvc, data/incoming/]");
            if (!n.IsScalar() && !n.IsSequence()) {
                m_check.error(n.Mark(), QStringLiteral("the data trigger must list .dvc files and folders to watch, e.g. %1").arg(example));
            } else {
                const std::vector<YAML::Node> items = n.IsScalar() ? std::vector<YAML::Node>{n} : std::vector<YAML::Node>(n.begin(), n.end());
                for (const YAML::Node &item : items) {
                    const QString path = relativePath(item, QStringLiteral("a watched path of the data trigger"), QStringLiteral("data/transactions.csv.dvc"));
                    if (path.isEmpty())
                        continue;
                    const QString absolute = m_context.root + QLatin1Char('/') + path;
                    if (path.endsWith(QLatin1String(".dvc"))) {
                        if (!m_context.root.isEmpty() && !QFileInfo(absolute).isFile())
                            m_check.error(item.Mark(), QStringLiteral("the watched %1 does not exist; name a .dvc file of the workspace (`orrery-cli data add` writes them)").arg(path));
                        else if (!t->watchedFiles.contains(path))
                            t->watchedFiles << path;
                    } else if (!m_context.root.isEmpty() && QFileInfo(absolute).isFile()) {
                        m_check.error(item.Mark(), QStringLiteral("the watched %1 is a file but no .dvc file; watch its .dvc file (%1.dvc) or a folder").arg(path));
                    } else if (!t->watchedFolders.contains(path)) {
                        t->watchedFolders << path;
                    }
                }
            }
        }
        if (e.contains(QStringLiteral("alert")) && !e[QStringLiteral("alert")].second.IsNull()) {
            const YAML::Node &n = e[QStringLiteral("alert")].second;
            if (auto names = m_check.texts(n, QStringLiteral("the alert trigger"), QStringLiteral("alert: [FeatureDrift, ModelAccuracyLow]"))) {
                for (const QString &name : *names) {
                    if (m_context.checkAlerts && !m_context.alertNames.contains(name))
                        m_check.error(n.Mark(), QStringLiteral("the alert trigger names '%1', which alerts.yaml does not define; %2its alerts are: %3")
                                                    .arg(name, nearestWord(name, m_context.alertNames), m_context.alertNames.join(QStringLiteral(", "))));
                    else if (!t->alerts.contains(name))
                        t->alerts << name;
                }
            }
        }
        if (e.contains(QStringLiteral("manual")))
            if (auto m = m_check.boolean(e[QStringLiteral("manual")].second, QStringLiteral("the manual trigger")))
                t->manual = *m;
    }

    void policies(const YAML::Node &node, PolicyConfig *p)
    {
        YamlCheck::Entries e;
        if (!m_check.entries(node, QStringLiteral("'policies'"), kPolicyKeys, &e))
            return;
        if (e.contains(QStringLiteral("cooldown")))
            if (auto d = m_check.duration(e[QStringLiteral("cooldown")].second, QStringLiteral("the cooldown"), 0, 30 * kDay))
                p->cooldownMs = *d;
        if (e.contains(QStringLiteral("max_per_day")))
            if (auto n = m_check.integer(e[QStringLiteral("max_per_day")].second, QStringLiteral("max_per_day"), 1, 1440))
                p->maxPerDay = int(*n);
        if (e.contains(QStringLiteral("require_approval")))
            if (auto b = m_check.boolean(e[QStringLiteral("require_approval")].second, QStringLiteral("require_approval")))
                p->requireApproval = *b;
        if (e.contains(QStringLiteral("min_rows")))
            if (auto n = m_check.integer(e[QStringLiteral("min_rows")].second, QStringLiteral("min_rows"), 0, 1'000'000'000))
                p->minRows = *n;
    }

    // A number in [min, max], or reported.
    std::optional<double> number(const YAML::Node &node, const QString &what, double min, double max, const QString &example)
    {
        auto t = m_check.text(node, what, example);
        if (!t)
            return std::nullopt;
        bool ok = false;
        const double v = t->trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v) || v < min || v > max) {
            m_check.error(node.Mark(), QStringLiteral("%1 '%2' is not a number from %3 to %4; e.g. %5").arg(what, *t).arg(min).arg(max).arg(example));
            return std::nullopt;
        }
        return v;
    }

    void gate(const YAML::Node &node, GateConfig *g)
    {
        YamlCheck::Entries e;
        if (!m_check.entries(node, QStringLiteral("'gate'"), kGateKeys, &e))
            return;
        if (e.contains(QStringLiteral("metric")))
            if (auto m = m_check.text(e[QStringLiteral("metric")].second, QStringLiteral("the gate's metric"), QStringLiteral("metric: roc_auc"))) {
                if (!kGateMetrics.contains(*m))
                    m_check.error(e[QStringLiteral("metric")].second.Mark(),
                                  QStringLiteral("the gate's metric '%1' is not one the loop computes; use one of %2").arg(*m, kGateMetrics.join(QStringLiteral(", "))));
                else
                    g->metric = *m;
            }
        if (e.contains(QStringLiteral("min_improvement")))
            if (auto v = number(e[QStringLiteral("min_improvement")].second, QStringLiteral("the gate's min_improvement"), -1, 1, QStringLiteral("min_improvement: 0.0")))
                g->minImprovement = *v;
        if (e.contains(QStringLiteral("holdout")))
            if (auto v = number(e[QStringLiteral("holdout")].second, QStringLiteral("the gate's holdout"), 0, 0.9, QStringLiteral("holdout: 0.2")))
                g->holdout = *v;
        if (e.contains(QStringLiteral("min_rows")))
            if (auto n = m_check.integer(e[QStringLiteral("min_rows")].second, QStringLiteral("the gate's min_rows"), 0, 100'000'000))
                g->minRows = int(*n);
    }

    void canary(const YAML::Node &node, CanaryConfig *c)
    {
        YamlCheck::Entries e;
        if (!m_check.entries(node, QStringLiteral("'canary'"), kCanaryKeys, &e))
            return;
        if (e.contains(QStringLiteral("steps"))) {
            const YAML::Node &n = e[QStringLiteral("steps")].second;
            if (auto items = m_check.texts(n, QStringLiteral("the canary's steps"), QStringLiteral("steps: [5, 25, 50, 100]"))) {
                auto steps = deploy::parseSteps(items->join(QLatin1Char(',')));
                if (!steps)
                    m_check.error(n.Mark(), QStringLiteral("the canary's steps: %1").arg(steps.status().message()));
                else
                    c->steps = *steps;
            }
        }
        if (e.contains(QStringLiteral("pause")))
            if (auto d = m_check.duration(e[QStringLiteral("pause")].second, QStringLiteral("the canary's pause"), 0, kDay))
                c->pauseMs = *d;
        if (e.contains(QStringLiteral("analysis"))) {
            const YAML::Node &n = e[QStringLiteral("analysis")].second;
            const QString text = n.IsNull() ? QString() : n.IsScalar() ? QString::fromStdString(n.Scalar()) : QStringLiteral("?");
            if (Status s = deploy::validateAnalysis(text); !s.isOk())
                m_check.error(n.Mark(), QStringLiteral("the canary's analysis: %1").arg(s.message()));
            else
                c->analysis = text;
        }
        if (e.contains(QStringLiteral("min_requests")))
            if (auto n = m_check.integer(e[QStringLiteral("min_requests")].second, QStringLiteral("the canary's min_requests"), 1, 100'000'000))
                c->minRequests = int(*n);
        if (e.contains(QStringLiteral("max_inconclusive")))
            if (auto n = m_check.integer(e[QStringLiteral("max_inconclusive")].second, QStringLiteral("the canary's max_inconclusive"), 0, 1000))
                c->maxInconclusive = int(*n);
    }

    YamlCheck &m_check;
    const CtCheckContext &m_context;
};

} // namespace

QString dataPolicyName(DataPolicy p) { return kPolicies.value(int(p)); }

QString DatasetConfig::policyText() const
{
    switch (policy) {
    case DataPolicy::All: return QStringLiteral("all");
    case DataPolicy::Recent: return QStringLiteral("recent %1").arg(common::durationText(windowMs));
    case DataPolicy::Sample: return QStringLiteral("sample %1 rows (seed %2)").arg(rows).arg(seed);
    }
    return QString();
}

CtConfigCheck checkCtConfig(const QByteArray &yaml, const QString &fileName, const CtCheckContext &context)
{
    CtConfigCheck out;
    out.config.source = fileName;
    YamlCheck check(fileName);
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        ConfigReader(check, context).read(root, &out.config);
    } catch (const YAML::Exception &e) {
        check.error(e.mark, QStringLiteral("YAML syntax: %1 (quote text that holds : { } [ ] > * or #)").arg(QString::fromStdString(e.msg)));
    }
    out.errors = check.errors();
    return out;
}

Result<CtConfig> loadCtConfig(const QString &root)
{
    const QString path = root + QLatin1Char('/') + kCtFileName;
    QFile file(path);
    if (!file.exists())
        return notFound(QStringLiteral("%1 has no %2, so the loop has nothing to retrain; write one (model, endpoint, dataset, triggers — "
                                       "`orrery-cli ct check --help` shows an example) and check it with `orrery-cli ct check`")
                            .arg(root, kCtFileName));
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    CtCheckContext context;
    context.root = root;
    context.checkAlerts = true;
    ORRERY_ASSIGN_OR_RETURN(const auto alerts, monitor::loadAlertConfig(root + QLatin1Char('/') + monitor::kAlertsFileName));
    for (const auto &rule : alerts.rules)
        context.alertNames << rule.name;
    CtConfigCheck checked = checkCtConfig(file.readAll(), path, context);
    if (!checked.errors.isEmpty())
        return invalidArgument(checked.errors.join(QLatin1Char('\n')));
    return checked.config;
}

} // namespace orrery::ct
