// core/registry's gate rules: parsing, evaluation, missing metrics never pass.
#include "core/registry/validation_gate.h"

#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::registry;

class TstValidationGate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rulesPassAndFail()
    {
        auto rules = parseGateRules(QStringLiteral("roc_auc >= 0.8, recall>0.5; fpr <= 0.05"));
        QVERIFY2(rules.isOk(), qPrintable(rules.status().message()));
        QCOMPARE(rules->size(), 3);
        GateResult ok = evaluateGate(*rules, {{QStringLiteral("roc_auc"), 0.8}, {QStringLiteral("recall"), 0.6}, {QStringLiteral("fpr"), 0.01}});
        QVERIFY(ok.passed());
        GateResult bad = evaluateGate(*rules, {{QStringLiteral("roc_auc"), 0.79}, {QStringLiteral("recall"), 0.6}});
        QVERIFY(!bad.passed());
        QCOMPARE(bad.failures().size(), 2);
        QVERIFY2(bad.failures()[0].contains(QStringLiteral("roc_auc = 0.79, needs >= 0.8")), qPrintable(bad.failures()[0]));
        QVERIFY2(bad.failures()[1].contains(QStringLiteral("no 'fpr'")), qPrintable(bad.failures()[1]));
        GateResult nan = evaluateGate(*rules, {{QStringLiteral("roc_auc"), NAN}, {QStringLiteral("recall"), 0.6}, {QStringLiteral("fpr"), 0.0}});
        QVERIFY(!nan.passed());
    }

    void badRulesAreNamed()
    {
        auto r = parseGateRules(QStringLiteral("roc_auc >= high"));
        QVERIFY(!r.isOk());
        QVERIFY(r.status().message().contains(QStringLiteral("roc_auc >= high")));
        QVERIFY(!parseGateRules(QString()).isOk());
    }
};

QTEST_GUILESS_MAIN(TstValidationGate)
#include "tst_validation_gate.moc"
