// The search space: every bad parameter refused with a message that names it and the problem;
// grid sizes and snapping; conditions; a point to JSON and back (a queued configuration).

#include "core/tune/search_space.h"

#include <QJsonArray>
#include <QTest>

#include <cmath>

using namespace orrery;
using namespace orrery::tune;

namespace {

ParamSpec floatParam(const QString &name, double low, double high, bool log = false, double step = 0)
{
    ParamSpec p;
    p.name = name;
    p.kind = ParamKind::Float;
    p.low = low;
    p.high = high;
    p.log = log;
    p.step = step;
    return p;
}

ParamSpec intParam(const QString &name, double low, double high, double step = 0, bool log = false)
{
    ParamSpec p = floatParam(name, low, high, log, step);
    p.kind = ParamKind::Int;
    return p;
}

ParamSpec categorical(const QString &name, const QStringList &choices)
{
    ParamSpec p;
    p.name = name;
    p.kind = ParamKind::Categorical;
    for (const QString &c : choices)
        p.choices << QJsonValue(c);
    return p;
}

ParamSpec when(ParamSpec p, const QString &parent, const QStringList &values)
{
    p.parent = parent;
    for (const QString &v : values)
        p.parentValues << QJsonValue(v);
    return p;
}

QString validationError(QVector<ParamSpec> params)
{
    SearchSpace space(std::move(params));
    const Status s = space.validate();
    return s.isOk() ? QStringLiteral("(valid)") : s.message();
}

// The optimiser space of the demo: momentum only for sgd.
SearchSpace optimizerSpace()
{
    SearchSpace space({categorical(QStringLiteral("optimizer.name"), {QStringLiteral("sgd"), QStringLiteral("adam")}),
                       when(floatParam(QStringLiteral("optimizer.momentum"), 0.5, 0.9), QStringLiteral("optimizer.name"), {QStringLiteral("sgd")}),
                       floatParam(QStringLiteral("optimizer.lr"), 1e-5, 1e-1, true),
                       intParam(QStringLiteral("model.units"), 8, 512, 8)});
    const Status s = space.validate();
    if (!s.isOk())
        qFatal("optimizerSpace: %s", qPrintable(s.message()));
    return space;
}

} // namespace

class TestSearchSpace : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badRanges_data();
    void badRanges();
    void badConditions_data();
    void badConditions();
    void validSpaceDefaultsIntStep();
    void cardinalityAndSnap();
    void conditionsAndJson();
    void fromJsonRoundTrip();
    void fromJsonErrors_data();
    void fromJsonErrors();
};

