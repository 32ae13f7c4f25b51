#pragma once
// The annotation templates of alert rules (`summary`, `description` in alerts.yaml): the subset of
// Prometheus' Go templates that says which series fired and with what value, so that the same
// text renders alike in Orrery and — through `orrery-cli export prometheus-rules` — in Prometheus:
//
//   {{ $labels.NAME }}                 the series' label NAME ("" when it has none, as Prometheus' missingkey=zero)
//   {{ $value }}                       the sample's value, as Go prints a float64 (0.5, 1, 1.234567e+06, NaN, +Inf)
//   {{ printf "%.Nf" $value }}         N decimals (N from 0 to 9)
//   {{ humanizePercentage $value }}    value × 100 with 4 significant digits and "%" (0.0523 → 5.23%)
// plus .Labels.NAME and .Value, Prometheus' other spellings. Anything else in {{ }} is refused
// when the rules are read (the error names the forms above), never rendered half.

#include "core/common/status.h"

#include <QMap>
#include <QString>

namespace orrery::monitor {

// OK when every {{ … }} of `text` is one of the forms above; InvalidArgument naming the first
// that is not (its text and offset) and the forms that are.
Status checkAnnotationTemplate(const QString &text);
// `text` with its forms replaced; an unknown form is left as it is (checkAnnotationTemplate refuses those first).
QString renderAnnotation(const QString &text, const QMap<QString, QString> &labels, double value);
// A float64 as Go's fmt prints it with %v (strconv 'g', shortest, exponent from 1e+06 / below 1e-04).
QString goFloatText(double value);

} // namespace orrery::monitor
