#include "core/stages/baseline_model.h"

#include "core/common/random.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cmath>

namespace orrery::stages {
namespace {

bool parseNumber(const std::string &s, double *out)
{
    if (s.empty())
        return false;
    char *end = nullptr;
    *out = std::strtod(s.c_str(), &end);
    return end && *end == '\0' && std::isfinite(*out);
}

int encodedWidth(const std::vector<BaselineFeature> &features)
{
    int w = 0;
    for (const auto &f : features)
        w += f.categorical ? int(f.values.size()) : 1;
    return w;
}

// One row → its encoded inputs. Missing numbers become the mean (0 after scaling).
Status encode(const std::vector<BaselineFeature> &features, const std::vector<int> &cols, const std::vector<std::string> &row, double *x)
{
    int k = 0;
    for (size_t f = 0; f < features.size(); ++f) {
        const auto &feat = features[f];
        const std::string &cell = row[size_t(cols[f])];
        if (feat.categorical) {
            const QString v = QString::fromStdString(cell);
            for (const auto &value : feat.values)
                x[k++] = value == v ? 1.0 : 0.0;
        } else {
            double v = 0.0;
            x[k++] = parseNumber(cell, &v) ? (v - feat.mean) / feat.stddev : 0.0;
        }
    }
    return Status::ok();
}

double sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

} // namespace

Result<BaselineModel> BaselineModel::train(const QStringList &columns, const std::vector<std::vector<std::string>> &rows, const QString &label,
                                           const BaselineOptions &options, const std::function<bool()> &cancelled,
                                           const std::function<void(const QString &)> &log)
{
    const int labelCol = int(columns.indexOf(label));
    if (labelCol < 0)
        return invalidArgument(QStringLiteral("train: the data has no label column '%1' (columns: %2)").arg(label, columns.join(QStringLiteral(", "))));
    if (rows.empty())
        return invalidArgument(QStringLiteral("train: the training data has no rows"));
    BaselineModel m;
    m.label = label;
    std::vector<double> y(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        double v = 0;
        if (!parseNumber(rows[i][size_t(labelCol)], &v) || (v != 0.0 && v != 1.0))
            return invalidArgument(QStringLiteral("train: label '%1' must be 0 or 1; row %2 has '%3'").arg(label).arg(i + 1).arg(QString::fromStdString(rows[i][size_t(labelCol)])));
        y[i] = v;
    }
    // Choose features: numbers where every present cell parses; categories with few values.
    std::vector<int> cols;
    for (int c = 0; c < columns.size(); ++c) {
        if (c == labelCol)
            continue;
        if (!options.features.isEmpty() && !options.features.contains(columns[c]))
            continue;
        bool numeric = true;
        double sum = 0, sumsq = 0;
        qint64 count = 0;
        QSet<QString> distinct;
        for (const auto &row : rows) {
            const std::string &cell = row[size_t(c)];
            if (cell.empty())
                continue;
            double v;
            if (numeric && parseNumber(cell, &v)) {
                sum += v;
                sumsq += v * v;
                ++count;
            } else {
                numeric = false;
            }
            if (distinct.size() <= options.maxCategories)
                distinct.insert(QString::fromStdString(cell));
        }
        BaselineFeature f;
        f.name = columns[c];
        if (numeric && count > 0) {
            f.mean = sum / double(count);
            const double var = sumsq / double(count) - f.mean * f.mean;
            f.stddev = var > 1e-12 ? std::sqrt(var) : 1.0;
        } else if (!numeric && distinct.size() <= options.maxCategories && distinct.size() > 1) {
            f.categorical = true;
            f.values = QStringList(distinct.begin(), distinct.end());
            f.values.sort();
        } else {
            if (!options.features.isEmpty())
                return invalidArgument(QStringLiteral("train: column '%1' is neither numeric nor a category with at most %2 values").arg(columns[c]).arg(options.maxCategories));
            continue; // identifiers, free text, timestamps
        }
        m.features.push_back(f);
        cols.push_back(c);
    }
    if (m.features.empty())
        return invalidArgument(QStringLiteral("train: no usable feature columns (numbers, or categories with at most %1 values)").arg(options.maxCategories));
    const int w = encodedWidth(m.features);
    const size_t n = rows.size();
    std::vector<double> X(n * static_cast<size_t>(w), 0.0);
    for (size_t i = 0; i < n; ++i)
        ORRERY_TRY(encode(m.features, cols, rows[i], &X[i * size_t(w)]));
    // Balanced class weights: each class contributes half of the loss.
    double positives = 0;
    for (double v : y)
        positives += v;
    const double wPos = positives > 0 ? double(n) / (2.0 * positives) : 1.0;
    const double wNeg = positives < double(n) ? double(n) / (2.0 * (double(n) - positives)) : 1.0;
    common::Random rng(options.seed);
    m.weights.assign(size_t(w), 0.0);
    for (auto &wt : m.weights)
        wt = (rng.uniform() - 0.5) * 0.01;
    std::vector<double> grad(static_cast<size_t>(w), 0.0);
    // Adam on the full batch: robust to the scale differences one-hot inputs leave.
    std::vector<double> m1(size_t(w) + 1, 0.0), m2(size_t(w) + 1, 0.0);
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        if (cancelled && cancelled())
            return orrery::cancelled();
        std::fill(grad.begin(), grad.end(), 0.0);
        double gb = 0, loss = 0;
        for (size_t i = 0; i < n; ++i) {
            const double *x = &X[i * size_t(w)];
            double z = m.bias;
            for (int k = 0; k < w; ++k)
                z += m.weights[size_t(k)] * x[k];
            const double p = sigmoid(z);
            const double cw = y[i] > 0.5 ? wPos : wNeg;
            const double err = (p - y[i]) * cw;
            for (int k = 0; k < w; ++k)
                grad[size_t(k)] += err * x[k];
            gb += err;
            loss += -cw * (y[i] > 0.5 ? std::log(std::max(p, 1e-12)) : std::log(std::max(1 - p, 1e-12)));
        }
        m.finalLoss = loss / double(n);
        for (int k = 0; k <= w; ++k) {
            const double g = k < w ? grad[size_t(k)] / double(n) + options.l2 * m.weights[size_t(k)] : gb / double(n);
            m1[size_t(k)] = b1 * m1[size_t(k)] + (1 - b1) * g;
            m2[size_t(k)] = b2 * m2[size_t(k)] + (1 - b2) * g * g;
            const double mh = m1[size_t(k)] / (1 - std::pow(b1, epoch));
            const double vh = m2[size_t(k)] / (1 - std::pow(b2, epoch));
            const double step = options.learningRate * mh / (std::sqrt(vh) + eps);
            if (k < w)
                m.weights[size_t(k)] -= step;
            else
                m.bias -= step;
        }
        if (log && (epoch == 1 || epoch % 50 == 0 || epoch == options.epochs))
            log(QStringLiteral("baseline_logistic epoch %1/%2 weighted log-loss %3").arg(epoch).arg(options.epochs).arg(m.finalLoss, 0, 'f', 5));
    }
    m.trainRows = qint64(n);
    return m;
}

