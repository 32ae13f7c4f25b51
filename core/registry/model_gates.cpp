#include "core/registry/model_gates.h"

#include <QJsonArray>

#include <cmath>

namespace orrery::registry {

QJsonObject ModelGates::toJson() const
{
    QStringList ruleTexts;
    for (const GateRule &r : rules)
        ruleTexts << r.text();
    QJsonObject o{{QStringLiteral("rules"), ruleTexts.join(QStringLiteral(", "))},
                  {QStringLiteral("require_data_tests"), requireDataTests},
                  {QStringLiteral("require_compatible_signature"), requireCompatibleSignature}};
    if (!championMetric.isEmpty())
        o.insert(QStringLiteral("beats_champion"), QJsonObject{{QStringLiteral("metric"), championMetric},
                                                               {QStringLiteral("min_improvement"), minImprovement},
                                                               {QStringLiteral("lower_is_better"), lowerIsBetter}});
    return o;
}

Result<ModelGates> ModelGates::fromJson(const QJsonObject &json)
{
    ModelGates g;
    const QString rules = json.value(QStringLiteral("rules")).toString();
    if (!rules.trimmed().isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(g.rules, parseGateRules(rules));
    }
    g.requireDataTests = json.value(QStringLiteral("require_data_tests")).toBool(true);
    g.requireCompatibleSignature = json.value(QStringLiteral("require_compatible_signature")).toBool(true);
    const QJsonObject beats = json.value(QStringLiteral("beats_champion")).toObject();
    g.championMetric = beats.value(QStringLiteral("metric")).toString();
    g.minImprovement = beats.value(QStringLiteral("min_improvement")).toDouble(0.0);
    g.lowerIsBetter = beats.value(QStringLiteral("lower_is_better")).toBool(false);
    if (!std::isfinite(g.minImprovement))
        return invalidArgument(QStringLiteral("gates: beats_champion.min_improvement must be a finite number"));
    return g;
}

QStringList ModelGates::describe() const
{
    QStringList lines;
    for (const GateRule &r : rules)
        lines << r.text();
    if (!championMetric.isEmpty())
        lines << QStringLiteral("beats the champion on %1 by at least %2 (%3 is better) on the same holdout")
                     .arg(championMetric, QString::number(minImprovement, 'g', 6), lowerIsBetter ? QStringLiteral("lower") : QStringLiteral("higher"));
    if (requireDataTests)
        lines << QStringLiteral("data tests passed");
    if (requireCompatibleSignature)
        lines << QStringLiteral("signature compatible with the champion's");
    return lines;
}

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 6);
}

// name → (dtype, width) of a signature's inputs or outputs.
QHash<QString, QPair<QString, int>> fields(const QJsonObject &signature, const QString &side)
{
    QHash<QString, QPair<QString, int>> out;
    const QJsonArray list = signature.value(side).toArray();
    for (int i = 0; i < list.size(); ++i) {
        const QJsonObject f = list[i].toObject();
        const QJsonArray shape = f.value(QStringLiteral("shape")).toArray();
        const int width = shape.size() >= 2 ? shape.last().toInt() : -1;
        out.insert(f.value(QStringLiteral("name")).toString(QStringLiteral("#%1").arg(i)),
                   {f.value(QStringLiteral("dtype")).toString(), width});
    }
    return out;
}

} // namespace

bool signaturesCompatible(const QJsonObject &candidate, const QJsonObject &champion, QString *why)
{
    for (const QString &side : {QStringLiteral("inputs"), QStringLiteral("outputs")}) {
        const auto mine = fields(candidate, side);
        const auto theirs = fields(champion, side);
        for (auto it = theirs.cbegin(); it != theirs.cend(); ++it) {
            const auto found = mine.constFind(it.key());
            if (found == mine.cend()) {
                *why = QStringLiteral("the champion's %1 '%2' is missing").arg(side.chopped(1), it.key());
                return false;
            }
            if (found->first != it->first || found->second != it->second) {
                *why = QStringLiteral("%1 '%2' is %3[%4], the champion's is %5[%6]")
                           .arg(side.chopped(1), it.key(), found->first)
                           .arg(found->second)
                           .arg(it->first)
                           .arg(it->second);
                return false;
            }
        }
        if (side == QLatin1String("outputs") && mine.size() != theirs.size()) {
            *why = QStringLiteral("%1 outputs, the champion has %2").arg(mine.size()).arg(theirs.size());
            return false;
        }
    }
    return true;
}

