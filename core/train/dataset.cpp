#include "core/train/dataset.h"

#include "core/common/random.h"
#include "core/data/csv_reader.h"
#include "core/data/csv_value.h"
#include "core/data/null_values.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace orrery::train {

int Preprocessor::denseWidth() const
{
    if (task == Task::Forecast)
        return lags;
    if (task == Task::Image)
        return imageHeight * imageWidth;
    int w = int(numeric.size());
    if (encoding == Encoding::OneHot)
        for (const auto &c : categorical)
            w += int(c.categories.size());
    return w;
}

int Preprocessor::outputs() const
{
    switch (task) {
    case Task::Classification:
    case Task::Image:
        return classes.size() == 2 ? 1 : int(classes.size());
    case Task::Regression: return 1;
    case Task::Forecast: return horizon;
    }
    return 1;
}

QJsonObject Preprocessor::toJson() const
{
    QJsonArray num, cat;
    for (const auto &n : numeric)
        num.append(QJsonObject{{QStringLiteral("name"), n.name}, {QStringLiteral("fill"), n.fill},
                               {QStringLiteral("mean"), n.mean}, {QStringLiteral("scale"), n.scale}});
    for (const auto &c : categorical)
        cat.append(QJsonObject{{QStringLiteral("name"), c.name}, {QStringLiteral("categories"), QJsonArray::fromStringList(c.categories)}});
    QJsonObject j{
        {QStringLiteral("task"), QLatin1String(taskName(task))},
        {QStringLiteral("encoding"), encoding == Encoding::OneHot ? QStringLiteral("one_hot") : QStringLiteral("embedding")},
        {QStringLiteral("embedding_dim"), embeddingDim},
        {QStringLiteral("numeric"), num},
        {QStringLiteral("categorical"), cat},
        {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
        {QStringLiteral("target_mean"), targetMean},
        {QStringLiteral("target_scale"), targetScale},
        {QStringLiteral("lags"), lags},
        {QStringLiteral("horizon"), horizon},
        {QStringLiteral("image_height"), imageHeight},
        {QStringLiteral("image_width"), imageWidth},
        {QStringLiteral("pixel_mean"), pixelMean},
        {QStringLiteral("pixel_scale"), pixelScale},
    };
    // Written only when it is not the default, so the preprocessing (and the checkpoint
    // fingerprint made from it) of a default run is what it was before the option existed.
    if (unseen != UnseenPolicy::Other)
        j.insert(QStringLiteral("unseen"), QLatin1String(unseenPolicyName(unseen)));
    return j;
}

Result<Preprocessor> Preprocessor::fromJson(const QJsonObject &j)
{
    Preprocessor p;
    const QString task = j.value(QStringLiteral("task")).toString();
    if (task == QLatin1String("classification")) p.task = Task::Classification;
    else if (task == QLatin1String("regression")) p.task = Task::Regression;
    else if (task == QLatin1String("forecast")) p.task = Task::Forecast;
    else if (task == QLatin1String("image")) p.task = Task::Image;
    else return corrupt(QStringLiteral("preprocessing: unknown task '%1'").arg(task));
    p.encoding = j.value(QStringLiteral("encoding")).toString() == QLatin1String("embedding") ? Encoding::Embedding : Encoding::OneHot;
    p.embeddingDim = j.value(QStringLiteral("embedding_dim")).toInt(4);
    const QString unseen = j.value(QStringLiteral("unseen")).toString(QStringLiteral("other"));
    if (unseen == QLatin1String("error")) p.unseen = UnseenPolicy::Error;
    else if (unseen == QLatin1String("other")) p.unseen = UnseenPolicy::Other;
    else return corrupt(QStringLiteral("preprocessing: unknown unseen policy '%1' (other or error)").arg(unseen));
    for (const auto &v : j.value(QStringLiteral("numeric")).toArray()) {
        const auto o = v.toObject();
        p.numeric.append({o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("fill")).toDouble(),
                          o.value(QStringLiteral("mean")).toDouble(), o.value(QStringLiteral("scale")).toDouble(1.0)});
    }
    for (const auto &v : j.value(QStringLiteral("categorical")).toArray()) {
        const auto o = v.toObject();
        CategoricalFeature c;
        c.name = o.value(QStringLiteral("name")).toString();
        for (const auto &s : o.value(QStringLiteral("categories")).toArray())
            c.categories << s.toString();
        p.categorical.append(c);
    }
    for (const auto &s : j.value(QStringLiteral("classes")).toArray())
        p.classes << s.toString();
    p.targetMean = j.value(QStringLiteral("target_mean")).toDouble();
    p.targetScale = j.value(QStringLiteral("target_scale")).toDouble(1.0);
    p.lags = j.value(QStringLiteral("lags")).toInt();
    p.horizon = j.value(QStringLiteral("horizon")).toInt();
    p.imageHeight = j.value(QStringLiteral("image_height")).toInt();
    p.imageWidth = j.value(QStringLiteral("image_width")).toInt();
    p.pixelMean = j.value(QStringLiteral("pixel_mean")).toDouble();
    p.pixelScale = j.value(QStringLiteral("pixel_scale")).toDouble(1.0);
    return p;
}