Result<std::vector<double>> BaselineModel::predict(const QStringList &columns, const std::vector<std::vector<std::string>> &rows) const
{
    std::vector<int> cols;
    for (const auto &f : features) {
        const int c = int(columns.indexOf(f.name));
        if (c < 0)
            return invalidArgument(QStringLiteral("the model needs column '%1', which the data does not have").arg(f.name));
        cols.push_back(c);
    }
    const int w = encodedWidth(features);
    std::vector<double> x(static_cast<size_t>(w), 0.0), out;
    out.reserve(rows.size());
    for (const auto &row : rows) {
        ORRERY_TRY(encode(features, cols, row, x.data()));
        double z = bias;
        for (int k = 0; k < w; ++k)
            z += weights[size_t(k)] * x[size_t(k)];
        out.push_back(sigmoid(z));
    }
    return out;
}

QByteArray BaselineModel::toJson() const
{
    QJsonArray feats;
    for (const auto &f : features) {
        QJsonObject o{{QStringLiteral("name"), f.name}, {QStringLiteral("type"), f.categorical ? QStringLiteral("category") : QStringLiteral("numeric")}};
        if (f.categorical)
            o.insert(QStringLiteral("values"), QJsonArray::fromStringList(f.values));
        else {
            o.insert(QStringLiteral("mean"), f.mean);
            o.insert(QStringLiteral("std"), f.stddev);
        }
        feats.append(o);
    }
    QJsonArray ws;
    for (double v : weights)
        ws.append(v);
    QJsonObject o{{QStringLiteral("kind"), QString::fromLatin1(kKind)},
                  {QStringLiteral("trainer"), QStringLiteral("baseline_logistic: logistic regression stand-in until the LibTorch trainer lands")},
                  {QStringLiteral("label"), label},
                  {QStringLiteral("features"), feats},
                  {QStringLiteral("weights"), ws},
                  {QStringLiteral("bias"), bias},
                  {QStringLiteral("train_rows"), double(trainRows)},
                  {QStringLiteral("final_loss"), finalLoss}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Result<BaselineModel> BaselineModel::fromJson(const QByteArray &json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (!doc.isObject())
        return invalidArgument(QStringLiteral("the model is not JSON: %1 at offset %2").arg(err.errorString()).arg(err.offset));
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("kind")).toString() != QLatin1String(kKind))
        return invalidArgument(QStringLiteral("the model's kind is '%1', not '%2'").arg(o.value(QStringLiteral("kind")).toString(), QString::fromLatin1(kKind)));
    BaselineModel m;
    m.label = o.value(QStringLiteral("label")).toString();
    for (const auto &v : o.value(QStringLiteral("features")).toArray()) {
        const QJsonObject f = v.toObject();
        BaselineFeature feat;
        feat.name = f.value(QStringLiteral("name")).toString();
        feat.categorical = f.value(QStringLiteral("type")).toString() == QLatin1String("category");
        feat.mean = f.value(QStringLiteral("mean")).toDouble();
        feat.stddev = f.value(QStringLiteral("std")).toDouble(1.0);
        for (const auto &x : f.value(QStringLiteral("values")).toArray())
            feat.values << x.toString();
        m.features.push_back(feat);
    }
    for (const auto &v : o.value(QStringLiteral("weights")).toArray())
        m.weights.push_back(v.toDouble());
    m.bias = o.value(QStringLiteral("bias")).toDouble();
    m.trainRows = qint64(o.value(QStringLiteral("train_rows")).toDouble());
    if (int(m.weights.size()) != encodedWidth(m.features))
        return corrupt(QStringLiteral("the model has %1 weights for %2 encoded inputs").arg(m.weights.size()).arg(encodedWidth(m.features)));
    return m;
}

} // namespace orrery::stages
