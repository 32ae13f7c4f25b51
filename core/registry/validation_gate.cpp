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
    return QStringLiteral("%1 %2 %3").arg(metric, QString::fromLatin1(opText(op))).arg(threshold);
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

Result<QVector<GateRule>> parseGateRules(const QString &text)
{
    static const QRegularExpression ruleRe(QStringLiteral("^\\s*([A-Za-z_][A-Za-z0-9_./-]*)\\s*(>=|<=|==|>|<)\\s*([-+0-9.eE]+)\\s*$"));
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
        bool ok = false;
        r.threshold = m.captured(3).toDouble(&ok);
        if (!ok || !std::isfinite(r.threshold))
            return invalidArgument(QStringLiteral("gate rule '%1': '%2' is not a number").arg(part.trimmed(), m.captured(3)));
        rules.append(r);
    }
    if (rules.isEmpty())
        return invalidArgument(QStringLiteral("the gate has no rules: give e.g. 'roc_auc >= 0.8, recall >= 0.5'"));
    return rules;
}

GateResult evaluateGate(const QVector<GateRule> &rules, const QHash<QString, double> &metrics)
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
        switch (rule.op) {
        case GateRule::Op::Ge: c.passed = c.value >= rule.threshold; break;
        case GateRule::Op::Gt: c.passed = c.value > rule.threshold; break;
        case GateRule::Op::Le: c.passed = c.value <= rule.threshold; break;
        case GateRule::Op::Lt: c.passed = c.value < rule.threshold; break;
        case GateRule::Op::Eq: c.passed = c.value == rule.threshold; break;
        }
        if (std::isnan(c.value))
            c.passed = false;
        c.explanation = c.passed ? QStringLiteral("%1 = %2, %3 %4").arg(rule.metric).arg(c.value, 0, 'g', 6).arg(QString::fromLatin1(opText(rule.op))).arg(rule.threshold)
                                 : QStringLiteral("%1 = %2, needs %3 %4").arg(rule.metric).arg(c.value, 0, 'g', 6).arg(QString::fromLatin1(opText(rule.op))).arg(rule.threshold);
        result.checks.append(c);
    }
    return result;
}

} // namespace orrery::registry
