#include "core/tune/search_space.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QStringList>

#include <cmath>

namespace orrery::tune {

namespace {

QString num(double v)
{
    return QString::number(v, 'g', 12);
}

// A choice as a person would write it in the sweep file: texts quoted, lists as JSON.
QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    case QJsonValue::Double:
        return num(v.toDouble());
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default:
        return QStringLiteral("null");
    }
}

QString choiceList(const QVector<QJsonValue> &choices)
{
    QStringList texts;
    for (const QJsonValue &c : choices)
        texts << jsonText(c);
    return texts.join(QStringLiteral(", "));
}

// 1 and 1.0 are the same choice; everything else compares as JSON.
bool sameJson(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    return a == b;
}

int choiceIndex(const QVector<QJsonValue> &choices, const QJsonValue &v)
{
    for (int i = 0; i < choices.size(); ++i)
        if (sameJson(choices[i], v))
            return i;
    return -1;
}

Status bad(const QString &name, const QString &problem)
{
    return invalidArgument(QStringLiteral("parameter '%1': %2").arg(name, problem));
}

// Steps (high − low) / step, tolerant of the rounding in decimal steps: (1 − 0.1) / 0.1 is
// 8.999…, which means 9 steps, not 8.
qint64 stepsInRange(double low, double high, double step)
{
    const double r = (high - low) / step;
    const double nearest = std::round(r);
    if (std::fabs(r - nearest) <= 1e-9 * std::max(1.0, r))
        return qint64(nearest);
    return qint64(std::floor(r));
}

} // namespace

qint64 ParamSpec::cardinality() const
{
    switch (kind) {
    case ParamKind::Categorical:
        return choices.size();
    case ParamKind::Int:
        return stepsInRange(low, high, step >= 1 ? step : 1.0) + 1;
    case ParamKind::Float:
        return step > 0 ? stepsInRange(low, high, step) + 1 : 0;
    }
    return 0;
}

double ParamSpec::snap(double v) const
{
    if (std::isnan(v))
        return v;
    if (kind == ParamKind::Categorical) {
        const double last = double(std::max<qsizetype>(choices.size(), 1) - 1);
        return std::clamp(std::round(v), 0.0, last);
    }
    const double q = kind == ParamKind::Int ? (step >= 1 ? step : 1.0) : step;
    if (q > 0) {
        // The grid's top is the last point at or below high (high need not be on the grid).
        const double top = double(cardinality() - 1);
        const double k = std::clamp(std::round((v - low) / q), 0.0, top);
        return low + k * q;
    }
    return std::clamp(v, low, high);
}

Status SearchSpace::validate()
{
    QSet<QString> seen;
    for (int i = 0; i < m_params.size(); ++i) {
        ParamSpec &p = m_params[i];
        if (p.name.isEmpty())
            return invalidArgument(QStringLiteral("parameter %1 (counting from 1) has no name").arg(i + 1));
        if (seen.contains(p.name))
            return bad(p.name, QStringLiteral("defined twice (a name may appear once in a sweep)"));
        seen.insert(p.name);

        if (p.kind == ParamKind::Categorical) {
            if (p.choices.isEmpty())
                return bad(p.name, QStringLiteral("no choices (list at least one)"));
            for (int c = 0; c < p.choices.size(); ++c)
                for (int d = 0; d < c; ++d)
                    if (sameJson(p.choices[c], p.choices[d]))
                        return bad(p.name, QStringLiteral("choice %1 is listed twice").arg(jsonText(p.choices[c])));
        } else {
            if (!std::isfinite(p.low) || !std::isfinite(p.high))
                return bad(p.name, QStringLiteral("low and high must be finite numbers (low %1, high %2)").arg(num(p.low), num(p.high)));
            if (p.low > p.high)
                return bad(p.name, QStringLiteral("inverted range (low %1 > high %2)").arg(num(p.low), num(p.high)));
            if (p.low == p.high)
                return bad(p.name, QStringLiteral("empty range (low and high are both %1; use a categorical with one choice for a constant)").arg(num(p.low)));
            if (p.log && p.low <= 0)
                return bad(p.name, QStringLiteral("a log range must be above 0 (low is %1)").arg(num(p.low)));
            if (!std::isfinite(p.step) || p.step < 0)
                return bad(p.name, QStringLiteral("a step must be above 0 (step is %1)").arg(num(p.step)));
            if (p.kind == ParamKind::Int) {
                if (p.low != std::floor(p.low) || p.high != std::floor(p.high))
                    return bad(p.name, QStringLiteral("an int range needs whole numbers (low %1, high %2)").arg(num(p.low), num(p.high)));
                if (p.step == 0)
                    p.step = 1;
                if (p.step != std::floor(p.step))
                    return bad(p.name, QStringLiteral("an int step must be a whole number ≥ 1 (step is %1)").arg(num(p.step)));
                // As Optuna: the log scale and a step do not mix (which grid would the log follow?).
                if (p.log && p.step != 1)
                    return bad(p.name, QStringLiteral("log and a step cannot be combined (step is %1; drop one)").arg(num(p.step)));
            } else if (p.log && p.step > 0) {
                return bad(p.name, QStringLiteral("log and a step cannot be combined (step is %1; drop one)").arg(num(p.step)));
            }
        }

        if (p.parent.isEmpty()) {
            if (!p.parentValues.isEmpty())
                return bad(p.name, QStringLiteral("parentValues without a parent (name the parameter they belong to)"));
            continue;
        }
        const int parent = indexOf(p.parent);
        if (parent < 0)
            return bad(p.name, QStringLiteral("its parent '%1' is not a parameter of this sweep").arg(p.parent));
        if (parent == i)
            return bad(p.name, QStringLiteral("it cannot be its own parent"));
        if (parent > i)
            return bad(p.name, QStringLiteral("its parent '%1' must come before it").arg(p.parent));
        const ParamSpec &pp = m_params[parent];
        if (pp.kind != ParamKind::Categorical)
            return bad(p.name, QStringLiteral("its parent '%1' is not categorical (a condition needs choices)").arg(p.parent));
        if (p.parentValues.isEmpty())
            return bad(p.name, QStringLiteral("names parent '%1' but no parentValues (which of %2?)").arg(p.parent, choiceList(pp.choices)));
        for (const QJsonValue &v : p.parentValues)
            if (choiceIndex(pp.choices, v) < 0)
                return bad(p.name, QStringLiteral("parent value %1 is not one of '%2''s choices (%3)").arg(jsonText(v), p.parent, choiceList(pp.choices)));
    }
    return Status::ok();
}

