#include "ui/pipeline/stage_run_panel.h"

#include "ui/common/navigator.h"

#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace orrery::ui {

StageRunPanel::StageRunPanel(Navigator *navigator, QWidget *parent)
    : QWidget(parent), m_navigator(navigator), m_state(new QLabel(this)), m_openRun(new QPushButton(this)), m_metrics(new QTableWidget(0, 2, this)), m_log(new QPlainTextEdit(this)), m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("stageRunPanel"));
    m_state->setObjectName(QStringLiteral("runState"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openRun->setObjectName(QStringLiteral("openStageRun"));
    m_openRun->setText(tr("Open run in Experiments"));
    connect(m_openRun, &QPushButton::clicked, this, [this] {
        if (m_navigator && !m_runId.isEmpty())
            m_navigator->open({QStringLiteral("run"), m_runId});
    });
    m_metrics->setObjectName(QStringLiteral("runMetrics"));
    m_metrics->setHorizontalHeaderLabels({tr("Metric"), tr("Value")});
    m_metrics->horizontalHeader()->setStretchLastSection(true);
    m_metrics->verticalHeader()->hide();
    m_metrics->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metrics->setMaximumHeight(160);
    m_log->setObjectName(QStringLiteral("runLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_log->setFont(mono);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_state);
    layout->addWidget(m_openRun, 0, Qt::AlignLeft);
    layout->addWidget(m_metrics);
    layout->addWidget(m_log, 1);
    m_timer->setInterval(250);
    connect(m_timer, &QTimer::timeout, this, &StageRunPanel::refreshLog);
    clear();
}

void StageRunPanel::clear()
{
    m_timer->stop();
    m_logPath.clear();
    m_logSize = -1;
    setRunId({});
    m_state->setText(tr("<i>Select a stage to see its log and metrics from the last run.</i>"));
    m_metrics->setRowCount(0);
    m_log->clear();
}

void StageRunPanel::show(const QString &stage, const pipeline::StageReport *report, bool running, const QStringList &metricsFiles)
{
    if (!report) {
        clear();
        m_state->setText(tr("<b>%1</b>: not run in this session").arg(stage.toHtmlEscaped()));
    } else {
        QString text = tr("<b>%1</b>: %2").arg(stage.toHtmlEscaped(), running ? tr("running") : QString::fromLatin1(pipeline::stageStateName(report->state)));
        if (!running && report->durationMs > 0)
            text += tr(" in %1 s").arg(report->durationMs / 1000.0, 0, 'f', 2);
        if (!report->reason.isEmpty())
            text += QStringLiteral("<br>") + report->reason.toHtmlEscaped();
        for (const QString &f : report->findings)
            text += QStringLiteral("<br>✗ ") + f.toHtmlEscaped();
        m_state->setText(text);
        if (report->logPath != m_logPath) {
            m_logPath = report->logPath;
            m_logSize = -1;
            m_log->clear();
        }
        refreshLog();
        setRunId(running ? QString() : report->runId);
        if (running)
            m_timer->start();
        else
            m_timer->stop();
    }
    m_metrics->setRowCount(0);
    for (const QString &file : metricsFiles) {
        QFile f(file);
        if (f.size() > (1 << 20) || !f.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!it.value().isDouble())
                continue;
            const int row = m_metrics->rowCount();
            m_metrics->insertRow(row);
            m_metrics->setItem(row, 0, new QTableWidgetItem(it.key()));
            m_metrics->setItem(row, 1, new QTableWidgetItem(QString::number(it.value().toDouble(), 'g', 6)));
        }
    }
}

void StageRunPanel::setRunId(const QString &runId)
{
    m_runId = runId;
    m_openRun->setToolTip(tr("Run %1").arg(runId));
    m_openRun->setVisible(!runId.isEmpty() && m_navigator && m_navigator->canOpen(QStringLiteral("run")));
}

void StageRunPanel::refreshLog()
{
    if (m_logPath.isEmpty())
        return;
    QFile f(m_logPath);
    if (!f.open(QIODevice::ReadOnly))
        return;
    const qint64 size = f.size();
    if (size == m_logSize)
        return;
    m_logSize = size;
    constexpr qint64 kTail = 64 * 1024;
    f.seek(qMax<qint64>(0, size - kTail));
    m_log->setPlainText(QString::fromUtf8(f.readAll()));
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
}

QString StageRunPanel::logText() const
{
    return m_log->toPlainText();
}

int StageRunPanel::metricCount() const
{
    return m_metrics->rowCount();
}

} // namespace orrery::ui
