#include "core/tune/sweep_file.h"

#include "core/common/yaml_check.h"

#include <yaml-cpp/yaml.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <cmath>

namespace orrery::tune {
namespace {

using common::YamlCheck;

const QStringList kTopKeys = {QStringLiteral("name"),    QStringLiteral("train"),         QStringLiteral("stage"),   QStringLiteral("metric"),
                              QStringLiteral("direction"), QStringLiteral("trials"),      QStringLiteral("parallel"), QStringLiteral("trial_timeout"),
                              QStringLiteral("sampler"), QStringLiteral("pruner"),        QStringLiteral("enqueue"), QStringLiteral("params"),
                              QStringLiteral("placement")};
const QStringList kParamKeys = {QStringLiteral("type"), QStringLiteral("low"),     QStringLiteral("high"), QStringLiteral("log"),
                                QStringLiteral("step"), QStringLiteral("choices"), QStringLiteral("when")};
const QStringList kSamplerKeys = {QStringLiteral("type"), QStringLiteral("seed"), QStringLiteral("startup_trials"), QStringLiteral("candidates"),
                                  QStringLiteral("multivariate")};
const QStringList kPrunerKeys = {QStringLiteral("type"),          QStringLiteral("startup_trials"),   QStringLiteral("warmup_steps"),
                                 QStringLiteral("min_resource"),  QStringLiteral("reduction_factor"), QStringLiteral("min_early_stopping_rate"),
                                 QStringLiteral("max_resource")};
const QStringList kParamTypes = {QStringLiteral("float"), QStringLiteral("int"), QStringLiteral("categorical")};

// A YAML value as JSON: plain scalars that read as booleans or numbers become them, quoted ones
// stay text (so choices: ["1", 1] are two choices).
QJsonValue toJson(const YAML::Node &node)
{
    if (node.IsSequence()) {
        QJsonArray a;
        for (const auto &item : node)
            a.append(toJson(item));
        return a;
    }
    if (node.IsMap()) {
        QJsonObject o;
        for (const auto &kv : node)
            o.insert(QString::fromStdString(kv.first.as<std::string>("")), toJson(kv.second));
        return o;
    }
    if (node.IsNull())
        return QJsonValue();
    const QString text = QString::fromStdString(node.Scalar());
    if (node.Tag() == "!")
        return text;
    if (text == QLatin1String("true"))
        return true;
    if (text == QLatin1String("false"))
        return false;
    bool ok = false;
    const qint64 i = text.toLongLong(&ok);
    if (ok)
        return double(i);
    const double d = text.toDouble(&ok);
    if (ok && std::isfinite(d))
        return d;
    return text;
}

class SweepReader {
public:
    SweepReader(YamlCheck &check, QString baseDir) : m_check(check), m_baseDir(std::move(baseDir)) {}

