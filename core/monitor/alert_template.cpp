#include "core/monitor/alert_template.h"

#include <QRegularExpression>

#include <cmath>

namespace orrery::monitor {

namespace {

// One {{ … }} action, recognised.
struct Action {
    enum Kind { Label, Value, Fixed, Percentage, Unknown } kind = Unknown;
    QString label;
    int decimals = 0;
};

Action parseAction(const QString &inside)
{
    static const QRegularExpression label(QStringLiteral("^(?:\\$labels|\\.Labels)\\.([a-zA-Z_][a-zA-Z0-9_]*)$"));
    static const QRegularExpression value(QStringLiteral("^(?:\\$value|\\.Value)$"));
    static const QRegularExpression fixed(QStringLiteral("^printf\\s+\"%\\.([0-9])f\"\\s+(?:\\$value|\\.Value)$"));
    static const QRegularExpression percentage(QStringLiteral("^(?:humanizePercentage\\s+(?:\\$value|\\.Value)|(?:\\$value|\\.Value)\\s*\\|\\s*humanizePercentage)$"));
    const QString a = inside.trimmed();
    Action out;
    if (const auto m = label.match(a); m.hasMatch()) {
        out.kind = Action::Label;
        out.label = m.captured(1);
    } else if (value.match(a).hasMatch()) {
        out.kind = Action::Value;
    } else if (const auto f = fixed.match(a); f.hasMatch()) {
        out.kind = Action::Fixed;
        out.decimals = f.captured(1).toInt();
    } else if (percentage.match(a).hasMatch()) {
        out.kind = Action::Percentage;
    }
    return out;
}

QString special(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    return QString();
}

// Go's %.Ng for the 4-digit percentage: C's %g agrees with Go's for finite values.
QString gText(double v, int precision)
{
    if (const QString s = special(v); !s.isEmpty())
        return s;
    return QString::asprintf("%.*g", precision, v);
}

// Walks `text`, calling `action` for each {{ … }} (with its offset) and `literal` for the rest.
// False when a {{ is not closed.
template <typename A, typename L>
bool walk(const QString &text, A action, L literal)
{
    qsizetype at = 0;
    while (at < text.size()) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), at);
        if (open < 0) {
            literal(text.mid(at));
            return true;
        }
        literal(text.mid(at, open - at));
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        if (close < 0)
            return false;
        action(text.mid(open + 2, close - open - 2), open);
        at = close + 2;
    }
    return true;
}

const char kForms[] = "{{ $labels.NAME }}, {{ $value }}, {{ printf \"%.2f\" $value }} or {{ humanizePercentage $value }}";

} // namespace

QString goFloatText(double v)
{
    if (const QString s = special(v); !s.isEmpty())
        return s;
    if (v == 0)
        return std::signbit(v) ? QStringLiteral("-0") : QStringLiteral("0");
    // The shortest digits that read back as v (what strconv's shortest formatting finds).
    QString e;
    int digits = 1;
    for (; digits <= 17; ++digits) {
        e = QString::number(v, 'e', digits - 1);
        if (e.toDouble() == v)
            break;
    }
    const int exponent = e.mid(e.indexOf(QLatin1Char('e')) + 1).toInt();
    if (exponent < -4 || exponent >= 6) { // strconv's rule for the shortest 'g'
        // %e: mantissa as found, exponent signed with at least two digits.
        QString mantissa = e.left(e.indexOf(QLatin1Char('e')));
        return QStringLiteral("%1e%2%3").arg(mantissa, exponent < 0 ? QStringLiteral("-") : QStringLiteral("+"),
                                             QStringLiteral("%1").arg(std::abs(exponent), 2, 10, QLatin1Char('0')));
    }
    return QString::number(v, 'f', qMax(0, digits - 1 - exponent));
}

Status checkAnnotationTemplate(const QString &text)
{
    Status status;
    const bool closed = walk(
        text,
        [&](const QString &inside, qsizetype offset) {
            if (status.isOk() && parseAction(inside).kind == Action::Unknown)
                status = invalidArgument(QStringLiteral("the template '{{%1}}' (at character %2) is not one Orrery renders; write %3")
                                             .arg(inside).arg(offset + 1).arg(QLatin1String(kForms)));
        },
        [](const QString &) {});
    if (!status.isOk())
        return status;
    if (!closed)
        return invalidArgument(QStringLiteral("a '{{' is not closed with '}}'; write %1").arg(QLatin1String(kForms)));
    return Status();
}

QString renderAnnotation(const QString &text, const QMap<QString, QString> &labels, double value)
{
    QString out;
    const bool closed = walk(
        text,
        [&](const QString &inside, qsizetype) {
            const Action a = parseAction(inside);
            switch (a.kind) {
            case Action::Label: out += labels.value(a.label); break;
            case Action::Value: out += goFloatText(value); break;
            case Action::Fixed: out += special(value).isEmpty() ? QString::number(value, 'f', a.decimals) : special(value); break;
            case Action::Percentage: out += gText(value * 100, 4) + QLatin1Char('%'); break;
            case Action::Unknown: out += QLatin1String("{{") + inside + QLatin1String("}}"); break;
            }
        },
        [&](const QString &literal) { out += literal; });
    if (!closed)
        out += text.mid(text.lastIndexOf(QLatin1String("{{")));
    return out;
}

} // namespace orrery::monitor
