#include "ui/shell/mode_bar.h"

#include <QAction>
#include <QActionGroup>
#include <QIcon>
#include <QToolButton>

namespace orrery::ui {
namespace {
constexpr int kModeIconSize = 28;
constexpr int kModeButtonWidth = 92; // fits "Experiments" and "Deployments" without eliding
} // namespace

ModeBar::ModeBar(QWidget *parent) : QToolBar(tr("Modes"), parent), m_group(new QActionGroup(this))
{
    setObjectName(QStringLiteral("modeBar"));
    setOrientation(Qt::Vertical);
    setMovable(false);
    setFloatable(false);
    setAllowedAreas(Qt::LeftToolBarArea);
    setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    setIconSize(QSize(kModeIconSize, kModeIconSize));
    // The bar is the window's navigation, not an optional tool bar: no "hide" entry for it.
    toggleViewAction()->setVisible(false);
    m_group->setExclusive(true);
}

QAction *ModeBar::addMode(const QString &svgPath, const QString &text, const QString &id)
{
    auto *action = new QAction(QIcon(svgPath), text, this);
    action->setObjectName(QStringLiteral("mode.") + id);
    action->setCheckable(true);
    action->setToolTip(text);
    m_group->addAction(action);
    addAction(action);
    const int index = int(m_actions.size());
    m_actions.append(action);
    if (index == 0)
        action->setChecked(true);
    if (auto *button = buttonAt(index)) {
        button->setObjectName(QStringLiteral("modeButton.") + id);
        button->setMinimumWidth(kModeButtonWidth);
        button->setMinimumHeight(button->sizeHint().height() + 10); // room to aim, as in Qt Creator
        button->setAutoRaise(true);
    }
    connect(action, &QAction::toggled, this, [this, index](bool checked) {
        if (checked)
            Q_EMIT currentIndexChanged(index);
    });
    return action;
}

QToolButton *ModeBar::buttonAt(int index) const
{
    if (index < 0 || index >= m_actions.size())
        return nullptr;
    return qobject_cast<QToolButton *>(widgetForAction(m_actions[index]));
}

int ModeBar::currentIndex() const
{
    for (int i = 0; i < m_actions.size(); ++i)
        if (m_actions[i]->isChecked())
            return i;
    return -1;
}

void ModeBar::setCurrentIndex(int index)
{
    if (index >= 0 && index < m_actions.size())
        m_actions[index]->setChecked(true); // emits currentIndexChanged through toggled
}

void ModeBar::setModesEnabled(bool enabled)
{
    m_group->setEnabled(enabled);
}

} // namespace orrery::ui
