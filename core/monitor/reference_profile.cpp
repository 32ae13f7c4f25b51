#include "core/monitor/reference_profile.h"

#include "core/monitor/drift_csv.h"
#include "core/monitor/drift_statistics.h"

#include <QJsonArray>

#include <cmath>

namespace orrery::monitor {

namespace {

const QString kFormat = QStringLiteral("orrery-reference-profile-1");

QJsonValue finite(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }

} // namespace

FeatureProfile FeatureProfile::fromSample(const QString &name, const FeatureSample &sample, const QString &role)
{
    FeatureProfile p;
    p.name = name;
    p.role = role;
    p.count = sample.count();
    p.missing = sample.missing();
    const bool fewValues = sample.kind() == FeatureKind::Numeric && sample.count() > 0
                           && sample.distinctValues() <= FeatureSample::kMaxDistinctForCategories;
    if (sample.kind() == FeatureKind::Categorical || fewValues) {
        p.kind = FeatureKind::Categorical;
        p.numericCategories = fewValues;
        for (const auto &[text, n] : sample.categoryCounts())
            p.categories.emplace_back(text, n);
        return p;
    }
    p.kind = FeatureKind::Numeric;
    const std::vector<double> &sorted = sample.sorted();
    if (sorted.empty())
        return p;
    p.min = sorted.front();
    p.max = sorted.back();
    p.mean = sample.mean();
    p.std = sample.standardDeviation();
    for (int i = 1; i < kGridBins; ++i)
        p.edges.push_back(sortedQuantile(sorted, double(i) / kGridBins));
    p.counts.assign(kGridBins, 0);
    p.sums.assign(kGridBins, 0.0);
    // Bins [e_{i-1}, e_i): the number of edges at or below a value is its bin.
    size_t bin = 0;
    for (double v : sorted) {
        while (bin < p.edges.size() && p.edges[bin] <= v)
            ++bin;
        ++p.counts[bin];
        p.sums[bin] += v;
    }
    return p;
}

QJsonObject FeatureProfile::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("role"), role},
                  {QStringLiteral("kind"), kind == FeatureKind::Numeric ? QStringLiteral("numeric") : QStringLiteral("categorical")},
                  {QStringLiteral("count"), double(count)},
                  {QStringLiteral("missing"), double(missing)}};
    if (kind == FeatureKind::Numeric) {
        QJsonArray e, c, sum;
        for (double x : edges)
            e.append(x);
        for (qint64 n : counts)
            c.append(double(n));
        for (double x : sums)
            sum.append(x);
        o.insert(QStringLiteral("min"), finite(min));
        o.insert(QStringLiteral("max"), finite(max));
        o.insert(QStringLiteral("mean"), finite(mean));
        o.insert(QStringLiteral("std"), finite(std));
        o.insert(QStringLiteral("edges"), e);
        o.insert(QStringLiteral("counts"), c);
        o.insert(QStringLiteral("sums"), sum);
    } else {
        QJsonObject c;
        for (const auto &[text, n] : categories)
            c.insert(text, double(n));
        o.insert(QStringLiteral("numeric_categories"), numericCategories);
        o.insert(QStringLiteral("categories"), c);
    }
    return o;
}

