#include "core/train/trainer_config.h"

#include "core/data/csv_value.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

namespace orrery::train {

const char *taskName(Task t)
{
    switch (t) {
    case Task::Classification: return "classification";
    case Task::Regression: return "regression";
    case Task::Forecast: return "forecast";
    case Task::Image: return "image";
    }
    return "?";
}

const char *activationName(Activation a)
{
    switch (a) {
    case Activation::Relu: return "relu";
    case Activation::Tanh: return "tanh";
    case Activation::Gelu: return "gelu";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::LeakyRelu: return "leaky_relu";
    }
    return "?";
}

const char *unseenPolicyName(UnseenPolicy p)
{
    return p == UnseenPolicy::Error ? "error" : "other";
}

namespace {

// Reads one YAML document into a TrainConfig; errors carry "name:line:column: key".
class Reader {
public:
    Reader(QString name) : m_name(std::move(name)) {}
    Status error;

    QString where(const YAML::Node &n) const
    {
        const auto m = n.Mark();
        if (m.line < 0)
            return m_name;
        return QStringLiteral("%1:%2:%3").arg(m_name).arg(m.line + 1).arg(m.column + 1);
    }
    bool fail(const YAML::Node &n, const QString &what)
    {
        if (error.isOk())
            error = invalidArgument(QStringLiteral("%1: %2").arg(where(n), what));
        return false;
    }
    bool checkKeys(const YAML::Node &map, const QString &section, const std::set<std::string> &allowed)
    {
        if (!map.IsMap())
            return fail(map, QStringLiteral("'%1' must be a mapping").arg(section));
        for (const auto &kv : map) {
            const std::string key = kv.first.as<std::string>();
            if (!allowed.count(key)) {
                QStringList names;
                for (const auto &a : allowed)
                    names << QString::fromStdString(a);
                return fail(kv.first, QStringLiteral("unknown key '%1%2' (allowed: %3)")
                                          .arg(section.isEmpty() ? QString() : section + QLatin1Char('.'),
                                               QString::fromStdString(key), names.join(QStringLiteral(", "))));
            }
        }
        return true;
    }
    QString str(const YAML::Node &n, const QString &key)
    {
        if (!n.IsScalar()) {
            fail(n, QStringLiteral("'%1' must be a single value").arg(key));
            return {};
        }
        return QString::fromStdString(n.Scalar());
    }
    double num(const YAML::Node &n, const QString &key)
    {
        const QString s = str(n, key);
        bool ok = false;
        const double v = s.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            fail(n, QStringLiteral("'%1' must be a number, not '%2'").arg(key, s));
        return v;
    }
    qint64 integer(const YAML::Node &n, const QString &key)
    {
        const QString s = str(n, key);
        bool ok = false;
        const qint64 v = s.toLongLong(&ok);
        if (!ok)
            fail(n, QStringLiteral("'%1' must be a whole number, not '%2'").arg(key, s));
        return v;
    }
    bool boolean(const YAML::Node &n, const QString &key)
    {
        const QString s = str(n, key).toLower();
        if (s == QLatin1String("true") || s == QLatin1String("yes"))
            return true;
        if (s == QLatin1String("false") || s == QLatin1String("no"))
            return false;
        fail(n, QStringLiteral("'%1' must be true or false, not '%2'").arg(key, s));
        return false;
    }
    QStringList list(const YAML::Node &n, const QString &key)
    {
        QStringList out;
        if (n.IsScalar()) {
            out << QString::fromStdString(n.Scalar());
            return out;
        }
        if (!n.IsSequence()) {
            fail(n, QStringLiteral("'%1' must be a list").arg(key));
            return out;
        }
        for (const auto &e : n)
            out << str(e, key);
        return out;
    }
    QVector<int> ints(const YAML::Node &n, const QString &key)
    {
        QVector<int> out;
        if (n.IsNull())
            return out;
        if (!n.IsSequence()) {
            fail(n, QStringLiteral("'%1' must be a list of whole numbers, e.g. [64, 32]").arg(key));
            return out;
        }
        for (const auto &e : n) {
            const qint64 v = integer(e, key);
            out << int(qBound<qint64>(qint64(-1), v, qint64(kMaxWidth) + 1));
        }
        return out;
    }
    template <typename E>
    E choice(const YAML::Node &n, const QString &key, const std::vector<std::pair<const char *, E>> &options, E def)
    {
        const QString s = str(n, key).toLower();
        QStringList names;
        for (const auto &o : options) {
            if (s == QLatin1String(o.first))
                return o.second;
            names << QLatin1String(o.first);
        }
        fail(n, QStringLiteral("'%1' must be one of %2, not '%3'").arg(key, names.join(QStringLiteral(", ")), s));
        return def;
    }

private:
    QString m_name;
};

} // namespace

Result<TrainConfig> loadTrainConfig(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return invalidArgument(QStringLiteral("cannot read the training config '%1': %2").arg(path, f.errorString()));
    return parseTrainConfig(f.readAll(), path, QFileInfo(path).absolutePath());
}

Result<TrainConfig> parseTrainConfig(const QByteArray &yaml, const QString &name, const QString &baseDir)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1:%2:%3: not valid YAML: %4")
                                   .arg(name)
                                   .arg(e.mark.line + 1)
                                   .arg(e.mark.column + 1)
                                   .arg(QString::fromStdString(e.msg)));
    }
    TrainConfig c;
    c.sourceName = name;
    Reader r(name);
    try {
        if (!root.IsMap())
            return invalidArgument(QStringLiteral("%1: a training config is a YAML mapping with at least 'task' and 'data'").arg(name));
        r.checkKeys(root, QString(), {"task", "data", "model", "optimizer", "training", "tracking"});
        if (!root["task"])
            return invalidArgument(QStringLiteral("%1: 'task' is missing (classification, regression, forecast or image)").arg(name));
        c.task = r.choice<Task>(root["task"], QStringLiteral("task"),
                                {{"classification", Task::Classification}, {"regression", Task::Regression},
                                 {"forecast", Task::Forecast}, {"image", Task::Image}},
                                Task::Classification);
        if (const auto d = root["data"]) {
            r.checkKeys(d, QStringLiteral("data"), {"path", "label", "features", "categorical", "drop", "missing", "unseen",
                                                    "validation_fraction", "test_fraction", "slice", "time", "builtin"});
            if (d["path"]) {
                const QString p = r.str(d["path"], QStringLiteral("data.path"));
                c.data.path = QDir::isAbsolutePath(p) ? p : QDir(baseDir).absoluteFilePath(p);
            }
            if (d["label"]) c.data.label = r.str(d["label"], QStringLiteral("data.label"));
            if (d["features"]) c.data.features = r.list(d["features"], QStringLiteral("data.features"));
            if (d["categorical"]) c.data.categorical = r.list(d["categorical"], QStringLiteral("data.categorical"));
            if (d["drop"]) c.data.drop = r.list(d["drop"], QStringLiteral("data.drop"));
            if (d["missing"])
                c.data.missing = r.choice<MissingPolicy>(d["missing"], QStringLiteral("data.missing"),
                                                         {{"mean", MissingPolicy::Mean}, {"zero", MissingPolicy::Zero}, {"error", MissingPolicy::Error}},
                                                         MissingPolicy::Mean);
            if (d["unseen"]) {
                c.data.unseen = r.choice<UnseenPolicy>(d["unseen"], QStringLiteral("data.unseen"),
                                                       {{"other", UnseenPolicy::Other}, {"error", UnseenPolicy::Error}}, UnseenPolicy::Other);
                if (c.task == Task::Forecast || c.task == Task::Image)
                    r.fail(d["unseen"], QStringLiteral("'data.unseen' is about categorical columns, which a %1 task has none of; remove it")
                                            .arg(QLatin1String(taskName(c.task))));
            }
            if (d["validation_fraction"]) c.data.validationFraction = r.num(d["validation_fraction"], QStringLiteral("data.validation_fraction"));
            if (d["test_fraction"]) c.data.testFraction = r.num(d["test_fraction"], QStringLiteral("data.test_fraction"));
            if (d["slice"]) c.data.slice = r.str(d["slice"], QStringLiteral("data.slice"));
            if (d["time"]) c.data.time = r.str(d["time"], QStringLiteral("data.time"));
            if (d["builtin"]) c.data.builtin = r.str(d["builtin"], QStringLiteral("data.builtin"));
        }
        if (const auto m = root["model"]) {
            r.checkKeys(m, QStringLiteral("model"), {"hidden", "activation", "dropout", "batch_norm", "categorical_encoding",
                                                     "embedding_dim", "cell", "recurrent_hidden", "recurrent_layers", "lags",
                                                     "horizon", "channels"});
            if (m["hidden"]) c.model.hidden = r.ints(m["hidden"], QStringLiteral("model.hidden"));
            if (m["activation"])
                c.model.activation = r.choice<Activation>(m["activation"], QStringLiteral("model.activation"),
                                                          {{"relu", Activation::Relu}, {"tanh", Activation::Tanh}, {"gelu", Activation::Gelu},
                                                           {"sigmoid", Activation::Sigmoid}, {"leaky_relu", Activation::LeakyRelu}},
                                                          Activation::Relu);
            if (m["dropout"]) c.model.dropout = r.num(m["dropout"], QStringLiteral("model.dropout"));
            if (m["batch_norm"]) c.model.batchNorm = r.boolean(m["batch_norm"], QStringLiteral("model.batch_norm"));
            if (m["categorical_encoding"])
                c.model.encoding = r.choice<Encoding>(m["categorical_encoding"], QStringLiteral("model.categorical_encoding"),
                                                      {{"one_hot", Encoding::OneHot}, {"embedding", Encoding::Embedding}}, Encoding::OneHot);
            if (m["embedding_dim"]) c.model.embeddingDim = int(r.integer(m["embedding_dim"], QStringLiteral("model.embedding_dim")));
            if (m["cell"]) c.model.cell = r.choice<Cell>(m["cell"], QStringLiteral("model.cell"), {{"gru", Cell::Gru}, {"lstm", Cell::Lstm}}, Cell::Gru);
            if (m["recurrent_hidden"]) c.model.recurrentHidden = int(r.integer(m["recurrent_hidden"], QStringLiteral("model.recurrent_hidden")));
            if (m["recurrent_layers"]) c.model.recurrentLayers = int(r.integer(m["recurrent_layers"], QStringLiteral("model.recurrent_layers")));
            if (m["lags"]) c.model.lags = int(r.integer(m["lags"], QStringLiteral("model.lags")));
            if (m["horizon"]) c.model.horizon = int(r.integer(m["horizon"], QStringLiteral("model.horizon")));
            if (m["channels"]) c.model.channels = r.ints(m["channels"], QStringLiteral("model.channels"));
        }
        if (const auto o = root["optimizer"]) {
            r.checkKeys(o, QStringLiteral("optimizer"), {"name", "lr", "weight_decay", "momentum", "schedule", "step_size", "gamma",
                                                         "warmup_steps", "clip_norm"});
            if (o["name"])
                c.optimizer.kind = r.choice<OptimizerKind>(o["name"], QStringLiteral("optimizer.name"),
                                                           {{"sgd", OptimizerKind::Sgd}, {"adam", OptimizerKind::Adam}, {"adamw", OptimizerKind::AdamW}},
                                                           OptimizerKind::Adam);
            if (o["lr"]) c.optimizer.lr = r.num(o["lr"], QStringLiteral("optimizer.lr"));
            if (o["weight_decay"]) c.optimizer.weightDecay = r.num(o["weight_decay"], QStringLiteral("optimizer.weight_decay"));
            if (o["momentum"]) c.optimizer.momentum = r.num(o["momentum"], QStringLiteral("optimizer.momentum"));
            if (o["schedule"])
                c.optimizer.schedule = r.choice<Schedule>(o["schedule"], QStringLiteral("optimizer.schedule"),
                                                          {{"constant", Schedule::Constant}, {"step", Schedule::Step},
                                                           {"cosine", Schedule::Cosine}, {"exponential", Schedule::Exponential}},
                                                          Schedule::Constant);
            if (o["step_size"]) c.optimizer.stepSize = int(r.integer(o["step_size"], QStringLiteral("optimizer.step_size")));
            if (o["gamma"]) c.optimizer.gamma = r.num(o["gamma"], QStringLiteral("optimizer.gamma"));
            if (o["warmup_steps"]) c.optimizer.warmupSteps = int(r.integer(o["warmup_steps"], QStringLiteral("optimizer.warmup_steps")));
            if (o["clip_norm"]) c.optimizer.clipNorm = r.num(o["clip_norm"], QStringLiteral("optimizer.clip_norm"));
        }
        if (const auto t = root["training"]) {
            r.checkKeys(t, QStringLiteral("training"), {"epochs", "batch_size", "seed", "threads", "class_weights", "checkpoint_every",
                                                        "log_every", "early_stopping", "max_steps"});
            if (t["epochs"]) c.loop.epochs = int(qBound<qint64>(qint64(-1), r.integer(t["epochs"], QStringLiteral("training.epochs")), qint64(1) << 30));
            if (t["batch_size"]) c.loop.batchSize = int(qBound<qint64>(qint64(-1), r.integer(t["batch_size"], QStringLiteral("training.batch_size")), qint64(1) << 30));
            if (t["seed"]) c.loop.seed = quint64(r.integer(t["seed"], QStringLiteral("training.seed")));
            if (t["threads"]) c.loop.threads = int(qBound<qint64>(qint64(-1), r.integer(t["threads"], QStringLiteral("training.threads")), qint64(1) << 20));
            if (const auto w = t["class_weights"]) {
                if (w.IsSequence()) {
                    c.loop.classWeights = QStringLiteral("explicit");
                    for (const auto &e : w)
                        c.loop.explicitClassWeights << r.num(e, QStringLiteral("training.class_weights"));
                } else {
                    c.loop.classWeights = r.str(w, QStringLiteral("training.class_weights")).toLower();
                    if (c.loop.classWeights != QLatin1String("none") && c.loop.classWeights != QLatin1String("balanced"))
                        r.fail(w, QStringLiteral("'training.class_weights' must be none, balanced or a list of weights"));
                }
            }
            if (t["checkpoint_every"]) c.loop.checkpointEvery = r.integer(t["checkpoint_every"], QStringLiteral("training.checkpoint_every"));
            if (t["max_steps"]) c.loop.maxSteps = r.integer(t["max_steps"], QStringLiteral("training.max_steps"));
            if (t["log_every"])
                c.loop.logEvery = r.choice<LogEvery>(t["log_every"], QStringLiteral("training.log_every"),
                                                     {{"step", LogEvery::Step}, {"epoch", LogEvery::Epoch}}, LogEvery::Step);
            if (const auto e = t["early_stopping"]) {
                r.checkKeys(e, QStringLiteral("training.early_stopping"), {"metric", "patience"});
                if (e["metric"]) c.loop.earlyStopMetric = r.str(e["metric"], QStringLiteral("training.early_stopping.metric"));
                if (e["patience"]) c.loop.patience = int(r.integer(e["patience"], QStringLiteral("training.early_stopping.patience")));
            }
        }
        if (const auto k = root["tracking"]) {
            r.checkKeys(k, QStringLiteral("tracking"), {"experiment", "run_name"});
            if (k["experiment"]) c.tracking.experiment = r.str(k["experiment"], QStringLiteral("tracking.experiment"));
            if (k["run_name"]) c.tracking.runName = r.str(k["run_name"], QStringLiteral("tracking.run_name"));
        }
    } catch (const YAML::Exception &e) {
        return invalidArgument(QStringLiteral("%1: %2").arg(name, QString::fromStdString(e.what())));
    }
    if (!r.error.isOk())
        return r.error;
    ORRERY_TRY(validateTrainConfig(c));
    return c;
}

