#pragma once
// The parameters a sweep searches, and one point of that space.
//
// A parameter is a dotted key of the training config (`optimizer.lr`) or of params.yaml (a pipeline
// stage's sweep), of one kind:
//   float        low … high, uniform; `log: true` samples log-uniformly (low > 0); `step` makes it
//                discrete (low, low+step, … ≤ high)
//   int          low … high inclusive, `step` (default 1); `log: true` log-uniform (low ≥ 1)
//   categorical  one of `choices` (any JSON: numbers, texts, lists such as hidden sizes [64, 32])
// and optionally conditional: active only when an earlier parameter `parent` takes one of
// `parentValues` (`optimizer.momentum` only when `optimizer.name` is sgd). An inactive
// parameter is left out of the trial's config.
//
// A Point holds one double per parameter, in the space's order:
//   float/int     the value itself (not its log); NaN when the parameter is inactive
//   categorical   the index of the choice
// Samplers work on Points (cheap to compare and store by the ten thousand); toJson turns one into
// the values written into a trial's config.
//
// Threads: a SearchSpace is immutable once validated; share it freely.

#include "core/common/status.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QVector>

#include <vector>

namespace orrery::tune {

enum class ParamKind { Float, Int, Categorical };

struct ParamSpec {
    QString name;
    ParamKind kind = ParamKind::Float;
    double low = 0.0;
    double high = 0.0;
    bool log = false;
    double step = 0.0;             // Float: 0 = continuous; Int: ≥ 1 (validate() sets 1 when 0)
    QVector<QJsonValue> choices;   // Categorical
    QString parent;                // empty: always active
    QVector<QJsonValue> parentValues;

    // How many distinct values: choices, or grid points of an int / stepped float; 0 = continuous.
    qint64 cardinality() const;
    // A value in range snapped to the grid (int, step), clamped to low … high.
    double snap(double v) const;
};

using Point = std::vector<double>;

class SearchSpace {
public:
    SearchSpace() = default;
    explicit SearchSpace(QVector<ParamSpec> params) : m_params(std::move(params)) {}

    // Checks every parameter (ranges not empty or inverted, a log range above 0, an int step ≥ 1,
    // at least one choice, no repeated names, a parent that exists, comes earlier and is
    // categorical, with parentValues among its choices). Messages name the parameter.
    Status validate();

    const QVector<ParamSpec> &params() const { return m_params; }
    int size() const { return int(m_params.size()); }
    int indexOf(const QString &name) const;

    // Whether parameter i is active in `p` (its parent, if any, holds one of parentValues).
    bool isActive(const Point &p, int i) const;
    // The JSON value of parameter i in p (a number, or the chosen choice); Null when inactive.
    QJsonValue valueOf(const Point &p, int i) const;
    // {name: value} of the active parameters.
    QJsonObject toJson(const Point &p) const;
    // The point a JSON assignment names (a queued configuration): every active parameter must be
    // given and valid; an unknown name or a value out of range is an error that names it.
    Result<Point> fromJson(const QJsonObject &values) const;

private:
    QVector<ParamSpec> m_params;
};

} // namespace orrery::tune