int SearchSpace::indexOf(const QString &name) const
{
    for (int i = 0; i < m_params.size(); ++i)
        if (m_params[i].name == name)
            return i;
    return -1;
}

bool SearchSpace::isActive(const Point &p, int i) const
{
    const ParamSpec &spec = m_params[i];
    if (spec.parent.isEmpty())
        return true;
    const int parent = indexOf(spec.parent);
    if (parent < 0 || parent >= int(p.size()) || std::isnan(p[size_t(parent)]))
        return false; // an inactive parent makes its children inactive too
    const auto &choices = m_params[parent].choices;
    const qsizetype c = qsizetype(p[size_t(parent)]);
    if (c < 0 || c >= choices.size())
        return false;
    for (const QJsonValue &v : spec.parentValues)
        if (sameJson(v, choices[c]))
            return true;
    return false;
}

QJsonValue SearchSpace::valueOf(const Point &p, int i) const
{
    if (i < 0 || i >= int(p.size()) || std::isnan(p[size_t(i)]) || !isActive(p, i))
        return QJsonValue(QJsonValue::Null);
    const ParamSpec &spec = m_params[i];
    const double v = p[size_t(i)];
    switch (spec.kind) {
    case ParamKind::Categorical: {
        const qsizetype c = qsizetype(v);
        return c >= 0 && c < spec.choices.size() ? spec.choices[c] : QJsonValue(QJsonValue::Null);
    }
    case ParamKind::Int:
        return QJsonValue(qint64(std::llround(v)));
    case ParamKind::Float:
        return QJsonValue(v);
    }
    return QJsonValue(QJsonValue::Null);
}

QJsonObject SearchSpace::toJson(const Point &p) const
{
    QJsonObject o;
    for (int i = 0; i < size(); ++i) {
        const QJsonValue v = valueOf(p, i);
        if (!v.isNull())
            o.insert(m_params[i].name, v);
    }
    return o;
}

Result<Point> SearchSpace::fromJson(const QJsonObject &values) const
{
    for (auto it = values.begin(); it != values.end(); ++it)
        if (indexOf(it.key()) < 0) {
            QStringList names;
            for (const ParamSpec &p : m_params)
                names << p.name;
            return invalidArgument(QStringLiteral("unknown parameter '%1' (the sweep's parameters: %2)").arg(it.key(), names.join(QStringLiteral(", "))));
        }
    Point point(size_t(size()), std::nan(""));
    for (int i = 0; i < size(); ++i) {
        const ParamSpec &spec = m_params[i];
        const bool active = isActive(point, i); // parents come earlier, so they are set already
        const auto it = values.constFind(spec.name);
        if (!active) {
            if (it != values.constEnd())
                return bad(spec.name, QStringLiteral("given, but inactive here ('%1' is not one of %2)").arg(spec.parent, choiceList(spec.parentValues)));
            continue;
        }
        if (it == values.constEnd())
            return bad(spec.name, QStringLiteral("missing from the configuration (every active parameter needs a value)"));
        const QJsonValue v = *it;
        if (spec.kind == ParamKind::Categorical) {
            const int c = choiceIndex(spec.choices, v);
            if (c < 0)
                return bad(spec.name, QStringLiteral("%1 is not one of its choices (%2)").arg(jsonText(v), choiceList(spec.choices)));
            point[size_t(i)] = c;
            continue;
        }
        if (!v.isDouble())
            return bad(spec.name, QStringLiteral("%1 is not a number").arg(jsonText(v)));
        const double x = v.toDouble();
        if (!(x >= spec.low && x <= spec.high))
            return bad(spec.name, QStringLiteral("%1 is out of range (%2 … %3)").arg(num(x), num(spec.low), num(spec.high)));
        if (spec.kind == ParamKind::Int && x != std::floor(x))
            return bad(spec.name, QStringLiteral("%1 is not a whole number").arg(num(x)));
        const double snapped = spec.snap(x);
        const double q = spec.kind == ParamKind::Int ? std::max(spec.step, 1.0) : spec.step;
        if (q > 0 && std::fabs(snapped - x) > 1e-9 * q)
            return bad(spec.name, QStringLiteral("%1 is not on its grid (%2, %3, … step %4)").arg(num(x), num(spec.low), num(spec.low + q), num(q)));
        point[size_t(i)] = q > 0 ? snapped : x;
    }
    return point;
}

} // namespace orrery::tune
