#pragma once
// What the Automation area's tests read and click, as a user sees it: the area's catalogue entry,
// the selected iteration's steps and detail values, and a real click on one of its steps. One copy
// for tst_automation_area (a fixture workspace) and tst_automation_scenario (a real scenario's).
#include "ui/automation/automation_area.h"
#include "ui/automation/iteration_panel.h"
#include "ui/common/area_catalog.h"

#include <QStringList>
#include <QTreeWidget>
#include <QtTest>

namespace orrery::testing::automation {

inline const ui::AreaInfo &automationInfo()
{
    for (const ui::AreaInfo &a : ui::workbenchAreas())
        if (a.area == ui::Area::Automation)
            return a;
    qFatal("no Automation area in the catalogue");
}

// "name state" of each step of the selected iteration, in order.
inline QStringList stepTexts(ui::AutomationArea &area)
{
    QStringList out;
    QTreeWidget *steps = area.iterationPanel()->stepsView();
    for (int i = 0; i < steps->topLevelItemCount(); ++i)
        out << steps->topLevelItem(i)->text(ui::IterationPanel::StepNameColumn) + QLatin1Char(' ')
                   + steps->topLevelItem(i)->text(ui::IterationPanel::StepStateColumn);
    return out;
}

// The detail view's value for `key` (searched at any depth), or "<no KEY>".
inline QString detailValue(ui::AutomationArea &area, const QString &key)
{
    const auto items = area.iterationPanel()->detailView()->findItems(key, Qt::MatchExactly | Qt::MatchRecursive, ui::IterationPanel::KeyColumn);
    return items.isEmpty() ? QStringLiteral("<no %1>").arg(key) : items.first()->text(ui::IterationPanel::ValueColumn);
}

// A real click on the last step named `name`.
inline void clickStep(ui::AutomationArea &area, const QString &name)
{
    QTreeWidget *steps = area.iterationPanel()->stepsView();
    const auto items = steps->findItems(name, Qt::MatchExactly, ui::IterationPanel::StepNameColumn);
    QVERIFY2(!items.isEmpty(), qPrintable(name));
    QTest::mouseClick(steps->viewport(), Qt::LeftButton, {}, steps->visualItemRect(items.last()).center());
}

} // namespace orrery::testing::automation