    void read(const YAML::Node &root, SweepSpec *out)
    {
        YamlCheck::Entries e;
        if (!m_check.entries(root, QStringLiteral("the sweep file"), kTopKeys, &e))
            return;
        if (e.contains(QStringLiteral("name")))
            if (auto v = m_check.text(e[QStringLiteral("name")].second, QStringLiteral("name"), QStringLiteral("fraud-mlp")))
                out->name = *v;
        const bool hasTrain = e.contains(QStringLiteral("train"));
        const bool hasStage = e.contains(QStringLiteral("stage"));
        if (hasTrain == hasStage) {
            m_check.error(root.Mark(), hasTrain ? QStringLiteral("give either train (a training config) or stage (a dvc.yaml stage), not both")
                                                : QStringLiteral("say what to tune: train: train.yaml (a training config) or stage: NAME (a dvc.yaml stage)"));
        } else if (hasTrain) {
            const auto &[key, value] = e[QStringLiteral("train")];
            if (auto v = m_check.text(value, QStringLiteral("train"), QStringLiteral("train.yaml"))) {
                out->trainConfig = QDir::cleanPath(QDir(m_baseDir).absoluteFilePath(*v));
                if (!QFileInfo(out->trainConfig).isFile())
                    m_check.error(value.Mark(), QStringLiteral("the training config %1 does not exist; give the path of one (relative to the sweep file)").arg(out->trainConfig));
            }
        } else if (auto v = m_check.text(e[QStringLiteral("stage")].second, QStringLiteral("stage"), QStringLiteral("train"))) {
            out->stage = *v;
        }
        if (!e.contains(QStringLiteral("metric")))
            m_check.error(root.Mark(), QStringLiteral("say what to optimise: metric: val_average_precision (a validation metric the training logs)"));
        else if (auto v = m_check.text(e[QStringLiteral("metric")].second, QStringLiteral("metric"), QStringLiteral("val_average_precision")))
            out->metric = *v;
        out->direction = out->metric.contains(QStringLiteral("loss")) || out->metric.contains(QStringLiteral("error")) ? Direction::Minimize : Direction::Maximize;
        if (e.contains(QStringLiteral("direction"))) {
            const YAML::Node &node = e[QStringLiteral("direction")].second;
            if (auto v = m_check.text(node, QStringLiteral("direction"), QStringLiteral("maximize"))) {
                if (*v == QLatin1String("maximize") || *v == QLatin1String("max"))
                    out->direction = Direction::Maximize;
                else if (*v == QLatin1String("minimize") || *v == QLatin1String("min"))
                    out->direction = Direction::Minimize;
                else
                    m_check.error(node.Mark(), QStringLiteral("direction '%1' is neither maximize nor minimize").arg(*v));
            }
        }
        if (e.contains(QStringLiteral("trials")))
            if (auto v = m_check.integer(e[QStringLiteral("trials")].second, QStringLiteral("trials"), 1, 1000000))
                out->trials = int(*v);
        if (e.contains(QStringLiteral("parallel")))
            if (auto v = m_check.integer(e[QStringLiteral("parallel")].second, QStringLiteral("parallel"), 1, 256))
                out->parallel = int(*v);
        if (e.contains(QStringLiteral("trial_timeout")))
            if (auto v = m_check.duration(e[QStringLiteral("trial_timeout")].second, QStringLiteral("trial_timeout"), 1000, 30LL * 24 * 3600 * 1000))
                out->trialTimeoutMs = *v;
        if (e.contains(QStringLiteral("sampler")))
            readSampler(e[QStringLiteral("sampler")].second, &out->sampler);
        if (e.contains(QStringLiteral("pruner")))
            readPruner(e[QStringLiteral("pruner")].second, &out->pruner);
        if (!e.contains(QStringLiteral("params")))
            m_check.error(root.Mark(), QStringLiteral("say what to search: params: {optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}}"));
        else
            readParams(e[QStringLiteral("params")].second, &out->space);
        if (e.contains(QStringLiteral("enqueue")))
            readEnqueue(e[QStringLiteral("enqueue")].second, out);
        if (e.contains(QStringLiteral("placement")))
            out->placement = exec::readPlacement(m_check, e[QStringLiteral("placement")].second, QStringLiteral("the placement"));
    }

private:
    // A {type: NAME, …} mapping, or just NAME.
    bool typed(const YAML::Node &node, const QString &what, const QStringList &keys, YamlCheck::Entries *e)
    {
        if (node.IsScalar()) {
            e->insert(QStringLiteral("type"), {node, node});
            return true;
        }
        return m_check.entries(node, what, keys, e);
    }

    void readSampler(const YAML::Node &node, SamplerSpec *s)
    {
        YamlCheck::Entries e;
        if (!typed(node, QStringLiteral("sampler"), kSamplerKeys, &e))
            return;
        if (e.contains(QStringLiteral("type")))
            if (auto v = m_check.text(e[QStringLiteral("type")].second, QStringLiteral("the sampler's type"), QStringLiteral("tpe")))
                s->type = *v;
        if (e.contains(QStringLiteral("seed")))
            if (auto v = m_check.integer(e[QStringLiteral("seed")].second, QStringLiteral("the sampler's seed"), 0, std::numeric_limits<qint64>::max()))
                s->seed = quint64(*v);
        if (e.contains(QStringLiteral("startup_trials")))
            if (auto v = m_check.integer(e[QStringLiteral("startup_trials")].second, QStringLiteral("startup_trials"), 0, 100000))
                s->startupTrials = int(*v);
        if (e.contains(QStringLiteral("candidates")))
            if (auto v = m_check.integer(e[QStringLiteral("candidates")].second, QStringLiteral("candidates"), 1, 100000))
                s->candidates = int(*v);
        if (e.contains(QStringLiteral("multivariate")))
            if (auto v = m_check.boolean(e[QStringLiteral("multivariate")].second, QStringLiteral("multivariate")))
                s->multivariate = *v;
        m_samplerMark = e.contains(QStringLiteral("type")) ? e[QStringLiteral("type")].second.Mark() : node.Mark();
    }

