#include "ui/pipeline/stage_palette.h"

#include "core/pipeline/stage_type.h"
#include "ui/pipeline/pipeline_view.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QVBoxLayout>

namespace orrery::ui {

const QString StagePalette::kCommandType = QStringLiteral("command");

namespace {
constexpr int kTypeRole = Qt::UserRole + 1;
constexpr int kSearchRole = Qt::UserRole + 2;

class PaletteList : public QListWidget {
public:
    using QListWidget::QListWidget;
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override
    {
        if (items.isEmpty())
            return nullptr;
        auto *data = new QMimeData;
        data->setData(QLatin1String(PipelineView::kStageMime), items.first()->data(kTypeRole).toString().toUtf8());
        data->setText(items.first()->data(kTypeRole).toString());
        return data;
    }
    QStringList mimeTypes() const override { return {QLatin1String(PipelineView::kStageMime)}; }
    QMimeData *mimeFor(QListWidgetItem *item) const { return mimeData({item}); }
};
} // namespace

StagePalette::StagePalette(const pipeline::StageRegistry &registry, QWidget *parent)
    : QWidget(parent), m_filter(new QLineEdit(this)), m_list(new PaletteList(this))
{
    setObjectName(QStringLiteral("stagePalette"));
    m_filter->setObjectName(QStringLiteral("stagePaletteFilter"));
    m_filter->setPlaceholderText(tr("Search stage types…"));
    m_filter->setClearButtonEnabled(true);
    m_list->setObjectName(QStringLiteral("stagePaletteList"));
    m_list->setDragEnabled(true);
    m_list->setDragDropMode(QAbstractItemView::DragOnly);
    m_list->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *title = new QLabel(tr("<b>Stages</b> — drag onto the canvas"), this);
    layout->addWidget(title);
    layout->addWidget(m_filter);
    layout->addWidget(m_list, 1);

    auto add = [this](const QString &type, const QString &summary, const QString &docs) {
        auto *item = new QListWidgetItem(QStringLiteral("%1\n%2").arg(type, summary), m_list);
        item->setData(kTypeRole, type);
        item->setData(kSearchRole, QStringLiteral("%1 %2 %3").arg(type, summary, docs));
        item->setToolTip(docs.isEmpty() ? summary : docs);
    };
    for (const QString &name : registry.names())
        if (const auto *t = registry.type(name))
            add(t->name, t->summary, t->docs);
    add(kCommandType, tr("Any shell command (python train.py, …) with its deps and outs."), tr("A stage whose cmd is any command line."));

    connect(m_filter, &QLineEdit::textChanged, this, &StagePalette::setFilter);
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) { Q_EMIT activated(item->data(kTypeRole).toString()); });
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        for (int i = 0; i < m_list->count(); ++i)
            if (!m_list->item(i)->isHidden()) {
                Q_EMIT activated(m_list->item(i)->data(kTypeRole).toString());
                return;
            }
    });
}

void StagePalette::setFilter(const QString &text)
{
    if (m_filter->text() != text)
        m_filter->setText(text);
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        const QString hay = item->data(kSearchRole).toString();
        bool match = true;
        for (const QString &w : words)
            match = match && hay.contains(w, Qt::CaseInsensitive);
        item->setHidden(!match);
    }
}

QMimeData *StagePalette::mimeDataForCurrent() const
{
    QListWidgetItem *item = m_list->currentItem();
    return item ? static_cast<PaletteList *>(m_list)->mimeFor(item) : nullptr;
}

} // namespace orrery::ui
