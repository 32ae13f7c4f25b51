#pragma once
// AlertsPanel: the endpoint's alerts (the `alerts` table the serving process's rule evaluation
// writes): the active ones first (firing, pending), then those resolved in the last week — rule,
// state, since, value, labels, summary, who acknowledged it and until when it is silenced.
// Acknowledge and Silence (1 h, 4 h, 1 day) act on the selected alert; the area writes the change
// on its worker (monitoring_snapshot.h) and the next snapshot shows it.
//
// Threads: GUI thread.

#include "ui/monitoring/monitoring_snapshot.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace orrery::ui {

class AlertsPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { RuleColumn, StateColumn, SinceColumn, ValueColumn, LabelsColumn, SummaryColumn, AcknowledgedColumn, SilencedColumn };
    static constexpr int IdRole = Qt::UserRole + 1;

    explicit AlertsPanel(QWidget *parent = nullptr);

    void setAlerts(const QVector<AlertRow> &alerts, qint64 nowMs);
    void setBusy(bool busy);
    qint64 selectedAlert() const;
    bool selectAlert(qint64 id);
    int activeCount() const;   // pending + firing
    int firingCount() const;

    QTreeWidget *table() const { return m_table; }
    QPushButton *acknowledgeButton() const { return m_acknowledge; }
    QToolButton *silenceButton() const { return m_silence; }

Q_SIGNALS:
    void acknowledgeRequested(qint64 alertId);
    void silenceRequested(qint64 alertId, qint64 forMs);

private:
    void updateButtons();

    QTreeWidget *m_table;
    QPushButton *m_acknowledge;
    QToolButton *m_silence;
    QLabel *m_note;
    QVector<AlertRow> m_alerts;
    bool m_busy = false;
};

} // namespace orrery::ui