    void readPruner(const YAML::Node &node, PrunerSpec *p)
    {
        YamlCheck::Entries e;
        if (!typed(node, QStringLiteral("pruner"), kPrunerKeys, &e))
            return;
        if (e.contains(QStringLiteral("type")))
            if (auto v = m_check.text(e[QStringLiteral("type")].second, QStringLiteral("the pruner's type"), QStringLiteral("median")))
                p->type = *v;
        const auto number = [&](const QString &key, int *field, qint64 min) {
            if (e.contains(key))
                if (auto v = m_check.integer(e[key].second, key, min, 1000000))
                    *field = int(*v);
        };
        number(QStringLiteral("startup_trials"), &p->startupTrials, 0);
        number(QStringLiteral("warmup_steps"), &p->warmupSteps, 0);
        number(QStringLiteral("min_resource"), &p->minResource, 1);
        number(QStringLiteral("reduction_factor"), &p->reductionFactor, 2);
        number(QStringLiteral("min_early_stopping_rate"), &p->minEarlyStoppingRate, 0);
        number(QStringLiteral("max_resource"), &p->maxResource, 1);
        m_prunerMark = e.contains(QStringLiteral("type")) ? e[QStringLiteral("type")].second.Mark() : node.Mark();
    }

    std::optional<double> number(const YAML::Node &node, const QString &what)
    {
        const auto t = m_check.text(node, what, QStringLiteral("0.001"));
        if (!t)
            return std::nullopt;
        bool ok = false;
        const double v = t->trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v)) {
            m_check.error(node.Mark(), QStringLiteral("%1 '%2' is not a number; write one such as 0.001 or 1.0e-4").arg(what, *t));
            return std::nullopt;
        }
        return v;
    }