namespace {

// The whole CSV as text cells, column-major, with each record's line for messages.
struct Table {
    QString name;
    QStringList columns;
    std::vector<std::vector<std::string>> cells;
    std::vector<qint64> lines;
    int rows() const { return int(lines.size()); }
    int index(const QString &c) const { return int(columns.indexOf(c)); }
};

Result<Table> readTable(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return invalidArgument(QStringLiteral("the training data '%1' does not exist (data.path)").arg(path));
    data::CsvReader reader;
    ORRERY_TRY(reader.open(path));
    Table t;
    t.name = path;
    t.columns = reader.columnNames();
    t.cells.resize(size_t(t.columns.size()));
    while (reader.next()) {
        const auto &f = reader.fields();
        for (size_t c = 0; c < f.size(); ++c)
            t.cells[c].emplace_back(data::trimmedView(f[c]));
        t.lines.push_back(reader.line());
        if (t.lines.size() > 50'000'000)
            return invalidArgument(QStringLiteral("%1: more than 50 million rows; sample it first").arg(path));
    }
    ORRERY_TRY(reader.status());
    if (t.rows() == 0)
        return invalidArgument(QStringLiteral("%1: the dataset is empty (a header and no data rows); nothing to train on").arg(path));
    return t;
}

const data::NullValues &nulls()
{
    static const data::NullValues n;
    return n;
}

bool isMissing(const std::string &s) { return nulls().contains(s); }

// Row order: seeded shuffle, then train | validation | test.
struct RowSplit {
    std::vector<int> train, validation, test;
};

RowSplit splitRows(int n, const TrainConfig &c)
{
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    common::Random rnd(c.loop.seed ^ 0x5eed5eedULL);
    for (int i = n - 1; i > 0; --i)
        std::swap(order[size_t(i)], order[size_t(rnd.below(quint64(i) + 1))]);
    const int nVal = int(std::llround(c.data.validationFraction * n));
    const int nTest = int(std::llround(c.data.testFraction * n));
    const int nTrain = std::max(1, n - nVal - nTest);
    RowSplit s;
    s.train.assign(order.begin(), order.begin() + nTrain);
    s.validation.assign(order.begin() + nTrain, order.begin() + std::min(n, nTrain + nVal));
    s.test.assign(order.begin() + std::min(n, nTrain + nVal), order.end());
    return s;
}

void encodeRow(const Preprocessor &pre, const double *numeric, const QString *categorical, float *dense, int64_t *codes)
{
    int k = 0;
    for (int i = 0; i < pre.numeric.size(); ++i) {
        const auto &f = pre.numeric[i];
        const double v = std::isnan(numeric[i]) ? f.fill : numeric[i];
        dense[k++] = float((v - f.mean) / f.scale);
    }
    for (int i = 0; i < pre.categorical.size(); ++i) {
        const auto &c = pre.categorical[i];
        const int code = int(c.categories.indexOf(categorical[i]));
        const int n = int(c.categories.size());
        if (pre.encoding == Encoding::OneHot) {
            for (int j = 0; j < n; ++j)
                dense[k + j] = 0.0f;
            if (code >= 0)
                dense[k + code] = 1.0f;
            k += n;
        } else {
            codes[i] = code >= 0 ? code : n;
        }
    }
}

Status prepareTabular(const TrainConfig &c, PreparedData &out)
{
    ORRERY_ASSIGN_OR_RETURN(auto table, readTable(c.data.path));
    Table &t = table;
    const QString file = t.name;
    auto need = [&](const QString &col, const char *key) -> Status {
        if (!col.isEmpty() && t.index(col) < 0)
            return invalidArgument(QStringLiteral("%1: no column '%2' (%3); the columns are: %4")
                                       .arg(file, col, QLatin1String(key), t.columns.join(QStringLiteral(", "))));
        return Status::ok();
    };
    ORRERY_TRY(need(c.data.label, "data.label"));
    ORRERY_TRY(need(c.data.slice, "data.slice"));
    for (const auto &f : c.data.features) ORRERY_TRY(need(f, "data.features"));
    for (const auto &f : c.data.categorical) ORRERY_TRY(need(f, "data.categorical"));
    for (const auto &f : c.data.drop) ORRERY_TRY(need(f, "data.drop"));

    QStringList features = c.data.features;
    if (features.isEmpty())
        for (const auto &col : t.columns)
            if (col != c.data.label && !c.data.drop.contains(col) && col != c.data.time)
                features << col;
    features.removeAll(c.data.label);
    if (features.isEmpty())
        return invalidArgument(QStringLiteral("%1: no feature columns are left besides the label '%2'").arg(file, c.data.label));

    Preprocessor &pre = out.pre;
    pre.task = c.task;
    pre.encoding = c.model.encoding;
    pre.embeddingDim = c.model.embeddingDim;
    pre.unseen = c.data.unseen;
    const int n = t.rows();
    const int labelCol = t.index(c.data.label);

    // Labels.
    std::vector<double> y(static_cast<size_t>(n));
    const auto &labels = t.cells[size_t(labelCol)];
    for (int r = 0; r < n; ++r)
        if (isMissing(labels[size_t(r)]))
            return invalidArgument(QStringLiteral("%1:%2: the label '%3' is missing; drop such rows or fill them in")
                                       .arg(file).arg(t.lines[size_t(r)]).arg(c.data.label));
    if (c.task == Task::Classification) {
        std::set<std::string> distinct(labels.begin(), labels.end());
        QStringList classes;
        bool allNumeric = true;
        for (const auto &s : distinct) {
            double v;
            allNumeric = allNumeric && data::parseFiniteDouble(s, &v);
            classes << QString::fromStdString(s);
        }
        if (allNumeric)
            std::sort(classes.begin(), classes.end(), [](const QString &a, const QString &b) { return a.toDouble() < b.toDouble(); });
        if (classes.size() < 2)
            return invalidArgument(QStringLiteral("%1: the label '%2' has a single class ('%3') in %4 rows; a classifier needs at least two")
                                       .arg(file, c.data.label, classes.value(0)).arg(n));
        if (classes.size() > 10000)
            return invalidArgument(QStringLiteral("%1: the label '%2' has %3 classes; is it a regression target?").arg(file, c.data.label).arg(classes.size()));
        QHash<QString, int> index;
        for (int i = 0; i < classes.size(); ++i)
            index.insert(classes[i], i);
        for (int r = 0; r < n; ++r)
            y[size_t(r)] = index.value(QString::fromStdString(labels[size_t(r)]));
        pre.classes = classes;
        if (c.loop.classWeights == QLatin1String("explicit") && c.loop.explicitClassWeights.size() != classes.size())
            return invalidArgument(QStringLiteral("training.class_weights lists %1 weights; the label has %2 classes (%3)")
                                       .arg(c.loop.explicitClassWeights.size()).arg(classes.size()).arg(classes.join(QStringLiteral(", "))));
    } else {
        for (int r = 0; r < n; ++r)
            if (!data::parseFiniteDouble(labels[size_t(r)], &y[size_t(r)]))
                return invalidArgument(QStringLiteral("%1:%2: the regression target '%3' holds '%4', not a number")
                                           .arg(file).arg(t.lines[size_t(r)]).arg(c.data.label, QString::fromStdString(labels[size_t(r)])));
    }

    // Feature kinds: listed categorical, or text (no value parses as a number); otherwise
    // numeric, and then every present value must be a number.
    QStringList numericCols, categoricalCols;
    std::vector<std::vector<double>> numericValues;
    for (const auto &f : features) {
        const auto &cells = t.cells[size_t(t.index(f))];
        if (c.data.categorical.contains(f)) {
            categoricalCols << f;
            continue;
        }
        int firstNumber = -1, firstText = -1, missing = 0;
        std::vector<double> values(size_t(n), std::nan(""));
        for (int r = 0; r < n; ++r) {
            const auto &s = cells[size_t(r)];
            if (isMissing(s)) {
                ++missing;
                continue;
            }
            double v;
            if (data::parseFiniteDouble(s, &v)) {
                values[size_t(r)] = v;
                if (firstNumber < 0) firstNumber = r;
            } else if (firstText < 0) {
                firstText = r;
            }
        }
        if (firstNumber < 0 && firstText >= 0) {
            categoricalCols << f;
            continue;
        }
        if (firstText >= 0)
            return invalidArgument(QStringLiteral("%1:%2: column '%3' is numeric (line %4 holds %5) but this row holds '%6'; "
                                                  "fix the value, or list the column under data.categorical")
                                       .arg(file).arg(t.lines[size_t(firstText)]).arg(f).arg(t.lines[size_t(firstNumber)])
                                       .arg(QString::fromStdString(cells[size_t(firstNumber)]), QString::fromStdString(cells[size_t(firstText)])));
        if (missing > 0 && c.data.missing == MissingPolicy::Error) {
            int r = 0;
            while (!isMissing(cells[size_t(r)])) ++r;
            return invalidArgument(QStringLiteral("%1:%2: column '%3' has a missing value (data.missing: error); fill it in or use mean")
                                       .arg(file).arg(t.lines[size_t(r)]).arg(f));
        }
        if (missing == n)
            return invalidArgument(QStringLiteral("%1: column '%2' has no values at all; drop it (data.drop)").arg(file, f));
        numericCols << f;
        numericValues.push_back(std::move(values));
    }

    const RowSplit split = splitRows(n, c);
    // Fit on the training rows only.
    for (int i = 0; i < numericCols.size(); ++i) {
        const auto &v = numericValues[size_t(i)];
        double sum = 0.0;
        qint64 k = 0;
        for (int r : split.train)
            if (!std::isnan(v[size_t(r)])) { sum += v[size_t(r)]; ++k; }
        const double mean = k > 0 ? sum / double(k) : 0.0;
        NumericFeature nf;
        nf.name = numericCols[i];
        nf.fill = c.data.missing == MissingPolicy::Zero ? 0.0 : mean;
        double ss = 0.0;
        for (int r : split.train) {
            const double x = std::isnan(v[size_t(r)]) ? nf.fill : v[size_t(r)];
            nf.mean += x;
        }
        nf.mean /= double(split.train.size());
        for (int r : split.train) {
            const double x = std::isnan(v[size_t(r)]) ? nf.fill : v[size_t(r)];
            ss += (x - nf.mean) * (x - nf.mean);
        }
        const double sd = std::sqrt(ss / double(split.train.size()));
        nf.scale = sd > 1e-12 ? sd : 1.0;
        pre.numeric.append(nf);
    }
    // Vocabularies: the training rows' values. With data.unseen: error, every value of the file:
    // the export refuses a value outside its vocabulary, so a value that only the validation or
    // test rows hold would make the model refuse rows of its own data — and the trainer's figures
    // (computed on encoded splits, where an unknown value gets the "other" code) would no longer
    // be what the export answers. The model refuses only what its data never had.
    const bool strict = c.data.unseen == UnseenPolicy::Error;
    for (const auto &col : categoricalCols) {
        const auto &cells = t.cells[size_t(t.index(col))];
        std::set<std::string> seen;
        if (strict)
            seen.insert(cells.begin(), cells.end());
        else
            for (int r : split.train)
                seen.insert(cells[size_t(r)]);
        CategoricalFeature cf;
        cf.name = col;
        for (const auto &s : seen)
            cf.categories << QString::fromStdString(s);
        if (cf.categories.size() > 100000)
            return invalidArgument(QStringLiteral("%1: column '%2' has %3 distinct values; drop it (an identifier?)").arg(file, col).arg(cf.categories.size()));
        pre.categorical.append(cf);
    }
    if (c.task == Task::Regression) {
        double sum = 0.0, ss = 0.0;
        for (int r : split.train) sum += y[size_t(r)];
        pre.targetMean = sum / double(split.train.size());
        for (int r : split.train) ss += (y[size_t(r)] - pre.targetMean) * (y[size_t(r)] - pre.targetMean);
        const double sd = std::sqrt(ss / double(split.train.size()));
        pre.targetScale = sd > 1e-12 ? sd : 1.0;
    }

    std::vector<int> catIdx;
    for (const auto &col : categoricalCols)
        catIdx.push_back(t.index(col));
    const int sliceCol = c.data.slice.isEmpty() ? -1 : t.index(c.data.slice);
    const int width = pre.denseWidth(), cw = pre.codeWidth();
    auto fill = [&](const std::vector<int> &rows, Split &s) {
        s.rows = int(rows.size());
        s.dense.assign(size_t(s.rows) * size_t(width), 0.0f);
        s.codes.assign(size_t(s.rows) * size_t(cw), 0);
        s.target.resize(size_t(s.rows));
        s.sourceRows = rows;
        std::vector<double> num(size_t(numericCols.size()));
        std::vector<QString> cat(catIdx.size());
        for (int i = 0; i < s.rows; ++i) {
            const int r = rows[size_t(i)];
            for (size_t k = 0; k < num.size(); ++k)
                num[k] = numericValues[k][size_t(r)];
            for (size_t k = 0; k < cat.size(); ++k)
                cat[k] = QString::fromStdString(t.cells[size_t(catIdx[k])][size_t(r)]);
            encodeRow(pre, num.data(), cat.data(), s.dense.data() + size_t(i) * size_t(width), s.codes.data() + size_t(i) * size_t(cw));
            s.target[size_t(i)] = c.task == Task::Regression ? float((y[size_t(r)] - pre.targetMean) / pre.targetScale) : float(y[size_t(r)]);
            if (sliceCol >= 0)
                s.slices << QString::fromStdString(t.cells[size_t(sliceCol)][size_t(r)]);
        }
    };
    fill(split.train, out.train);
    fill(split.validation, out.validation);
    fill(split.test, out.test);
    if (c.task == Task::Classification) {
        out.classCounts.fill(0, pre.classes.size());
        for (float v : out.train.target)
            ++out.classCounts[int(v)];
        if (std::count_if(out.classCounts.begin(), out.classCounts.end(), [](qint64 k) { return k > 0; }) < 2)
            return invalidArgument(QStringLiteral("%1: the training split holds a single class of '%2'; add rows of the other classes")
                                       .arg(file, c.data.label));
    }
    return Status::ok();
}

Status prepareForecast(const TrainConfig &c, PreparedData &out)
{
    ORRERY_ASSIGN_OR_RETURN(auto table, readTable(c.data.path));
    Table &t = table;
    const int col = t.index(c.data.label);
    if (col < 0)
        return invalidArgument(QStringLiteral("%1: no column '%2' (data.label, the series to forecast); the columns are: %3")
                                   .arg(t.name, c.data.label, t.columns.join(QStringLiteral(", "))));
    std::vector<int> order(static_cast<size_t>(t.rows()));
    std::iota(order.begin(), order.end(), 0);
    if (!c.data.time.isEmpty()) {
        const int tc = t.index(c.data.time);
        if (tc < 0)
            return invalidArgument(QStringLiteral("%1: no column '%2' (data.time)").arg(t.name, c.data.time));
        std::vector<qint64> ts(static_cast<size_t>(t.rows()));
        for (int r = 0; r < t.rows(); ++r) {
            double d;
            const auto &s = t.cells[size_t(tc)][size_t(r)];
            if (data::parseTimestamp(s, &ts[size_t(r)])) continue;
            if (data::parseFiniteDouble(s, &d)) { ts[size_t(r)] = qint64(d); continue; }
            return invalidArgument(QStringLiteral("%1:%2: the time column '%3' holds '%4', neither a timestamp nor a number")
                                       .arg(t.name).arg(t.lines[size_t(r)]).arg(c.data.time, QString::fromStdString(s)));
        }
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return ts[size_t(a)] < ts[size_t(b)]; });
    }
    std::vector<double> y;
    for (int r : order) {
        double v;
        const auto &s = t.cells[size_t(col)][size_t(r)];
        if (!data::parseFiniteDouble(s, &v))
            return invalidArgument(QStringLiteral("%1:%2: the series '%3' holds '%4', not a number")
                                       .arg(t.name).arg(t.lines[size_t(r)]).arg(c.data.label, QString::fromStdString(s)));
        y.push_back(v);
    }
    const int lags = c.model.lags, horizon = c.model.horizon;
    const int windows = int(y.size()) - lags - horizon + 1;
    if (windows < 10)
        return invalidArgument(QStringLiteral("%1: %2 rows make %3 windows of %4 lags + %5 ahead; at least 10 are needed")
                                   .arg(t.name).arg(y.size()).arg(std::max(0, windows)).arg(lags).arg(horizon));
    const int nVal = int(std::llround(c.data.validationFraction * windows));
    const int nTest = int(std::llround(c.data.testFraction * windows));
    const int nTrain = std::max(1, windows - nVal - nTest);
    Preprocessor &pre = out.pre;
    pre.task = Task::Forecast;
    pre.lags = lags;
    pre.horizon = horizon;
    // Fit on the values the training windows see (inputs and targets), nothing later.
    const int seen = nTrain + lags + horizon - 1;
    double sum = 0.0, ss = 0.0;
    for (int i = 0; i < seen; ++i) sum += y[size_t(i)];
    pre.targetMean = sum / seen;
    for (int i = 0; i < seen; ++i) ss += (y[size_t(i)] - pre.targetMean) * (y[size_t(i)] - pre.targetMean);
    const double sd = std::sqrt(ss / seen);
    pre.targetScale = sd > 1e-12 ? sd : 1.0;
    auto fill = [&](int from, int count, Split &s) {
        s.rows = count;
        s.dense.resize(size_t(count) * size_t(lags));
        s.target.resize(size_t(count) * size_t(horizon));
        for (int w = 0; w < count; ++w) {
            const int start = from + w;
            s.sourceRows.push_back(start + lags);
            for (int k = 0; k < lags; ++k)
                s.dense[size_t(w) * size_t(lags) + size_t(k)] = float((y[size_t(start + k)] - pre.targetMean) / pre.targetScale);
            for (int h = 0; h < horizon; ++h)
                s.target[size_t(w) * size_t(horizon) + size_t(h)] = float((y[size_t(start + lags + h)] - pre.targetMean) / pre.targetScale);
        }
    };
    fill(0, nTrain, out.train);
    fill(nTrain, std::min(nVal, windows - nTrain), out.validation);
    fill(nTrain + nVal, std::max(0, windows - nTrain - nVal), out.test);
    return Status::ok();
}

