#include "ui/shell/welcome_page.h"

#include "ui/common/display_path.h"
#include "ui/common/svg_icon_widget.h"

#include <QCommandLinkButton>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {
constexpr int kColumnWidth = 600;

QPushButton *makeButton(const QString &icon, const QString &text, const QString &name, QWidget *parent)
{
    auto *button = new QPushButton(QIcon(icon), text, parent);
    button->setObjectName(name);
    button->setIconSize(QSize(20, 20));
    button->setMinimumHeight(button->sizeHint().height() + 8);
    return button;
}

QLabel *makeText(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}
} // namespace

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent),
      m_newButton(makeButton(QStringLiteral(":/icons/new.svg"), tr("New Workspace…"), QStringLiteral("welcome.new"), this)),
      m_openButton(makeButton(QStringLiteral(":/icons/open.svg"), tr("Open Workspace…"), QStringLiteral("welcome.open"), this)),
      m_demoButton(makeButton(QStringLiteral(":/icons/demo.svg"), tr("Create Demo Workspace…"), QStringLiteral("welcome.demo"), this)),
      m_recentLayout(new QVBoxLayout),
      m_noRecent(makeText(tr("Workspaces you open appear here."), this))
{
    setObjectName(QStringLiteral("welcomePage"));
    auto *title = makeText(tr("Welcome to Orrery"), this);
    QFont titleFont = title->font();
    if (titleFont.pointSizeF() > 0)
        titleFont.setPointSizeF(titleFont.pointSizeF() * 1.8);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);

    auto *intro = makeText(tr("One workbench for the whole machine-learning loop: data, pipelines, "
                              "experiments, models, deployments and monitoring, kept in a folder that "
                              "is also a git repository."), this);
    auto *demoHint = makeText(tr("New here? The demo workspace comes with a synthetic card-fraud "
                                 "dataset to explore."), this);
    demoHint->setForegroundRole(QPalette::PlaceholderText);

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(8);
    buttons->addWidget(m_newButton);
    buttons->addWidget(m_openButton);
    buttons->addWidget(m_demoButton);
    buttons->addStretch();

    auto *recentTitle = makeText(tr("Recent workspaces"), this);
    QFont sectionFont = recentTitle->font();
    sectionFont.setWeight(QFont::DemiBold);
    recentTitle->setFont(sectionFont);
    m_noRecent->setForegroundRole(QPalette::PlaceholderText);
    m_recentLayout->setContentsMargins(0, 0, 0, 0);
    m_recentLayout->setSpacing(0);

    auto *column = new QWidget(this);
    column->setMaximumWidth(kColumnWidth);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->setSpacing(8);
    columnLayout->addWidget(new SvgIconWidget(QStringLiteral(":/icons/app.svg"), 72, 1.2, column));
    columnLayout->addSpacing(6);
    columnLayout->addWidget(title);
    columnLayout->addWidget(intro);
    columnLayout->addSpacing(10);
    columnLayout->addLayout(buttons);
    columnLayout->addWidget(demoHint);
    columnLayout->addSpacing(22);
    columnLayout->addWidget(recentTitle);
    columnLayout->addWidget(m_noRecent);
    columnLayout->addLayout(m_recentLayout);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 32, 32, 32);
    layout->addStretch(2);
    layout->addWidget(column); // no alignment: full width up to the maximum, centred
    layout->addStretch(3);

    connect(m_newButton, &QPushButton::clicked, this, &WelcomePage::newRequested);
    connect(m_openButton, &QPushButton::clicked, this, &WelcomePage::openRequested);
    connect(m_demoButton, &QPushButton::clicked, this, &WelcomePage::demoRequested);
}

void WelcomePage::setRecentWorkspaces(const QStringList &paths)
{
    if (paths == m_recent)
        return;
    m_recent = paths;
    while (QLayoutItem *item = m_recentLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString &path : paths) {
        auto *button = new QCommandLinkButton(QFileInfo(path).fileName(), displayPath(path), this);
        button->setObjectName(QStringLiteral("welcome.recent"));
        button->setIcon(QIcon(QStringLiteral(":/icons/folder.svg")));
        button->setToolTip(tr("Open %1").arg(path));
        connect(button, &QCommandLinkButton::clicked, this, [this, path] { Q_EMIT recentRequested(path); });
        m_recentLayout->addWidget(button);
    }
    m_noRecent->setVisible(paths.isEmpty());
}

} // namespace orrery::ui