    void readParams(const YAML::Node &node, SearchSpace *space)
    {
        if (!node.IsMap() || node.size() == 0) {
            m_check.error(node.Mark(), QStringLiteral("params must map each parameter to its range, e.g. optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}"));
            return;
        }
        QVector<ParamSpec> params;
        QVector<YAML::Mark> marks;
        bool ok = true;
        for (const auto &kv : node) {
            ParamSpec p;
            p.name = QString::fromStdString(kv.first.as<std::string>(""));
            const QString what = QStringLiteral("parameter '%1'").arg(p.name);
            YamlCheck::Entries e;
            if (!m_check.entries(kv.second, what, kParamKeys, &e)) {
                ok = false;
                continue;
            }
            const int before = m_check.count();
            QString type;
            if (!e.contains(QStringLiteral("type")))
                type = e.contains(QStringLiteral("choices")) ? QStringLiteral("categorical") : QStringLiteral("float");
            else if (auto v = m_check.text(e[QStringLiteral("type")].second, what + QStringLiteral("'s type"), QStringLiteral("float")))
                type = *v;
            if (!type.isEmpty() && !kParamTypes.contains(type))
                m_check.error(e[QStringLiteral("type")].second.Mark(), QStringLiteral("%1: unknown type '%2'; %3the types are float, int, categorical")
                                                                         .arg(what, type, common::nearestWord(type, kParamTypes)));
            p.kind = type == QLatin1String("int") ? ParamKind::Int : type == QLatin1String("categorical") ? ParamKind::Categorical : ParamKind::Float;
            if (p.kind == ParamKind::Categorical) {
                if (!e.contains(QStringLiteral("choices"))) {
                    m_check.error(kv.second.Mark(), QStringLiteral("%1 is categorical: give its choices, e.g. choices: [adam, sgd]").arg(what));
                } else {
                    const YAML::Node &choices = e[QStringLiteral("choices")].second;
                    if (!choices.IsSequence())
                        m_check.error(choices.Mark(), QStringLiteral("%1: choices must be a list, e.g. [adam, sgd]").arg(what));
                    else
                        for (const auto &c : choices)
                            p.choices.push_back(toJson(c));
                }
                for (const char *key : {"low", "high", "log", "step"})
                    if (e.contains(QLatin1String(key)))
                        m_check.error(e[QLatin1String(key)].first.Mark(), QStringLiteral("%1 is categorical; '%2' belongs to float and int parameters").arg(what, QLatin1String(key)));
            } else {
                for (const char *key : {"low", "high"})
                    if (!e.contains(QLatin1String(key)))
                        m_check.error(kv.second.Mark(), QStringLiteral("%1 needs low and high, e.g. {type: %2, low: 1, high: 10}").arg(what, type));
                if (e.contains(QStringLiteral("low")))
                    p.low = number(e[QStringLiteral("low")].second, what + QStringLiteral("'s low")).value_or(0.0);
                if (e.contains(QStringLiteral("high")))
                    p.high = number(e[QStringLiteral("high")].second, what + QStringLiteral("'s high")).value_or(0.0);
                if (e.contains(QStringLiteral("log")))
                    p.log = m_check.boolean(e[QStringLiteral("log")].second, what + QStringLiteral("'s log")).value_or(false);
                if (e.contains(QStringLiteral("step")))
                    p.step = number(e[QStringLiteral("step")].second, what + QStringLiteral("'s step")).value_or(0.0);
                if (e.contains(QStringLiteral("choices")))
                    m_check.error(e[QStringLiteral("choices")].first.Mark(), QStringLiteral("%1 is %2; choices belong to categorical parameters").arg(what, type));
            }
            if (e.contains(QStringLiteral("when"))) {
                const YAML::Node &when = e[QStringLiteral("when")].second;
                if (!when.IsMap() || when.size() != 1) {
                    m_check.error(when.Mark(), QStringLiteral("%1: when names one earlier categorical parameter and its value(s), e.g. when: {optimizer.name: sgd}").arg(what));
                } else {
                    p.parent = QString::fromStdString(when.begin()->first.as<std::string>(""));
                    const QJsonValue values = toJson(when.begin()->second);
                    if (values.isArray())
                        for (const auto &v : values.toArray())
                            p.parentValues.push_back(v);
                    else
                        p.parentValues.push_back(values);
                }
            }
            if (m_check.count() != before) {
                ok = false;
                continue;
            }
            // The space's own rules, checked one parameter at a time so a problem is reported
            // where that parameter is written.
            params.push_back(p);
            marks.push_back(kv.first.Mark());
            SearchSpace prefix(params);
            if (const Status s = prefix.validate(); !s) {
                m_check.error(kv.first.Mark(), s.message());
                params.pop_back();
                marks.pop_back();
                ok = false;
            }
        }
        if (ok) {
            *space = SearchSpace(params);
            (void)space->validate();
        }
    }

    void readEnqueue(const YAML::Node &node, SweepSpec *out)
    {
        if (!node.IsSequence()) {
            m_check.error(node.Mark(), QStringLiteral("enqueue must be a list of configurations, e.g. - {optimizer.lr: 0.003}"));
            return;
        }
        for (const auto &item : node) {
            const QJsonValue v = toJson(item);
            if (!v.isObject()) {
                m_check.error(item.Mark(), QStringLiteral("a queued configuration must map parameters to values, e.g. {optimizer.lr: 0.003}"));
                continue;
            }
            if (out->space.size() > 0)
                if (auto p = out->space.fromJson(v.toObject()); !p)
                    m_check.error(item.Mark(), QStringLiteral("this queued configuration: %1").arg(p.status().message()));
            out->enqueue.push_back(v.toObject());
        }
    }

public:
    YAML::Mark m_samplerMark;
    YAML::Mark m_prunerMark;

private:
    YamlCheck &m_check;
    QString m_baseDir;
};

