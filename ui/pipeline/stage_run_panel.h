#pragma once
// StageRunPanel: what the last (or current) run did with the selected stage — its state and why,
// failed checks, the numbers of its metrics files, and its log, followed live while the stage
// runs (the tail of the log file, re-read by a 4 Hz timer: a few KB, never the whole file).

#include "core/pipeline/executor.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTimer;

namespace orrery::ui {

class StageRunPanel : public QWidget {
    Q_OBJECT
public:
    explicit StageRunPanel(QWidget *parent = nullptr);
    // report null: the stage has not run in this session. metricsFiles: absolute paths.
    void show(const QString &stage, const pipeline::StageReport *report, bool running, const QStringList &metricsFiles);
    void clear();
    QString logText() const;
    int metricCount() const;

private:
    void refreshLog();

    QLabel *m_state;
    QTableWidget *m_metrics;
    QPlainTextEdit *m_log;
    QTimer *m_timer;
    QString m_logPath;
    qint64 m_logSize = -1;
};

} // namespace orrery::ui