// sklearn's digits: 1797 rows of 64 pixels (0–16) and the digit, no header, gzip.
Result<std::vector<std::vector<float>>> readDigits(const QString &path)
{
    gzFile f = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!f)
        return ioError(QStringLiteral("cannot open %1").arg(path));
    std::string text;
    char buf[65536];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0)
        text.append(buf, size_t(n));
    gzclose(f);
    std::vector<std::vector<float>> rows;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::vector<float> row;
        size_t p = pos;
        while (p < end) {
            size_t comma = text.find(',', p);
            if (comma == std::string::npos || comma > end) comma = end;
            row.push_back(std::strtof(text.substr(p, comma - p).c_str(), nullptr));
            p = comma + 1;
        }
        if (row.size() == 65)
            rows.push_back(std::move(row));
        pos = end + 1;
    }
    if (rows.empty())
        return corrupt(QStringLiteral("%1 holds no 65-column rows").arg(path));
    return rows;
}

// Generated 8×8 images of four shapes (horizontal bar, vertical bar, diagonal, box) at random
// places with noise: the fallback when sklearn's digits are not installed.
std::vector<std::vector<float>> generateImages(quint64 seed, int count)
{
    common::Random rnd(seed ^ 0x1a6e5ULL);
    std::vector<std::vector<float>> rows;
    for (int i = 0; i < count; ++i) {
        std::vector<float> img(65, 0.0f);
        const int cls = int(rnd.below(4));
        const int a = 1 + int(rnd.below(6)), b = int(rnd.below(3));
        for (int k = 0; k < 8; ++k) {
            if (cls == 0) img[size_t(a * 8 + k)] = 16;
            if (cls == 1) img[size_t(k * 8 + a)] = 16;
            if (cls == 2) img[size_t(k * 8 + k)] = 16;
        }
        if (cls == 3)
            for (int k = 0; k < 4; ++k) {
                img[size_t((b + 1) * 8 + b + 1 + k)] = 16;
                img[size_t((b + 4) * 8 + b + 1 + k)] = 16;
                img[size_t((b + 1 + k) * 8 + b + 1)] = 16;
                img[size_t((b + 1 + k) * 8 + b + 4)] = 16;
            }
        for (int p = 0; p < 64; ++p)
            img[size_t(p)] = float(std::clamp(img[size_t(p)] + rnd.normal(0.0, 3.0), 0.0, 16.0));
        img[64] = float(cls);
        rows.push_back(std::move(img));
    }
    return rows;
}

} // namespace