Result<FeatureProfile> FeatureProfile::fromJson(const QJsonObject &o)
{
    FeatureProfile p;
    p.name = o.value(QStringLiteral("name")).toString();
    if (p.name.isEmpty())
        return invalidArgument(QStringLiteral("reference profile: a feature without a name"));
    p.role = o.value(QStringLiteral("role")).toString(QStringLiteral("feature"));
    p.count = qint64(o.value(QStringLiteral("count")).toDouble());
    p.missing = qint64(o.value(QStringLiteral("missing")).toDouble());
    const QString kind = o.value(QStringLiteral("kind")).toString();
    if (kind == QLatin1String("numeric")) {
        p.min = o.value(QStringLiteral("min")).toDouble();
        p.max = o.value(QStringLiteral("max")).toDouble();
        p.mean = o.value(QStringLiteral("mean")).toDouble();
        p.std = o.value(QStringLiteral("std")).toDouble();
        for (const QJsonValue &v : o.value(QStringLiteral("edges")).toArray())
            p.edges.push_back(v.toDouble());
        for (const QJsonValue &v : o.value(QStringLiteral("counts")).toArray())
            p.counts.push_back(qint64(v.toDouble()));
        for (const QJsonValue &v : o.value(QStringLiteral("sums")).toArray())
            p.sums.push_back(v.toDouble());
        if (!p.sums.empty() && p.sums.size() != p.counts.size())
            return invalidArgument(QStringLiteral("reference profile: feature '%1' has %2 sums for %3 bins").arg(p.name).arg(p.sums.size()).arg(p.counts.size()));
        const bool empty = p.count == 0 && p.edges.empty() && p.counts.empty();
        if (!empty && (int(p.edges.size()) != kGridBins - 1 || int(p.counts.size()) != kGridBins))
            return invalidArgument(QStringLiteral("reference profile: feature '%1' has %2 edges and %3 counts; expected %4 and %5")
                                       .arg(p.name).arg(p.edges.size()).arg(p.counts.size()).arg(kGridBins - 1).arg(kGridBins));
        for (size_t i = 1; i < p.edges.size(); ++i)
            if (!(p.edges[i - 1] <= p.edges[i]))
                return invalidArgument(QStringLiteral("reference profile: feature '%1' has edges out of order at %2").arg(p.name).arg(i));
    } else if (kind == QLatin1String("categorical")) {
        p.kind = FeatureKind::Categorical;
        p.numericCategories = o.value(QStringLiteral("numeric_categories")).toBool();
        const QJsonObject c = o.value(QStringLiteral("categories")).toObject();
        for (auto it = c.begin(); it != c.end(); ++it)
            p.categories.emplace_back(it.key(), qint64(it.value().toDouble()));
    } else {
        return invalidArgument(QStringLiteral("reference profile: feature '%1' has kind '%2'; expected numeric or categorical").arg(p.name, kind));
    }
    return p;
}

const FeatureProfile *ReferenceProfile::feature(const QString &name) const
{
    for (const FeatureProfile &f : features)
        if (f.name == name)
            return &f;
    return nullptr;
}

QJsonObject ReferenceProfile::toJson() const
{
    QJsonArray list;
    for (const FeatureProfile &f : features)
        list.append(f.toJson());
    return {{QStringLiteral("format"), kFormat},
            {QStringLiteral("source"), QJsonObject{{QStringLiteral("data"), dataPath},
                                                   {QStringLiteral("rows"), double(rows)},
                                                   {QStringLiteral("scores"), scoresPath}}},
            {QStringLiteral("features"), list}};
}

Result<ReferenceProfile> ReferenceProfile::fromJson(const QJsonObject &o)
{
    if (o.value(QStringLiteral("format")).toString() != kFormat)
        return invalidArgument(QStringLiteral("reference profile: format '%1'; this Orrery reads %2").arg(o.value(QStringLiteral("format")).toString(), kFormat));
    ReferenceProfile r;
    const QJsonObject source = o.value(QStringLiteral("source")).toObject();
    r.dataPath = source.value(QStringLiteral("data")).toString();
    r.scoresPath = source.value(QStringLiteral("scores")).toString();
    r.rows = qint64(source.value(QStringLiteral("rows")).toDouble());
    for (const QJsonValue &v : o.value(QStringLiteral("features")).toArray()) {
        ORRERY_ASSIGN_OR_RETURN(FeatureProfile f, FeatureProfile::fromJson(v.toObject()));
        r.features.push_back(std::move(f));
    }
    return r;
}

Result<ReferenceProfile> profileReference(const QString &dataCsv, const QStringList &columns, const QString &scoresCsv, const QString &scoreColumn)
{
    ReferenceProfile r;
    r.dataPath = dataCsv;
    r.scoresPath = scoresCsv;
    ORRERY_ASSIGN_OR_RETURN(const DriftInputs data, readDriftInputs(dataCsv, dataCsv, columns));
    r.rows = data.referenceRows;
    for (const QString &name : columns) {
        const auto it = std::find_if(data.columns.begin(), data.columns.end(), [&](const DriftColumn &c) { return c.name == name; });
        if (it == data.columns.end())
            return invalidArgument(QStringLiteral("%1: column '%2' cannot be profiled (%3)")
                                       .arg(dataCsv, name, data.skipped.filter(name + QLatin1Char(':')).join(QStringLiteral("; "))));
        r.features.push_back(FeatureProfile::fromSample(name, *it->reference));
    }
    if (!scoresCsv.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(const DriftInputs scores, readDriftInputs(scoresCsv, scoresCsv, {scoreColumn}));
        if (scores.columns.empty() || scores.columns.front().kind != FeatureKind::Numeric)
            return invalidArgument(QStringLiteral("%1: score column '%2' is not numeric").arg(scoresCsv, scoreColumn));
        r.features.push_back(FeatureProfile::fromSample(QStringLiteral("prediction"), *scores.columns.front().reference, QStringLiteral("prediction")));
    }
    return r;
}

} // namespace orrery::monitor
