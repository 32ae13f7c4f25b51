#pragma once
// StageRunPanel: what the last (or current) run did with the selected stage — its state and why,
// failed checks, the numbers of its metrics files, and its log, followed live while the stage
// runs (the tail of the log file, re-read by a 4 Hz timer: a few KB, never the whole file).
//
// A stage that ran is a tracked run: "Open run in Experiments" opens it through the Navigator
// (kind "run"), shown only while some area opens runs.

#include "core/pipeline/executor.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace orrery::ui {

class Navigator;

class StageRunPanel : public QWidget {
    Q_OBJECT
public:
    // navigator may be null: no run opens from here.
    explicit StageRunPanel(Navigator *navigator, QWidget *parent = nullptr);
    // report null: the stage has not run in this session. metricsFiles: absolute paths.
    void show(const QString &stage, const pipeline::StageReport *report, bool running, const QStringList &metricsFiles);
    void clear();
    QString logText() const;
    int metricCount() const;
    // The run the shown report names (empty: none, or the stage is running).
    QString runId() const { return m_runId; }
    QPushButton *openRunButton() const { return m_openRun; }

private:
    void refreshLog();
    void setRunId(const QString &runId);

    Navigator *m_navigator;
    QLabel *m_state;
    QPushButton *m_openRun;
    QTableWidget *m_metrics;
    QPlainTextEdit *m_log;
    QTimer *m_timer;
    QString m_logPath;
    qint64 m_logSize = -1;
    QString m_runId;
};

} // namespace orrery::ui