static QString digitsPath()
{
    return QStringLiteral("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");
}

static Status prepareImages(const TrainConfig &c, PreparedData &out)
{
    std::vector<std::vector<float>> rows;
    int side = 8;
    if (c.data.builtin == QLatin1String("digits") && QFileInfo::exists(digitsPath())) {
        ORRERY_ASSIGN_OR_RETURN(auto d, readDigits(digitsPath()));
        rows = std::move(d);
    } else if (!c.data.builtin.isEmpty()) {
        rows = generateImages(c.loop.seed, 2000);
    } else {
        ORRERY_ASSIGN_OR_RETURN(auto table, readTable(c.data.path));
        const int labelCol = table.index(c.data.label);
        if (labelCol < 0)
            return invalidArgument(QStringLiteral("%1: no column '%2' (data.label)").arg(table.name, c.data.label));
        const int pixels = table.columns.size() - 1;
        side = int(std::lround(std::sqrt(double(pixels))));
        if (side * side != pixels)
            return invalidArgument(QStringLiteral("%1: %2 pixel columns do not make a square image").arg(table.name).arg(pixels));
        for (int r = 0; r < table.rows(); ++r) {
            std::vector<float> row;
            for (int col = 0; col < table.columns.size(); ++col) {
                if (col == labelCol) continue;
                double v;
                if (!data::parseFiniteDouble(table.cells[size_t(col)][size_t(r)], &v))
                    return invalidArgument(QStringLiteral("%1:%2: pixel column '%3' is not a number")
                                               .arg(table.name)
                                               .arg(table.lines[size_t(r)])
                                               .arg(table.columns[col]));
                row.push_back(float(v));
            }
            double lab;
            if (!data::parseFiniteDouble(table.cells[size_t(labelCol)][size_t(r)], &lab))
                return invalidArgument(
                    QStringLiteral("%1:%2: the label is not a class number").arg(table.name).arg(table.lines[size_t(r)]));
            row.push_back(float(lab));
            rows.push_back(std::move(row));
        }
    }
    const int pixels = side * side;
    Preprocessor &pre = out.pre;
    pre.task = Task::Image;
    pre.imageHeight = pre.imageWidth = side;
    int maxClass = 0;
    for (const auto &r : rows) maxClass = std::max(maxClass, int(r[size_t(pixels)]));
    for (int k = 0; k <= maxClass; ++k) pre.classes << QString::number(k);
    if (pre.classes.size() < 2)
        return invalidArgument(QStringLiteral("the images have a single class; a classifier needs at least two"));
    const RowSplit split = splitRows(int(rows.size()), c);
    double sum = 0.0, ss = 0.0;
    for (int r : split.train) for (int p = 0; p < pixels; ++p) sum += rows[size_t(r)][size_t(p)];
    const double count = double(split.train.size()) * pixels;
    pre.pixelMean = sum / count;
    for (int r : split.train) for (int p = 0; p < pixels; ++p) ss += std::pow(rows[size_t(r)][size_t(p)] - pre.pixelMean, 2);
    pre.pixelScale = std::max(1e-6, std::sqrt(ss / count));
    auto fill = [&](const std::vector<int> &idx, Split &s) {
        s.rows = int(idx.size());
        s.dense.resize(size_t(s.rows) * size_t(pixels));
        s.target.resize(size_t(s.rows));
        s.sourceRows = idx;
        for (int i = 0; i < s.rows; ++i) {
            const auto &row = rows[size_t(idx[size_t(i)])];
            for (int p = 0; p < pixels; ++p)
                s.dense[size_t(i) * size_t(pixels) + size_t(p)] = float((row[size_t(p)] - pre.pixelMean) / pre.pixelScale);
            s.target[size_t(i)] = row[size_t(pixels)];
        }
    };
    fill(split.train, out.train);
    fill(split.validation, out.validation);
    fill(split.test, out.test);
    out.classCounts.fill(0, pre.classes.size());
    for (float v : out.train.target) ++out.classCounts[int(v)];
    return Status::ok();
}

Result<PreparedData> prepareData(const TrainConfig &config)
{
    ORRERY_TRY(validateTrainConfig(config));
    PreparedData out;
    Status s;
    switch (config.task) {
    case Task::Classification:
    case Task::Regression: s = prepareTabular(config, out); break;
    case Task::Forecast: s = prepareForecast(config, out); break;
    case Task::Image: s = prepareImages(config, out); break;
    }
    if (!s.isOk())
        return s;
    return out;
}

} // namespace orrery::train
