// The Automation area on a finished scenario workspace (issue 18's GUI test): `orrery-cli demo DIR
// --scenario bad-challenger` runs for real (serve, ct run and demo replay on a compressed clock),
// then the area is opened on DIR as a user would open it afterwards. Checked: the timeline's one
// iteration, "alert → rolled back" in red, the challenger against the champion; its five steps in
// order and state (the canary the one that failed, in red); the gate's detail (the metric, both
// values, passed); the canary's (aborted, with the analysis's reason); and the three Open buttons
// taking the user to the pipeline run, the model version and the deployment that made the story.
// Under Xvfb; a screenshot to the build's screenshots/ folder.
#include "tests/gui/automation/automation_probe.h"
#include "tests/support/test_support.h"
#include "ui/automation/automation_area.h"
#include "ui/automation/iteration_panel.h"
#include "ui/automation/iteration_table_model.h"
#include "ui/common/area_catalog.h"
#include "ui/common/navigator.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace orrery;

namespace {

using testing::automation::automationInfo;
using testing::automation::clickStep;
using testing::automation::detailValue;
using testing::automation::stepTexts;

constexpr int kTimeoutMs = 20000;

} // namespace

class TstAutomationScenario : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_root;
    QJsonObject m_result;
    ui::Navigator m_navigator;
    QWidget m_experiments, m_registry, m_deployments;
    QVector<ui::ObjectRef> m_opened;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setApplicationName(QStringLiteral("tst_automation_scenario"));
        QVERIFY(m_tmp.isValid());
        m_root = m_tmp.filePath(QStringLiteral("bad"));
        testing::ProcessOptions options;
        options.timeoutMs = 12 * 60'000;
        const testing::ProcessResult r = testing::runCli({QStringLiteral("demo"), m_root, QStringLiteral("--scenario"), QStringLiteral("bad-challenger"),
                                                          QStringLiteral("--json")},
                                                         options);
        QVERIFY2(r.ok(), qPrintable(r.err.right(3000)));
        m_result = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(m_result.value(QStringLiteral("outcome")).toString(), QStringLiteral("rolled_back"));
        m_navigator.registerHandler(QStringLiteral("run"), &m_experiments, [this](const ui::ObjectRef &ref) { m_opened << ref; });
        m_navigator.registerHandler(QStringLiteral("model_version"), &m_registry, [this](const ui::ObjectRef &ref) { m_opened << ref; });
        m_navigator.registerHandler(QStringLiteral("deployment"), &m_deployments, [this](const ui::ObjectRef &ref) { m_opened << ref; });
    }

    void theStoryOfARollback()
    {
        ui::AutomationArea area(automationInfo(), &m_navigator);
        area.resize(1600, 1000);
        area.show();
        area.setWorkspaceRoot(m_root);
        const qint64 id = qint64(m_result.value(QStringLiteral("iteration")).toInt());
        QTRY_COMPARE_WITH_TIMEOUT(area.timelineModel()->rowCount(), 1, kTimeoutMs);
        const QModelIndex outcome = area.timelineModel()->index(area.timelineModel()->rowOf(id), ui::IterationTableModel::OutcomeColumn);
        QCOMPARE(outcome.data().toString(), QStringLiteral("alert → rolled back"));
        const QColor red = outcome.data(Qt::ForegroundRole).value<QColor>();
        QVERIFY2(red.red() > 150 && red.green() < 100, qPrintable(red.name()));
        QCOMPARE(area.timelineModel()->index(area.timelineModel()->rowOf(id), ui::IterationTableModel::VersionsColumn).data().toString(),
                 QStringLiteral("fraud v2 vs champion v1"));

        QTest::mouseClick(area.timelineView()->viewport(), Qt::LeftButton, {}, area.timelineView()->visualRect(outcome).center());
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(area),
                                  (QStringList{QStringLiteral("data succeeded"), QStringLiteral("pipeline succeeded"), QStringLiteral("gate succeeded"),
                                               QStringLiteral("canary failed"), QStringLiteral("promote succeeded")}),
                                  kTimeoutMs);
        ui::IterationPanel *panel = area.iterationPanel();
        QVERIFY(panel->summaryLabel()->text().contains(QStringLiteral("rolled back")));

        clickStep(area, QStringLiteral("gate"));
        QTRY_COMPARE_WITH_TIMEOUT(panel->selectedStep(), QStringLiteral("gate"), kTimeoutMs);
        QCOMPARE(detailValue(area, QStringLiteral("metric")), QStringLiteral("average_precision"));
        QCOMPARE(detailValue(area, QStringLiteral("passed")), QStringLiteral("true"));
        QVERIFY(detailValue(area, QStringLiteral("challenger_value")).toDouble() > detailValue(area, QStringLiteral("champion_value")).toDouble());

        clickStep(area, QStringLiteral("canary"));
        QTRY_COMPARE_WITH_TIMEOUT(panel->selectedStep(), QStringLiteral("canary"), kTimeoutMs);
        QCOMPARE(detailValue(area, QStringLiteral("phase")), QStringLiteral("aborted"));
        QVERIFY2(panel->stepReasonLabel()->text().contains(QStringLiteral("error_rate")), qPrintable(panel->stepReasonLabel()->text()));
        QCOMPARE(panel->stepsView()->topLevelItem(3)->foreground(ui::IterationPanel::StepStateColumn).color(), red);

        QDir().mkpath(QStringLiteral("screenshots"));
        area.grab().save(QStringLiteral("screenshots/automation-bad-challenger.png"));

        m_opened.clear();
        QVERIFY(panel->openRunButton()->isEnabled() && panel->openVersionButton()->isEnabled() && panel->openDeploymentButton()->isEnabled());
        QTest::mouseClick(panel->openRunButton(), Qt::LeftButton);
        QTest::mouseClick(panel->openVersionButton(), Qt::LeftButton);
        QTest::mouseClick(panel->openDeploymentButton(), Qt::LeftButton);
        QCOMPARE(m_opened.size(), 3);
        QCOMPARE(m_opened[0].kind, QStringLiteral("run"));
        QCOMPARE(m_opened[0].id.size(), 32);
        QCOMPARE(m_opened[1], (ui::ObjectRef{QStringLiteral("model_version"), QStringLiteral("fraud/2")}));
        QCOMPARE(m_opened[2], (ui::ObjectRef{QStringLiteral("deployment"), QStringLiteral("fraud")}));
    }
};

QTEST_MAIN(TstAutomationScenario)
#include "tst_automation_scenario.moc"
