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

    // A canary's analysis: rules relative to the stable version's value of the same metric.
    void rulesRelativeToAReference()
    {
        auto rules = registry::parseGateRules(QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable, auc >= stable - 0.02, x == stable, y < stable * 2"),
                                              QStringLiteral("stable"));
        QVERIFY2(rules, qPrintable(rules.status().message()));
        QCOMPARE(rules->size(), 5);
        QCOMPARE(rules->at(0).text(), QStringLiteral("error_rate <= stable + 0.01"));
        QCOMPARE(rules->at(1).text(), QStringLiteral("p99_ms <= 1.2 * stable"));
        QCOMPARE(rules->at(2).text(), QStringLiteral("auc >= stable - 0.02"));
        QCOMPARE(rules->at(4).text(), QStringLiteral("y < 2 * stable"));
        const QHash<QString, double> stable{{QStringLiteral("error_rate"), 0.02}, {QStringLiteral("p99_ms"), 10}, {QStringLiteral("auc"), 0.9},
                                            {QStringLiteral("x"), 3}, {QStringLiteral("y"), 4}};
        // 0.029 <= 0.03; 12 <= 12; 0.88 >= 0.88; 3 == 3; 7.9 < 8: all pass, at their edges.
        QVERIFY(registry::evaluateGate(*rules, {{QStringLiteral("error_rate"), 0.029}, {QStringLiteral("p99_ms"), 12}, {QStringLiteral("auc"), 0.88},
                                                {QStringLiteral("x"), 3}, {QStringLiteral("y"), 7.9}}, stable).passed());
        const registry::GateResult worse = registry::evaluateGate(*rules, {{QStringLiteral("error_rate"), 0.031}, {QStringLiteral("p99_ms"), 12.5},
                                                                            {QStringLiteral("auc"), 0.88}, {QStringLiteral("x"), 3}, {QStringLiteral("y"), 8}}, stable);
        QCOMPARE(worse.failures().size(), 3);
        QVERIFY2(worse.failures().at(1).contains(QStringLiteral("p99_ms = 12.5, needs <= 1.2 * stable (stable = 10)")), qPrintable(worse.failures().at(1)));
        // Without the reference's values, a relative rule fails and says why.
        const registry::GateResult alone = registry::evaluateGate(*rules, stable);
        QVERIFY(!alone.passed());
        QVERIFY(alone.failures().at(0).contains(QStringLiteral("stable has no 'error_rate'")));
        // Model gates name no reference: a relative rule there is an error, as before.
        QVERIFY(!registry::parseGateRules(QStringLiteral("auc >= stable")));
        QVERIFY(!registry::parseGateRules(QStringLiteral("auc >= champion - 1"), QStringLiteral("stable")));
        QVERIFY(!registry::parseGateRules(QStringLiteral("auc >= stable + x"), QStringLiteral("stable")));
    }
};

QTEST_GUILESS_MAIN(TstValidationGate)
#include "tst_validation_gate.moc"
