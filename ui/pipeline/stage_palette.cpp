#include "ui/pipeline/stage_palette.h"

#include "core/pipeline/stage_type.h"
#include "ui/pipeline/pipeline_view.h"

#include <QApplication>
#include <QHash>
#include <QIcon>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QVBoxLayout>

namespace orrery::ui {

const QString StagePalette::kCommandType = QStringLiteral("command");

namespace {
constexpr int kTypeRole = StagePalette::kTypeRole;
constexpr int kSearchRole = Qt::UserRole + 2;
constexpr int kSummaryRole = StagePalette::kSummaryRole;

// Name in bold, summary under it on one line (elided; the tooltip has the docs), icon left.
class PaletteDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        return QSize(160, option.fontMetrics.height() * 2 + 12);
    }
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QString name = opt.text;
        opt.text.clear();
        opt.icon = QIcon();
        QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget); // background, selection
        const QRect r = opt.rect.adjusted(6, 4, -6, -4);
        const int iconSize = 24;
        index.data(Qt::DecorationRole).value<QIcon>().paint(painter, QRect(r.left(), r.top() + (r.height() - iconSize) / 2, iconSize, iconSize));
        const QRect text = r.adjusted(iconSize + 8, 0, 0, 0);
        const bool selected = opt.state & QStyle::State_Selected;
        painter->save();
        QFont bold = opt.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
        painter->drawText(QRect(text.left(), text.top(), text.width(), text.height() / 2), Qt::AlignLeft | Qt::AlignVCenter, name);
        painter->setFont(opt.font);
        painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::PlaceholderText));
        const QString summary = opt.fontMetrics.elidedText(index.data(kSummaryRole).toString(), Qt::ElideRight, text.width());
        painter->drawText(QRect(text.left(), text.top() + text.height() / 2, text.width(), text.height() / 2), Qt::AlignLeft | Qt::AlignVCenter, summary);
        painter->restore();
    }
};

QIcon iconFor(const QString &type)
{
    // The areas' icons, by what a stage type touches: data, experiments (training), registry, pipeline.
    static const QHash<QString, QString> icons{
        {QStringLiteral("load"), QStringLiteral(":/icons/data.svg")},
        {QStringLiteral("validate"), QStringLiteral(":/icons/data.svg")},
        {QStringLiteral("split"), QStringLiteral(":/icons/branch.svg")},
        {QStringLiteral("train"), QStringLiteral(":/icons/experiments.svg")},
        {QStringLiteral("evaluate"), QStringLiteral(":/icons/monitoring.svg")},
        {QStringLiteral("gate"), QStringLiteral(":/icons/registry.svg")},
        {QStringLiteral("register"), QStringLiteral(":/icons/registry.svg")},
    };
    return QIcon(icons.value(type, QStringLiteral(":/icons/pipeline.svg")));
}

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
    m_list->setItemDelegate(new PaletteDelegate(m_list));
    m_list->setIconSize(QSize(24, 24));
    m_list->setUniformItemSizes(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *title = new QLabel(tr("<b>Stages</b> — drag onto the canvas"), this);
    layout->addWidget(title);
    layout->addWidget(m_filter);
    layout->addWidget(m_list, 1);

    auto add = [this](const QString &type, const QString &summary, const QString &docs) {
        auto *item = new QListWidgetItem(iconFor(type), type, m_list);
        item->setData(kTypeRole, type);
        item->setData(kSummaryRole, summary);
        item->setData(kSearchRole, QStringLiteral("%1 %2 %3").arg(type, summary, docs));
        item->setToolTip(docs.isEmpty() ? summary : docs);
    };
    for (const QString &name : registry.names())
        if (const auto *t = registry.type(name))
            add(t->name, t->summary, t->docs);
    add(kCommandType, tr("Any shell command (python train.py, orrery-cli train …) with its deps and outs."),
        tr("A stage whose cmd is any command line. LibTorch models train this way: orrery-cli train CONFIG runs the trainer in its own process."));

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