QJsonArray jsonArray(const QVector<QJsonValue> &values)
{
    QJsonArray a;
    for (const auto &v : values)
        a.append(v);
    return a;
}

QVector<QJsonValue> values(const QJsonArray &a)
{
    QVector<QJsonValue> out;
    for (const auto &v : a)
        out.push_back(v);
    return out;
}

QString kindName(ParamKind k)
{
    return k == ParamKind::Int ? QStringLiteral("int") : k == ParamKind::Categorical ? QStringLiteral("categorical") : QStringLiteral("float");
}

} // namespace

QString directionName(Direction direction)
{
    return direction == Direction::Minimize ? QStringLiteral("minimize") : QStringLiteral("maximize");
}

QJsonObject SweepSpec::toJson() const
{
    QJsonArray params;
    for (const ParamSpec &p : space.params()) {
        QJsonObject o{{QStringLiteral("name"), p.name}, {QStringLiteral("type"), kindName(p.kind)}};
        if (p.kind == ParamKind::Categorical) {
            o.insert(QStringLiteral("choices"), jsonArray(p.choices));
        } else {
            o.insert(QStringLiteral("low"), p.low);
            o.insert(QStringLiteral("high"), p.high);
            o.insert(QStringLiteral("log"), p.log);
            o.insert(QStringLiteral("step"), p.step);
        }
        if (!p.parent.isEmpty()) {
            o.insert(QStringLiteral("parent"), p.parent);
            o.insert(QStringLiteral("parent_values"), jsonArray(p.parentValues));
        }
        params.append(o);
    }
    QJsonArray queued;
    for (const auto &q : enqueue)
        queued.append(q);
    return QJsonObject{
        {QStringLiteral("name"), name},
        {QStringLiteral("file"), file},
        {QStringLiteral("train"), trainConfig},
        {QStringLiteral("stage"), stage},
        {QStringLiteral("metric"), metric},
        {QStringLiteral("direction"), directionName(direction)},
        {QStringLiteral("trials"), trials},
        {QStringLiteral("parallel"), parallel},
        {QStringLiteral("trial_timeout_ms"), trialTimeoutMs},
        {QStringLiteral("params"), params},
        {QStringLiteral("sampler"), QJsonObject{{QStringLiteral("type"), sampler.type},
                                                {QStringLiteral("seed"), QString::number(sampler.seed)},
                                                {QStringLiteral("startup_trials"), sampler.startupTrials},
                                                {QStringLiteral("candidates"), sampler.candidates},
                                                {QStringLiteral("multivariate"), sampler.multivariate}}},
        {QStringLiteral("pruner"), QJsonObject{{QStringLiteral("type"), pruner.type},
                                               {QStringLiteral("startup_trials"), pruner.startupTrials},
                                               {QStringLiteral("warmup_steps"), pruner.warmupSteps},
                                               {QStringLiteral("min_resource"), pruner.minResource},
                                               {QStringLiteral("reduction_factor"), pruner.reductionFactor},
                                               {QStringLiteral("min_early_stopping_rate"), pruner.minEarlyStoppingRate},
                                               {QStringLiteral("max_resource"), pruner.maxResource}}},
        {QStringLiteral("enqueue"), queued},
        {QStringLiteral("placement"), exec::placementToJson(placement)},
    };
}