Status validateTrainConfig(const TrainConfig &c)
{
    const QString at = c.sourceName.isEmpty() ? QStringLiteral("training config") : c.sourceName;
    auto bad = [&](const QString &what) { return invalidArgument(QStringLiteral("%1: %2").arg(at, what)); };
    if (c.task == Task::Image) {
        if (c.data.path.isEmpty() && c.data.builtin.isEmpty())
            return bad(QStringLiteral("an image task needs data.builtin (digits or generated) or data.path"));
        if (!c.data.builtin.isEmpty() && c.data.builtin != QLatin1String("digits") && c.data.builtin != QLatin1String("generated"))
            return bad(QStringLiteral("data.builtin must be digits or generated, not '%1'").arg(c.data.builtin));
    } else {
        if (c.data.path.isEmpty())
            return bad(QStringLiteral("data.path is missing: the CSV file to train on"));
        if (c.data.label.isEmpty())
            return bad(QStringLiteral("data.label is missing: the column to predict"));
    }
    if (!(c.optimizer.lr > 0.0) || !std::isfinite(c.optimizer.lr))
        return bad(QStringLiteral("optimizer.lr must be greater than 0 (it is %1); try 0.001").arg(c.optimizer.lr));
    if (c.loop.batchSize < 1)
        return bad(QStringLiteral("training.batch_size must be at least 1 (it is %1)").arg(c.loop.batchSize));
    if (c.loop.epochs < 1)
        return bad(QStringLiteral("training.epochs must be at least 1 (it is %1)").arg(c.loop.epochs));
    if (c.loop.threads < 1 || c.loop.threads > 1024)
        return bad(QStringLiteral("training.threads must be between 1 and 1024 (it is %1)").arg(c.loop.threads));
    if (c.model.hidden.size() > kMaxLayers)
        return bad(QStringLiteral("model.hidden has %1 layers; at most %2 make sense for tabular data").arg(c.model.hidden.size()).arg(kMaxLayers));
    for (int w : c.model.hidden)
        if (w < 1 || w > kMaxWidth)
            return bad(QStringLiteral("model.hidden: every layer needs between 1 and %1 units (found %2)").arg(kMaxWidth).arg(w));
    if (c.model.dropout < 0.0 || c.model.dropout >= 1.0)
        return bad(QStringLiteral("model.dropout must be in [0, 1) (it is %1)").arg(c.model.dropout));
    if (c.model.embeddingDim < 1 || c.model.embeddingDim > 1024)
        return bad(QStringLiteral("model.embedding_dim must be between 1 and 1024"));
    if (c.model.recurrentLayers < 1 || c.model.recurrentLayers > 16)
        return bad(QStringLiteral("model.recurrent_layers must be between 1 and 16 (it is %1)").arg(c.model.recurrentLayers));
    if (c.model.recurrentHidden < 1 || c.model.recurrentHidden > 8192)
        return bad(QStringLiteral("model.recurrent_hidden must be between 1 and 8192"));
    if (c.model.lags < 1 || c.model.lags > 100000 || c.model.horizon < 1 || c.model.horizon > 10000)
        return bad(QStringLiteral("model.lags and model.horizon must be at least 1"));
    if (c.model.channels.isEmpty() || c.model.channels.size() > 4)
        return bad(QStringLiteral("model.channels needs 1 to 4 convolution layers"));
    for (int ch : c.model.channels)
        if (ch < 1 || ch > 4096)
            return bad(QStringLiteral("model.channels: each layer needs between 1 and 4096 channels"));
    const double vf = c.data.validationFraction, tf = c.data.testFraction;
    if (vf < 0.0 || vf >= 1.0 || tf < 0.0 || tf >= 1.0 || vf + tf >= 0.9)
        return bad(QStringLiteral("data.validation_fraction and data.test_fraction must be in [0, 1) and leave at least 10% for training"));
    if (c.optimizer.weightDecay < 0.0 || c.optimizer.momentum < 0.0 || c.optimizer.momentum >= 1.0)
        return bad(QStringLiteral("optimizer.weight_decay must be ≥ 0 and optimizer.momentum in [0, 1)"));
    if (c.optimizer.clipNorm < 0.0)
        return bad(QStringLiteral("optimizer.clip_norm must be ≥ 0 (0: no clipping)"));
    if (c.optimizer.stepSize < 1 || !(c.optimizer.gamma > 0.0) || c.optimizer.warmupSteps < 0)
        return bad(QStringLiteral("optimizer.step_size must be ≥ 1, gamma > 0 and warmup_steps ≥ 0"));
    if (c.loop.checkpointEvery < 0 || c.loop.maxSteps < 0)
        return bad(QStringLiteral("training.checkpoint_every and training.max_steps must be ≥ 0"));
    if (c.loop.patience < 1)
        return bad(QStringLiteral("training.early_stopping.patience must be at least 1"));
    for (double w : c.loop.explicitClassWeights)
        if (!(w > 0.0))
            return bad(QStringLiteral("training.class_weights: every weight must be greater than 0"));
    if (!c.loop.earlyStopMetric.isEmpty() && !c.loop.earlyStopMetric.startsWith(QLatin1String("val_")))
        return bad(QStringLiteral("training.early_stopping.metric must be a validation metric such as val_loss or val_roc_auc, not '%1'")
                       .arg(c.loop.earlyStopMetric));
    if (!c.loop.earlyStopMetric.isEmpty()) {
        const bool classify = c.task == Task::Classification || c.task == Task::Image;
        const QStringList names = classify ? QStringList{QStringLiteral("loss"), QStringLiteral("accuracy"), QStringLiteral("precision"),
                                                         QStringLiteral("recall"), QStringLiteral("f1"), QStringLiteral("roc_auc"),
                                                         QStringLiteral("pr_auc"), QStringLiteral("log_loss"), QStringLiteral("calibration_error")}
                                           : QStringList{QStringLiteral("loss"), QStringLiteral("mae"), QStringLiteral("rmse"),
                                                         QStringLiteral("mape"), QStringLiteral("r2")};
        if (!names.contains(c.loop.earlyStopMetric.mid(4)))
            return bad(QStringLiteral("training.early_stopping.metric '%1' is not a validation metric of a %2 task (val_ + one of %3)")
                           .arg(c.loop.earlyStopMetric, QLatin1String(taskName(c.task)), names.join(QStringLiteral(", "))));
    }
    if (!c.loop.earlyStopMetric.isEmpty() && vf <= 0.0)
        return bad(QStringLiteral("early stopping needs a validation split: set data.validation_fraction > 0"));
    return Status::ok();
}

