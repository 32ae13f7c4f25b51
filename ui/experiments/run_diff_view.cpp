#include "ui/experiments/run_diff_view.h"

#include "core/store/database_worker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {

RunDiffView::RunDiffView(store::DatabaseWorker *worker, QWidget *parent)
    : QWidget(parent),
      m_worker(worker),
      m_a(new QComboBox(this)),
      m_b(new QComboBox(this)),
      m_onlyDiff(new QCheckBox(tr("Only differences"), this)),
      m_note(new QLabel(this)),
      m_table(new QTreeWidget(this)),
      m_code(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("runDiffView"));
    m_a->setObjectName(QStringLiteral("diffRunA"));
    m_b->setObjectName(QStringLiteral("diffRunB"));
    m_onlyDiff->setChecked(true);
    m_table->setObjectName(QStringLiteral("diffTable"));
    m_table->setColumnCount(3);
    m_table->setHeaderLabels({tr("Key"), tr("A"), tr("B")});
    m_table->setRootIsDecorated(true);
    m_table->setUniformRowHeights(true);
    m_table->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setColumnWidth(0, 240);
    m_table->setColumnWidth(1, 220);
    m_code->setObjectName(QStringLiteral("diffCode"));
    m_code->setReadOnly(true);
    m_code->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_code->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("A"), this));
    bar->addWidget(m_a, 1);
    bar->addWidget(new QLabel(tr("B"), this));
    bar->addWidget(m_b, 1);
    bar->addWidget(m_onlyDiff);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(m_code);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(split, 1);

    auto rerun = [this] {
        if (m_a->currentIndex() >= 0 && m_b->currentIndex() >= 0)
            compare(m_a->currentData().toString(), m_b->currentData().toString());
    };
    connect(m_a, &QComboBox::currentIndexChanged, this, rerun);
    connect(m_b, &QComboBox::currentIndexChanged, this, rerun);
    connect(m_onlyDiff, &QCheckBox::toggled, this, &RunDiffView::showComparison);
    m_note->setText(tr("Select two runs in the table to see what differs."));
}

void RunDiffView::setRuns(const QVector<CompareRun> &runs)
{
    {
        QSignalBlocker a(m_a), b(m_b);
        m_a->clear();
        m_b->clear();
        for (const auto &r : runs) {
            const QString label = (r.name.isEmpty() ? r.id.left(8) : r.name) + QStringLiteral("  ") + r.id.left(8);
            m_a->addItem(label, r.id);
            m_b->addItem(label, r.id);
        }
        if (runs.size() >= 2)
            m_b->setCurrentIndex(1);
    }
    if (runs.size() >= 2) {
        compare(runs[0].id, runs[1].id);
    } else {
        ++m_request;
        m_has = false;
        m_table->clear();
        m_code->clear();
        m_note->setText(tr("Select two runs in the table to see what differs."));
    }
}

void RunDiffView::compare(const QString &runA, const QString &runB)
{
    const quint64 request = ++m_request;
    m_worker->post<tracking::RunComparison>([runA, runB](store::Database &db) { return tracking::compareRuns(db, runA, runB); }, this,
                                            [this, request](const Result<tracking::RunComparison> &c) {
                                                if (request != m_request)
                                                    return;
                                                if (!c) {
                                                    m_note->setText(c.status().message());
                                                    return;
                                                }
                                                m_comparison = *c;
                                                m_has = true;
                                                showComparison();
                                                Q_EMIT compared();
                                            });
}

void RunDiffView::showComparison()
{
    m_table->clear();
    m_code->clear();
    if (!m_has)
        return;
    const auto &c = m_comparison;
    const QColor changed(0xff, 0xe0, 0x82, 110);
    QHash<QString, QTreeWidgetItem *> sections;
    int differing = 0;
    for (const auto &e : c.entries) {
        if (e.differs())
            ++differing;
        if (m_onlyDiff->isChecked() && !e.differs())
            continue;
        QTreeWidgetItem *&section = sections[e.section()];
        if (!section) {
            section = new QTreeWidgetItem(m_table, {e.section()});
            QFont bold = section->font(0);
            bold.setBold(true);
            section->setFont(0, bold);
            section->setExpanded(true);
        }
        auto *item = new QTreeWidgetItem(section, {e.key.section(QLatin1Char('.'), 1), e.hasA ? e.a : tr("(none)"), e.hasB ? e.b : tr("(none)")});
        item->setToolTip(1, e.a);
        item->setToolTip(2, e.b);
        if (e.differs())
            for (int col = 0; col < 3; ++col)
                item->setBackground(col, changed);
    }
    m_note->setText(tr("%1 of %2 values differ. A: %3 (%4)  B: %5 (%6)%7")
                        .arg(differing)
                        .arg(c.entries.size())
                        .arg(c.a.info.runName, c.a.info.runId.left(8), c.b.info.runName, c.b.info.runId.left(8))
                        .arg(c.manifestA && c.manifestB ? QString() : tr(" — a run without a reproducibility manifest has no code, data or environment")));

    // The code: the line diff of the two runs' uncommitted changes; commits named first.
    QTextCursor cursor(m_code->document());
    QTextCharFormat plain, removed, added, header;
    removed.setForeground(QColor(0xb7, 0x1c, 0x1c));
    removed.setBackground(QColor(0xff, 0xeb, 0xee));
    added.setForeground(QColor(0x1b, 0x5e, 0x20));
    added.setBackground(QColor(0xe8, 0xf5, 0xe9));
    header.setForeground(QColor(0x6a, 0x3d, 0x9a));
    header.setFontWeight(QFont::Bold);
    cursor.insertText(tr("code of A: commit %1%2\n").arg(c.commitA.left(12), c.codeDiffA.isEmpty() ? tr(", clean") : tr(" + uncommitted changes")), header);
    cursor.insertText(tr("code of B: commit %1%2\n").arg(c.commitB.left(12), c.codeDiffB.isEmpty() ? tr(", clean") : tr(" + uncommitted changes")), header);
    if (c.commitA != c.commitB)
        cursor.insertText(tr("The commits differ: `git diff %1 %2` shows the committed changes; below, the uncommitted ones.\n")
                              .arg(c.commitA.left(12), c.commitB.left(12)), header);
    if (c.codeDiffA == c.codeDiffB) {
        cursor.insertText(tr("The uncommitted changes are the same.\n"), plain);
        if (!c.codeDiffA.isEmpty())
            cursor.insertText(c.codeDiffA, plain);
        return;
    }
    for (const auto &line : tracking::lineDiff(c.codeDiffA, c.codeDiffB)) {
        switch (line.kind) {
        case tracking::CodeDiffLine::Same:
            cursor.insertText(QStringLiteral("  ") + line.text + QLatin1Char('\n'), plain);
            break;
        case tracking::CodeDiffLine::Removed:
            cursor.insertText(QStringLiteral("- ") + line.text + QLatin1Char('\n'), removed);
            break;
        case tracking::CodeDiffLine::Added:
            cursor.insertText(QStringLiteral("+ ") + line.text + QLatin1Char('\n'), added);
            break;
        }
    }
}

} // namespace orrery::ui