void TestSearchSpace::badRanges_data()
{
    QTest::addColumn<QVector<ParamSpec>>("params");
    QTest::addColumn<QString>("message");
    const QString lr = QStringLiteral("optimizer.lr");
    QTest::newRow("log touching 0") << QVector<ParamSpec>{floatParam(lr, 0, 0.1, true)}
                                    << QStringLiteral("parameter 'optimizer.lr': a log range must be above 0 (low is 0)");
    QTest::newRow("log below 0") << QVector<ParamSpec>{floatParam(lr, -1, 0.1, true)}
                                 << QStringLiteral("parameter 'optimizer.lr': a log range must be above 0 (low is -1)");
    QTest::newRow("int log from 0") << QVector<ParamSpec>{intParam(QStringLiteral("units"), 0, 64, 0, true)}
                                    << QStringLiteral("parameter 'units': a log range must be above 0 (low is 0)");
    QTest::newRow("empty") << QVector<ParamSpec>{floatParam(lr, 0.1, 0.1)}
                           << QStringLiteral("parameter 'optimizer.lr': empty range (low and high are both 0.1; use a categorical with one choice for a constant)");
    QTest::newRow("inverted") << QVector<ParamSpec>{floatParam(lr, 0.5, 0.1)}
                              << QStringLiteral("parameter 'optimizer.lr': inverted range (low 0.5 > high 0.1)");
    QTest::newRow("inverted int") << QVector<ParamSpec>{intParam(QStringLiteral("units"), 64, 8)}
                                  << QStringLiteral("parameter 'units': inverted range (low 64 > high 8)");
    QTest::newRow("not finite") << QVector<ParamSpec>{floatParam(lr, 0, qInf())}
                                << QStringLiteral("parameter 'optimizer.lr': low and high must be finite numbers (low 0, high inf)");
    QTest::newRow("negative step") << QVector<ParamSpec>{floatParam(lr, 0, 1, false, -0.1)}
                                   << QStringLiteral("parameter 'optimizer.lr': a step must be above 0 (step is -0.1)");
    QTest::newRow("int not whole") << QVector<ParamSpec>{intParam(QStringLiteral("units"), 0.5, 8)}
                                   << QStringLiteral("parameter 'units': an int range needs whole numbers (low 0.5, high 8)");
    QTest::newRow("int step not whole") << QVector<ParamSpec>{intParam(QStringLiteral("units"), 0, 8, 1.5)}
                                        << QStringLiteral("parameter 'units': an int step must be a whole number ≥ 1 (step is 1.5)");
    QTest::newRow("log with step") << QVector<ParamSpec>{floatParam(lr, 0.1, 1, true, 0.1)}
                                   << QStringLiteral("parameter 'optimizer.lr': log and a step cannot be combined (step is 0.1; drop one)");
    QTest::newRow("int log with step") << QVector<ParamSpec>{intParam(QStringLiteral("units"), 1, 64, 2, true)}
                                       << QStringLiteral("parameter 'units': log and a step cannot be combined (step is 2; drop one)");
    QTest::newRow("no choices") << QVector<ParamSpec>{categorical(QStringLiteral("act"), {})}
                                << QStringLiteral("parameter 'act': no choices (list at least one)");
    QTest::newRow("repeated choice") << QVector<ParamSpec>{categorical(QStringLiteral("act"), {QStringLiteral("relu"), QStringLiteral("tanh"), QStringLiteral("relu")})}
                                     << QStringLiteral("parameter 'act': choice \"relu\" is listed twice");
    QTest::newRow("duplicate name") << QVector<ParamSpec>{floatParam(lr, 0, 1), intParam(QStringLiteral("units"), 1, 2), floatParam(lr, 1, 2)}
                                    << QStringLiteral("parameter 'optimizer.lr': defined twice (a name may appear once in a sweep)");
    QTest::newRow("no name") << QVector<ParamSpec>{floatParam(lr, 0, 1), floatParam(QString(), 0, 1)}
                             << QStringLiteral("parameter 2 (counting from 1) has no name");
}

void TestSearchSpace::badRanges()
{
    QFETCH(QVector<ParamSpec>, params);
    QFETCH(QString, message);
    QCOMPARE(validationError(params), message);
}

void TestSearchSpace::badConditions_data()
{
    QTest::addColumn<QVector<ParamSpec>>("params");
    QTest::addColumn<QString>("message");
    const QString opt = QStringLiteral("optimizer.name");
    const QString mom = QStringLiteral("optimizer.momentum");
    const ParamSpec name = categorical(opt, {QStringLiteral("sgd"), QStringLiteral("adam")});
    QTest::newRow("unknown parent") << QVector<ParamSpec>{name, when(floatParam(mom, 0, 1), QStringLiteral("optimizer.nam"), {QStringLiteral("sgd")})}
                                    << QStringLiteral("parameter 'optimizer.momentum': its parent 'optimizer.nam' is not a parameter of this sweep");
    QTest::newRow("parent later") << QVector<ParamSpec>{when(floatParam(mom, 0, 1), opt, {QStringLiteral("sgd")}), name}
                                  << QStringLiteral("parameter 'optimizer.momentum': its parent 'optimizer.name' must come before it");
    QTest::newRow("own parent") << QVector<ParamSpec>{when(categorical(opt, {QStringLiteral("sgd")}), opt, {QStringLiteral("sgd")})}
                                << QStringLiteral("parameter 'optimizer.name': it cannot be its own parent");
    QTest::newRow("parent not categorical") << QVector<ParamSpec>{floatParam(QStringLiteral("lr"), 0, 1), when(floatParam(mom, 0, 1), QStringLiteral("lr"), {QStringLiteral("sgd")})}
                                            << QStringLiteral("parameter 'optimizer.momentum': its parent 'lr' is not categorical (a condition needs choices)");
    QTest::newRow("value not a choice") << QVector<ParamSpec>{name, when(floatParam(mom, 0, 1), opt, {QStringLiteral("sgd"), QStringLiteral("rmsprop")})}
                                        << QStringLiteral("parameter 'optimizer.momentum': parent value \"rmsprop\" is not one of 'optimizer.name''s choices (\"sgd\", \"adam\")");
    QTest::newRow("no parent values") << QVector<ParamSpec>{name, when(floatParam(mom, 0, 1), opt, {})}
                                      << QStringLiteral("parameter 'optimizer.momentum': names parent 'optimizer.name' but no parentValues (which of \"sgd\", \"adam\"?)");
    QTest::newRow("values without parent") << QVector<ParamSpec>{name, when(floatParam(mom, 0, 1), QString(), {QStringLiteral("sgd")})}
                                           << QStringLiteral("parameter 'optimizer.momentum': parentValues without a parent (name the parameter they belong to)");
}

