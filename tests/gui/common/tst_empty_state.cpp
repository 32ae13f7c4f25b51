// EmptyState and the area catalogue: every area has an icon that loads, a title and both
// sentences; commands in backticks become selectable code without letting markup through.

#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/svg_icon_widget.h"
#include "tests/support/test_support.h"

#include <QIcon>
#include <QLabel>
#include <QSvgRenderer>
#include <QRegularExpression>
#include <QtTest>

using namespace orrery::ui;

class TstEmptyState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyAreaIsDescribed()
    {
        const auto &areas = workbenchAreas();
        QCOMPARE(areas.size(), 7);
        QSet<QString> ids;
        for (const AreaInfo &area : areas) {
            QVERIFY2(QSvgRenderer(area.iconPath).isValid(), qPrintable(area.iconPath));
            QVERIFY(!area.title.isEmpty());
            QVERIFY(!area.emptyTitle.isEmpty());
            QVERIFY(area.description.endsWith(QLatin1Char('.')));
            QVERIFY(area.howToStart.contains(QLatin1Char('`'))); // each names something to run
            ids.insert(area.id);
        }
        QCOMPARE(ids.size(), 7);
    }

    // Empty states promise only what exists: every orrery-cli command a hint names answers --help.
    void everyCommandAHintNamesExists()
    {
        const QRegularExpression command(QStringLiteral("`orrery-cli ([a-z-]+)(?: ([a-z-]+))?"));
        int checked = 0;
        for (const AreaInfo &area : workbenchAreas()) {
            for (auto it = command.globalMatch(area.howToStart); it.hasNext();) {
                const QRegularExpressionMatch m = it.next();
                QStringList args{m.captured(1)};
                if (!m.captured(2).isEmpty())
                    args << m.captured(2);
                const orrery::testing::ProcessResult r = orrery::testing::runCli(args + QStringList{QStringLiteral("--help")});
                QVERIFY2(r.ok(), qPrintable(QStringLiteral("%1 area: `orrery-cli %2` does not exist: %3")
                                                .arg(area.title, args.join(QLatin1Char(' ')), r.describe())));
                ++checked;
            }
        }
        QVERIFY(checked >= 7);
    }

    void everyIconIsAValidSvg()
    {
        const QStringList names = QDir(QStringLiteral(":/icons")).entryList({QStringLiteral("*.svg")});
        QVERIFY(names.contains(QStringLiteral("app.svg")));
        QVERIFY(names.size() >= 12);
        for (const QString &name : names) {
            QSvgRenderer renderer(QStringLiteral(":/icons/") + name);
            QVERIFY2(renderer.isValid(), qPrintable(name));
            QCOMPARE(renderer.defaultSize(), QSize(24, 24));
            QVERIFY(!QIcon(QStringLiteral(":/icons/") + name).pixmap(48, 48).isNull());
        }
    }

    void showsAllThreeTexts()
    {
        EmptyState state(QStringLiteral(":/icons/data.svg"), QStringLiteral("No datasets yet"),
                         QStringLiteral("Datasets appear here."), QStringLiteral("Run `orrery-cli data add PATH`."));
        state.resize(800, 600);
        state.show();
        QVERIFY(QTest::qWaitForWindowExposed(&state));
        QStringList texts;
        for (QLabel *label : state.findChildren<QLabel *>()) {
            QVERIFY(label->isVisible());
            QVERIFY(label->width() > 200); // word wrap had room, nothing squeezed into a sliver
            texts << label->text();
        }
        QCOMPARE(texts.size(), 3);
        QVERIFY(texts.contains(QStringLiteral("No datasets yet")));
        QVERIFY(texts.join(u' ').contains(QStringLiteral("<code>orrery-cli data add PATH</code>")));
        auto *icon = state.findChild<SvgIconWidget *>();
        QVERIFY(icon && icon->isValidIcon());
    }

    void backticksBecomeCodeAndMarkupIsEscaped()
    {
        QCOMPARE(EmptyState::backticksToHtml(QStringLiteral("run `a <b>` now")),
                 QStringLiteral("run <code>a &lt;b&gt;</code> now"));
        QCOMPARE(EmptyState::backticksToHtml(QStringLiteral("odd ` tick")), QStringLiteral("odd ` tick"));
        QCOMPARE(EmptyState::backticksToHtml(QStringLiteral("plain")), QStringLiteral("plain"));
    }
};

QTEST_MAIN(TstEmptyState)
#include "tst_empty_state.moc"
