#include "ui/shell/about_dialog.h"

#include "core/common/system_info.h"
#include "ui/common/svg_icon_widget.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace orrery::ui {

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Orrery"));

    auto *title = new QLabel(tr("Orrery %1").arg(common::orreryVersion()), this);
    QFont titleFont = title->font();
    if (titleFont.pointSizeF() > 0)
        titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);
    auto *tagline = new QLabel(tr("A native workbench for the whole machine-learning loop: "
                                  "continuous integration, deployment, training and monitoring."), this);
    tagline->setWordWrap(true);

    auto *versions = new QFormLayout;
    versions->setLabelAlignment(Qt::AlignLeft);
    versions->setHorizontalSpacing(18);
    QStringList lines;
    for (const auto &[name, version] : common::libraryVersions()) {
        auto *value = new QLabel(version, this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setObjectName(QStringLiteral("version.") + name);
        auto *label = new QLabel(name, this);
        label->setForegroundRole(QPalette::PlaceholderText);
        versions->addRow(label, value);
        lines << QStringLiteral("%1: %2").arg(name, version);
    }
    m_versionsText = lines.join(QLatin1Char('\n'));

    auto *text = new QVBoxLayout;
    text->setSpacing(8);
    text->addWidget(title);
    text->addWidget(tagline);
    text->addSpacing(6);
    text->addLayout(versions);

    auto *top = new QHBoxLayout;
    top->setSpacing(18);
    top->addWidget(new SvgIconWidget(QStringLiteral(":/icons/app.svg"), 64, 1.2, this), 0, Qt::AlignTop);
    top->addLayout(text, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("Copy Versions"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_versionsText); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 20, 20, 14);
    layout->setSpacing(16);
    layout->addLayout(top);
    layout->addWidget(buttons);
    setMinimumWidth(460);
}

} // namespace orrery::ui