QVector<GateOutcome> evaluateModelGates(const ModelGates &gates, const GateInputs &in)
{
    QVector<GateOutcome> out;
    for (const GateCheck &c : evaluateGate(gates.rules, in.metrics).checks)
        out.append({c.rule.text(), c.passed, c.explanation});

    if (!gates.championMetric.isEmpty()) {
        GateOutcome o;
        o.gate = QStringLiteral("beats the champion on %1 by %2").arg(gates.championMetric, number(gates.minImprovement));
        if (in.championVersion == 0) {
            o.passed = true;
            o.explanation = QStringLiteral("no champion yet: the first version needs no comparison");
        } else if (!in.candidateOnHoldout || !in.championOnHoldout) {
            o.explanation = QStringLiteral("%1 of this version and of champion v%2 on the same holdout is unknown (%3 was not scored)")
                                .arg(gates.championMetric)
                                .arg(in.championVersion)
                                .arg(in.candidateOnHoldout ? QStringLiteral("the champion") : QStringLiteral("this version"));
        } else {
            const double delta = gates.lowerIsBetter ? *in.championOnHoldout - *in.candidateOnHoldout
                                                     : *in.candidateOnHoldout - *in.championOnHoldout;
            o.passed = std::isfinite(delta) && delta >= gates.minImprovement;
            o.explanation = QStringLiteral("%1 = %2 vs champion v%3's %4 on %5: %6 by %7, needs %8")
                                .arg(gates.championMetric, number(*in.candidateOnHoldout))
                                .arg(in.championVersion)
                                .arg(number(*in.championOnHoldout), in.holdout.isEmpty() ? QStringLiteral("the same rows") : in.holdout,
                                     delta >= 0 ? QStringLiteral("better") : QStringLiteral("worse"), number(std::abs(delta)),
                                     QStringLiteral(">= ") + number(gates.minImprovement));
        }
        out.append(o);
    }

    if (gates.requireDataTests) {
        GateOutcome o;
        o.gate = QStringLiteral("data tests");
        if (!in.dataTestsPassed) {
            o.explanation = QStringLiteral("no data test result for this version's data (run the validate stage)");
        } else {
            o.passed = *in.dataTestsPassed;
            o.explanation = o.passed ? QStringLiteral("data tests passed") : QStringLiteral("data tests failed: ") + in.dataTestsWhy;
        }
        out.append(o);
    }

    if (gates.requireCompatibleSignature) {
        GateOutcome o;
        o.gate = QStringLiteral("signature");
        QString why;
        if (in.signature.isEmpty()) {
            o.explanation = QStringLiteral("the model has no signature");
        } else if (in.championVersion == 0) {
            o.passed = true;
            o.explanation = QStringLiteral("no champion yet: nothing to be compatible with");
        } else if (signaturesCompatible(in.signature, in.championSignature, &why)) {
            o.passed = true;
            o.explanation = QStringLiteral("takes the inputs champion v%1 takes").arg(in.championVersion);
        } else {
            o.explanation = QStringLiteral("not compatible with champion v%1: %2").arg(in.championVersion).arg(why);
        }
        out.append(o);
    }
    return out;
}

bool allPassed(const QVector<GateOutcome> &outcomes)
{
    for (const GateOutcome &o : outcomes)
        if (!o.passed)
            return false;
    return true;
}

} // namespace orrery::registry