bool metricIsMinimised(const QString &metric)
{
    static const QStringList minimised = {QStringLiteral("loss"), QStringLiteral("mae"), QStringLiteral("rmse"),
                                          QStringLiteral("mape"), QStringLiteral("log_loss"), QStringLiteral("calibration_error")};
    for (const auto &m : minimised)
        if (metric.endsWith(m))
            return true;
    return false;
}

QVector<std::pair<QString, QString>> configParams(const TrainConfig &c)
{
    auto ints = [](const QVector<int> &v) {
        QStringList s;
        for (int i : v)
            s << QString::number(i);
        return s.join(QLatin1Char(','));
    };
    static const char *opt[] = {"sgd", "adam", "adamw"};
    static const char *sched[] = {"constant", "step", "cosine", "exponential"};
    QVector<std::pair<QString, QString>> p = {
        {QStringLiteral("task"), QLatin1String(taskName(c.task))},
        {QStringLiteral("data.label"), c.data.label},
        {QStringLiteral("optimizer.name"), QLatin1String(opt[int(c.optimizer.kind)])},
        {QStringLiteral("optimizer.lr"), data::formatNumber(c.optimizer.lr)},
        {QStringLiteral("optimizer.weight_decay"), data::formatNumber(c.optimizer.weightDecay)},
        {QStringLiteral("optimizer.schedule"), QLatin1String(sched[int(c.optimizer.schedule)])},
        {QStringLiteral("optimizer.clip_norm"), data::formatNumber(c.optimizer.clipNorm)},
        {QStringLiteral("training.epochs"), QString::number(c.loop.epochs)},
        {QStringLiteral("training.batch_size"), QString::number(c.loop.batchSize)},
        {QStringLiteral("training.seed"), QString::number(c.loop.seed)},
        {QStringLiteral("training.threads"), QString::number(c.loop.threads)},
        {QStringLiteral("training.class_weights"), c.loop.classWeights},
    };
    if (c.task == Task::Classification || c.task == Task::Regression) {
        p.append({QStringLiteral("model.hidden"), ints(c.model.hidden)});
        p.append({QStringLiteral("model.activation"), QLatin1String(activationName(c.model.activation))});
        p.append({QStringLiteral("model.dropout"), QString::number(c.model.dropout)});
        p.append({QStringLiteral("model.batch_norm"), c.model.batchNorm ? QStringLiteral("true") : QStringLiteral("false")});
        p.append({QStringLiteral("model.categorical_encoding"), c.model.encoding == Encoding::OneHot ? QStringLiteral("one_hot") : QStringLiteral("embedding")});
        // Only the non-default is a param, so the runs made before the key existed (which all
        // mapped unseen values to "other") compare as equal to today's default runs.
        if (c.data.unseen != UnseenPolicy::Other)
            p.append({QStringLiteral("data.unseen"), QLatin1String(unseenPolicyName(c.data.unseen))});
    } else if (c.task == Task::Forecast) {
        p.append({QStringLiteral("model.cell"), c.model.cell == Cell::Gru ? QStringLiteral("gru") : QStringLiteral("lstm")});
        p.append({QStringLiteral("model.recurrent_hidden"), QString::number(c.model.recurrentHidden)});
        p.append({QStringLiteral("model.lags"), QString::number(c.model.lags)});
        p.append({QStringLiteral("model.horizon"), QString::number(c.model.horizon)});
    } else {
        p.append({QStringLiteral("model.channels"), ints(c.model.channels)});
        p.append({QStringLiteral("data.builtin"), c.data.builtin});
    }
    if (!c.loop.earlyStopMetric.isEmpty())
        p.append({QStringLiteral("training.early_stopping.metric"), c.loop.earlyStopMetric});
    return p;
}

} // namespace orrery::train