void TestSearchSpace::badConditions()
{
    QFETCH(QVector<ParamSpec>, params);
    QFETCH(QString, message);
    QCOMPARE(validationError(params), message);
}

void TestSearchSpace::validSpaceDefaultsIntStep()
{
    SearchSpace space({intParam(QStringLiteral("units"), 8, 512), floatParam(QStringLiteral("lr"), 1e-5, 0.1, true)});
    QVERIFY(space.validate().isOk());
    QCOMPARE(space.params()[0].step, 1.0);
    QCOMPARE(space.indexOf(QStringLiteral("lr")), 1);
    QCOMPARE(space.indexOf(QStringLiteral("nope")), -1);
}

void TestSearchSpace::cardinalityAndSnap()
{
    QCOMPARE(intParam(QStringLiteral("a"), 8, 512, 1).cardinality(), qint64(505));
    QCOMPARE(intParam(QStringLiteral("a"), 8, 512, 8).cardinality(), qint64(64)); // 8, 16, … 512
    QCOMPARE(intParam(QStringLiteral("a"), 0, 10, 3).cardinality(), qint64(4));   // 0, 3, 6, 9
    // (1 − 0) / 0.1 is 9.999999999999998 in doubles: still 11 points.
    QCOMPARE(floatParam(QStringLiteral("a"), 0, 1, false, 0.1).cardinality(), qint64(11));
    QCOMPARE(floatParam(QStringLiteral("a"), 0.1, 1, false, 0.1).cardinality(), qint64(10));
    QCOMPARE(floatParam(QStringLiteral("a"), 0, 1, false, 0.3).cardinality(), qint64(4));
    QCOMPARE(floatParam(QStringLiteral("a"), 0, 1).cardinality(), qint64(0));
    QCOMPARE(categorical(QStringLiteral("a"), {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")}).cardinality(), qint64(3));

    const ParamSpec steps = floatParam(QStringLiteral("a"), 0, 1, false, 0.3);
    QCOMPARE(steps.snap(0.95), 0.3 * 3); // the grid's top (0.9), not high
    QCOMPARE(steps.snap(-1), 0.0);
    QCOMPARE(steps.snap(0.44), 0.3);
    QCOMPARE(steps.snap(0.46), 0.6);
    const ParamSpec ints = intParam(QStringLiteral("u"), 8, 512, 8);
    QCOMPARE(ints.snap(13), 16.0);
    QCOMPARE(ints.snap(11.9), 8.0);
    QCOMPARE(ints.snap(1000), 512.0);
    QCOMPARE(floatParam(QStringLiteral("a"), 0, 1).snap(1.5), 1.0);
    QCOMPARE(floatParam(QStringLiteral("a"), 0, 1).snap(0.123), 0.123);
    QCOMPARE(categorical(QStringLiteral("c"), {QStringLiteral("x"), QStringLiteral("y")}).snap(7), 1.0);
    QVERIFY(std::isnan(ints.snap(std::nan(""))));
}

void TestSearchSpace::conditionsAndJson()
{
    const SearchSpace space = optimizerSpace();
    const Point sgd{0, 0.7, 1e-3, 64};
    const Point adam{1, std::nan(""), 1e-3, 64};
    QVERIFY(space.isActive(sgd, 1));
    QVERIFY(!space.isActive(adam, 1));
    QVERIFY(space.isActive(adam, 2));
    QCOMPARE(space.valueOf(sgd, 0), QJsonValue(QStringLiteral("sgd")));
    QCOMPARE(space.valueOf(sgd, 3), QJsonValue(qint64(64)));
    QVERIFY(space.valueOf(adam, 1).isNull());
    const QJsonObject json = space.toJson(adam);
    QCOMPARE(json.size(), 3);
    QVERIFY(!json.contains(QStringLiteral("optimizer.momentum")));
    QCOMPARE(json.value(QStringLiteral("optimizer.name")).toString(), QStringLiteral("adam"));
    QCOMPARE(json.value(QStringLiteral("optimizer.lr")).toDouble(), 1e-3);
    QCOMPARE(space.toJson(sgd).value(QStringLiteral("optimizer.momentum")).toDouble(), 0.7);

    // A grandchild: inactive whenever its parent is.
    SearchSpace chain({categorical(QStringLiteral("a"), {QStringLiteral("x"), QStringLiteral("y")}),
                       when(categorical(QStringLiteral("b"), {QStringLiteral("u"), QStringLiteral("v")}), QStringLiteral("a"), {QStringLiteral("x")}),
                       when(floatParam(QStringLiteral("c"), 0, 1), QStringLiteral("b"), {QStringLiteral("u")})});
    QVERIFY(chain.validate().isOk());
    QVERIFY(chain.isActive(Point{0, 0, 0.5}, 2));
    QVERIFY(!chain.isActive(Point{0, 1, 0.5}, 2));
    QVERIFY(!chain.isActive(Point{1, std::nan(""), 0.5}, 2));

    // Choices of any JSON: a hidden-sizes list comes back as the list.
    ParamSpec hidden;
    hidden.name = QStringLiteral("model.hidden");
    hidden.kind = ParamKind::Categorical;
    hidden.choices << QJsonValue(QJsonArray{64, 32}) << QJsonValue(QJsonArray{128});
    SearchSpace lists({hidden});
    QVERIFY(lists.validate().isOk());
    QCOMPARE(lists.toJson(Point{0}).value(QStringLiteral("model.hidden")), QJsonValue(QJsonArray{64, 32}));
}

void TestSearchSpace::fromJsonRoundTrip()
{
    const SearchSpace space = optimizerSpace();
    for (const Point &p : {Point{0, 0.7, 1e-3, 64}, Point{1, std::nan(""), 0.05, 512}}) {
        const auto back = space.fromJson(space.toJson(p));
        QVERIFY2(back.isOk(), qPrintable(back.status().message()));
        QCOMPARE(back->size(), p.size());
        for (size_t i = 0; i < p.size(); ++i)
            QVERIFY(std::isnan(p[i]) ? std::isnan((*back)[i]) : (*back)[i] == p[i]);
    }
}

void TestSearchSpace::fromJsonErrors_data()
{
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QString>("message");
    const QJsonObject ok{{QStringLiteral("optimizer.name"), QStringLiteral("sgd")},
                         {QStringLiteral("optimizer.momentum"), 0.7},
                         {QStringLiteral("optimizer.lr"), 0.001},
                         {QStringLiteral("model.units"), 64}};
    auto with = [&](const QString &key, const QJsonValue &v) {
        QJsonObject o = ok;
        if (v.isUndefined())
            o.remove(key);
        else
            o.insert(key, v);
        return o;
    };
    QTest::newRow("unknown") << with(QStringLiteral("optimizer.lrr"), 0.1)
                             << QStringLiteral("unknown parameter 'optimizer.lrr' (the sweep's parameters: optimizer.name, optimizer.momentum, optimizer.lr, model.units)");
    QTest::newRow("missing") << with(QStringLiteral("optimizer.lr"), QJsonValue(QJsonValue::Undefined))
                             << QStringLiteral("parameter 'optimizer.lr': missing from the configuration (every active parameter needs a value)");
    QTest::newRow("inactive given") << with(QStringLiteral("optimizer.name"), QStringLiteral("adam"))
                                    << QStringLiteral("parameter 'optimizer.momentum': given, but inactive here ('optimizer.name' is not one of \"sgd\")");
    QTest::newRow("out of range") << with(QStringLiteral("optimizer.lr"), 0.5)
                                  << QStringLiteral("parameter 'optimizer.lr': 0.5 is out of range (1e-05 … 0.1)");
    QTest::newRow("off the grid") << with(QStringLiteral("model.units"), 60)
                                  << QStringLiteral("parameter 'model.units': 60 is not on its grid (8, 16, … step 8)");
    QTest::newRow("not whole") << with(QStringLiteral("model.units"), 64.5)
                               << QStringLiteral("parameter 'model.units': 64.5 is not a whole number");
    QTest::newRow("not a number") << with(QStringLiteral("model.units"), QStringLiteral("64"))
                                  << QStringLiteral("parameter 'model.units': \"64\" is not a number");
    QTest::newRow("not a choice") << with(QStringLiteral("optimizer.name"), QStringLiteral("rmsprop"))
                                  << QStringLiteral("parameter 'optimizer.name': \"rmsprop\" is not one of its choices (\"sgd\", \"adam\")");
}

void TestSearchSpace::fromJsonErrors()
{
    QFETCH(QJsonObject, values);
    QFETCH(QString, message);
    const auto r = optimizerSpace().fromJson(values);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), message);
}

QTEST_GUILESS_MAIN(TestSearchSpace)
#include "tst_search_space.moc"
