#include "core/registry/validation_gate.h"

#include <QRegularExpression>

#include <cmath>

namespace orrery::registry {
namespace {

const char *opText(GateRule::Op op)
{
    switch (op) {
    case GateRule::Op::Ge: return ">=";
    case GateRule::Op::Gt: return ">";
    case GateRule::Op::Le: return "<=";
    case GateRule::Op::Lt: return "<";
    case GateRule::Op::Eq: return "==";
    }
    return "?";
}

} // namespace

QString GateRule::text() const
{
    return QStringLiteral("%1 %2 %3").arg(metric, QString::fromLatin1(opText(op)), rightSide());
}

QString GateRule::rightSide() const
{
    if (reference.isEmpty())
        return QString::number(threshold);
    QString r = scale == 1.0 ? reference : QStringLiteral("%1 * %2").arg(scale).arg(reference);
    if (threshold > 0)
        r += QStringLiteral(" + %1").arg(threshold);
    else if (threshold < 0)
        r += QStringLiteral(" - %1").arg(-threshold);
    return r;
}

bool GateResult::passed() const
{
    for (const auto &c : checks)
        if (!c.passed)
            return false;
    return true;
}

QStringList GateResult::failures() const
{
    QStringList out;
    for (const auto &c : checks)
        if (!c.passed)
            out << c.explanation;
    return out;
}

Result<QVector<GateRule>> parseGateRules(const QString &text, const QString &reference)
{
    static const QRegularExpression ruleRe(QStringLiteral("^\\s*([A-Za-z_][A-Za-z0-9_./-]*)\\s*(>=|<=|==|>|<)\\s*(.+?)\\s*$"));
    static const QRegularExpression numberRe(QStringLiteral("^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$"));
    static const QRegularExpression termRe(QStringLiteral("^([A-Za-z_]+)\\s*([-+])\\s*([0-9.eE+-]+)$|^([0-9.eE+-]+)\\s*\\*\\s*([A-Za-z_]+)$|^([A-Za-z_]+)\\s*\\*\\s*([0-9.eE+-]+)$|^([A-Za-z_]+)$"));
    QVector<GateRule> rules;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,;]")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (part.trimmed().isEmpty())
            continue;
        const auto m = ruleRe.match(part);
        if (!m.hasMatch())
            return invalidArgument(QStringLiteral("gate rule '%1' is not 'metric OP number' (OP one of >=, >, <=, <, ==), e.g. 'roc_auc >= 0.8'").arg(part.trimmed()));
        GateRule r;
        r.metric = m.captured(1);
        const QString op = m.captured(2);
        r.op = op == QLatin1String(">=") ? GateRule::Op::Ge
            : op == QLatin1String(">")   ? GateRule::Op::Gt
            : op == QLatin1String("<=")  ? GateRule::Op::Le
            : op == QLatin1String("<")   ? GateRule::Op::Lt
                                         : GateRule::Op::Eq;
        const QString right = m.captured(3);
        auto number = [&](const QString &t, double *out) {
            bool ok = false;
            *out = t.toDouble(&ok);
            return ok && std::isfinite(*out) && numberRe.match(t).hasMatch();
        };
        if (!number(right, &r.threshold)) {
            const auto t = termRe.match(right);
            const QString name = t.captured(1) + t.captured(5) + t.captured(6) + t.captured(8);
            if (reference.isEmpty() || !t.hasMatch() || name != reference)
                return invalidArgument(reference.isEmpty()
                                           ? QStringLiteral("gate rule '%1': '%2' is not a number").arg(part.trimmed(), right)
                                           : QStringLiteral("gate rule '%1': the right side '%2' is not a number, %3, %3 + N, %3 - N or N * %3")
                                                 .arg(part.trimmed(), right, reference));
            r.reference = reference;
            r.threshold = 0;
            bool ok = true;
            if (!t.captured(3).isEmpty()) { // REF ± N
                ok = number(t.captured(3), &r.threshold);
                if (t.captured(2) == QLatin1String("-"))
                    r.threshold = -r.threshold;
            } else if (!t.captured(4).isEmpty()) { // N * REF
                ok = number(t.captured(4), &r.scale);
            } else if (!t.captured(7).isEmpty()) { // REF * N
                ok = number(t.captured(7), &r.scale);
            }
            if (!ok)
                return invalidArgument(QStringLiteral("gate rule '%1': '%2' has a number that is not one").arg(part.trimmed(), right));
        }
        rules.append(r);
    }
    if (rules.isEmpty())
        return invalidArgument(QStringLiteral("the gate has no rules: give e.g. 'roc_auc >= 0.8, recall >= 0.5'"));
    return rules;
}

GateResult evaluateGate(const QVector<GateRule> &rules, const QHash<QString, double> &metrics, const QHash<QString, double> &referenceMetrics)
{
    GateResult result;
    for (const auto &rule : rules) {
        GateCheck c;
        c.rule = rule;
        c.present = metrics.contains(rule.metric);
        if (!c.present) {
            QStringList names = metrics.keys();
            names.sort();
            c.explanation = QStringLiteral("%1: the metrics have no '%2' (they have: %3)").arg(rule.text(), rule.metric, names.join(QStringLiteral(", ")));
            result.checks.append(c);
            continue;
        }
        c.value = metrics.value(rule.metric);
        double threshold = rule.threshold;
        QString against = QString::number(threshold);
        if (!rule.reference.isEmpty()) {
            if (!referenceMetrics.contains(rule.metric)) {
                c.explanation = QStringLiteral("%1: %2 has no '%3' to compare with").arg(rule.text(), rule.reference, rule.metric);
                result.checks.append(c);
                continue;
            }
            const double ref = referenceMetrics.value(rule.metric);
            threshold = rule.scale * ref + rule.threshold;
            against = QStringLiteral("%1 (%2 = %3)").arg(rule.rightSide(), rule.reference).arg(ref, 0, 'g', 6);
        }
        switch (rule.op) {
        case GateRule::Op::Ge: c.passed = c.value >= threshold; break;
        case GateRule::Op::Gt: c.passed = c.value > threshold; break;
        case GateRule::Op::Le: c.passed = c.value <= threshold; break;
        case GateRule::Op::Lt: c.passed = c.value < threshold; break;
        case GateRule::Op::Eq: c.passed = c.value == threshold; break;
        }
        if (std::isnan(c.value) || std::isnan(threshold))
            c.passed = false;
        c.explanation = c.passed ? QStringLiteral("%1 = %2, %3 %4").arg(rule.metric).arg(c.value, 0, 'g', 6).arg(QString::fromLatin1(opText(rule.op)), against)
                                 : QStringLiteral("%1 = %2, needs %3 %4").arg(rule.metric).arg(c.value, 0, 'g', 6).arg(QString::fromLatin1(opText(rule.op)), against);
        result.checks.append(c);
    }
    return result;
}

} // namespace orrery::registry
