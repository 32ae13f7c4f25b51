// Navigator: a kind opens in the area that registered it — opening() names that area before its
// handler runs (the shell shows the area first); a kind nobody handles, or whose area is gone,
// opens nothing; a later registration replaces the earlier one.

#include "ui/common/navigator.h"

#include <QSignalSpy>
#include <QWidget>
#include <QtTest>

#include <memory>

using namespace orrery::ui;

class TstNavigator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void opensInTheAreaThatRegisteredTheKind()
    {
        Navigator navigator;
        QWidget experiments, data;
        QStringList events;
        navigator.registerHandler(QStringLiteral("run"), &experiments, [&](const ObjectRef &ref) {
            events << QStringLiteral("run handler: ") + ref.id;
        });
        navigator.registerHandler(QStringLiteral("dataset"), &data, [&](const ObjectRef &ref) {
            events << QStringLiteral("dataset handler: ") + ref.id;
        });
        connect(&navigator, &Navigator::opening, this, [&](const ObjectRef &ref, QWidget *area) {
            events << QStringLiteral("opening %1 in %2").arg(ref.kind, area == &experiments ? QStringLiteral("experiments") : QStringLiteral("data"));
        });
        QSignalSpy opening(&navigator, &Navigator::opening);

        QVERIFY(navigator.canOpen(QStringLiteral("run")));
        QVERIFY(navigator.open({QStringLiteral("run"), QStringLiteral("0123abcd")}));
        QCOMPARE(events, QStringList({QStringLiteral("opening run in experiments"), QStringLiteral("run handler: 0123abcd")}));
        QCOMPARE(opening.size(), 1);
        QCOMPARE(opening.first().at(0).value<ObjectRef>(), (ObjectRef{QStringLiteral("run"), QStringLiteral("0123abcd")}));
        QCOMPARE(opening.first().at(1).value<QWidget *>(), &experiments);

        events.clear();
        QVERIFY(navigator.open({QStringLiteral("dataset"), QStringLiteral("data/transactions.csv")}));
        QCOMPARE(events, QStringList({QStringLiteral("opening dataset in data"), QStringLiteral("dataset handler: data/transactions.csv")}));
    }

    void aKindNobodyHandlesOpensNothing()
    {
        Navigator navigator;
        QSignalSpy opening(&navigator, &Navigator::opening);
        QVERIFY(!navigator.canOpen(QStringLiteral("model-version")));
        QVERIFY(!navigator.open({QStringLiteral("model-version"), QStringLiteral("fraud/3")}));
        QCOMPARE(opening.size(), 0);
    }

    void aDestroyedAreaNoLongerOpens()
    {
        Navigator navigator;
        int handled = 0;
        auto area = std::make_unique<QWidget>();
        navigator.registerHandler(QStringLiteral("run"), area.get(), [&](const ObjectRef &) { ++handled; });
        area.reset();
        QSignalSpy opening(&navigator, &Navigator::opening);
        QVERIFY(!navigator.canOpen(QStringLiteral("run")));
        QVERIFY(!navigator.open({QStringLiteral("run"), QStringLiteral("0123abcd")}));
        QCOMPARE(handled, 0);
        QCOMPARE(opening.size(), 0);
    }

    void aLaterRegistrationReplacesTheEarlierOne()
    {
        Navigator navigator;
        QWidget first, second;
        QString by;
        navigator.registerHandler(QStringLiteral("run"), &first, [&](const ObjectRef &) { by = QStringLiteral("first"); });
        navigator.registerHandler(QStringLiteral("run"), &second, [&](const ObjectRef &) { by = QStringLiteral("second"); });
        QSignalSpy opening(&navigator, &Navigator::opening);
        QVERIFY(navigator.open({QStringLiteral("run"), QStringLiteral("0123abcd")}));
        QCOMPARE(by, QStringLiteral("second"));
        QCOMPARE(opening.first().at(1).value<QWidget *>(), &second);
    }
};

QTEST_MAIN(TstNavigator)
#include "tst_navigator.moc"