Result<SweepSpec> SweepSpec::fromJson(const QJsonObject &j)
{
    SweepSpec s;
    s.name = j.value(QStringLiteral("name")).toString();
    s.file = j.value(QStringLiteral("file")).toString();
    s.trainConfig = j.value(QStringLiteral("train")).toString();
    s.stage = j.value(QStringLiteral("stage")).toString();
    s.metric = j.value(QStringLiteral("metric")).toString();
    s.direction = j.value(QStringLiteral("direction")).toString() == QLatin1String("minimize") ? Direction::Minimize : Direction::Maximize;
    s.trials = j.value(QStringLiteral("trials")).toInt(20);
    s.parallel = j.value(QStringLiteral("parallel")).toInt(1);
    s.trialTimeoutMs = j.value(QStringLiteral("trial_timeout_ms")).toInteger();
    s.placement = exec::placementFromJson(j.value(QStringLiteral("placement")).toObject());
    QVector<ParamSpec> params;
    for (const auto &v : j.value(QStringLiteral("params")).toArray()) {
        const QJsonObject o = v.toObject();
        ParamSpec p;
        p.name = o.value(QStringLiteral("name")).toString();
        const QString kind = o.value(QStringLiteral("type")).toString();
        p.kind = kind == QLatin1String("int") ? ParamKind::Int : kind == QLatin1String("categorical") ? ParamKind::Categorical : ParamKind::Float;
        p.choices = values(o.value(QStringLiteral("choices")).toArray());
        p.low = o.value(QStringLiteral("low")).toDouble();
        p.high = o.value(QStringLiteral("high")).toDouble();
        p.log = o.value(QStringLiteral("log")).toBool();
        p.step = o.value(QStringLiteral("step")).toDouble();
        p.parent = o.value(QStringLiteral("parent")).toString();
        p.parentValues = values(o.value(QStringLiteral("parent_values")).toArray());
        params.push_back(p);
    }
    s.space = SearchSpace(params);
    ORRERY_TRY(s.space.validate());
    const QJsonObject sampler = j.value(QStringLiteral("sampler")).toObject();
    s.sampler.type = sampler.value(QStringLiteral("type")).toString();
    s.sampler.seed = sampler.value(QStringLiteral("seed")).toString().toULongLong();
    s.sampler.startupTrials = sampler.value(QStringLiteral("startup_trials")).toInt();
    s.sampler.candidates = sampler.value(QStringLiteral("candidates")).toInt();
    s.sampler.multivariate = sampler.value(QStringLiteral("multivariate")).toBool();
    const QJsonObject pruner = j.value(QStringLiteral("pruner")).toObject();
    s.pruner.type = pruner.value(QStringLiteral("type")).toString();
    s.pruner.startupTrials = pruner.value(QStringLiteral("startup_trials")).toInt();
    s.pruner.warmupSteps = pruner.value(QStringLiteral("warmup_steps")).toInt();
    s.pruner.minResource = pruner.value(QStringLiteral("min_resource")).toInt();
    s.pruner.reductionFactor = pruner.value(QStringLiteral("reduction_factor")).toInt();
    s.pruner.minEarlyStoppingRate = pruner.value(QStringLiteral("min_early_stopping_rate")).toInt();
    s.pruner.maxResource = pruner.value(QStringLiteral("max_resource")).toInt();
    for (const auto &q : j.value(QStringLiteral("enqueue")).toArray())
        s.enqueue.push_back(q.toObject());
    return s;
}

Result<SweepSpec> parseSweepFile(const QByteArray &yaml, const QString &path)
{
    SweepSpec spec;
    spec.file = QFileInfo(path).absoluteFilePath();
    spec.name = QFileInfo(path).completeBaseName();
    YamlCheck check(path);
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        SweepReader reader(check, QFileInfo(path).absolutePath());
        reader.read(root, &spec);
        // The sampler and the pruner are made here once, so an unknown type or a grid over a
        // continuous range is reported with the file's position, not when the sweep starts.
        if (check.count() == 0) {
            if (auto s = makeSampler(spec.sampler, spec.space); !s)
                check.error(reader.m_samplerMark, s.status().message());
            if (auto p = makePruner(spec.pruner, spec.direction); !p)
                check.error(reader.m_prunerMark, p.status().message());
        }
    } catch (const YAML::Exception &e) {
        check.error(e.mark, QStringLiteral("YAML syntax: %1 (quote text that holds : { } [ ] > * or #)").arg(QString::fromStdString(e.msg)));
    }
    if (check.count() > 0)
        return invalidArgument(check.errors().join(QLatin1Char('\n')));
    return spec;
}

Result<SweepSpec> loadSweepFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the sweep file %1: %2").arg(path, file.errorString()));
    return parseSweepFile(file.readAll(), path);
}

} // namespace orrery::tune
