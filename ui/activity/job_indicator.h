#pragma once
// JobIndicator: the status bar's "2 jobs running" with a busy bar, hidden while nothing runs.
// Clicking it asks for the Activity dock, where each job can be followed and cancelled.

#include <QWidget>

class QProgressBar;
class QToolButton;

namespace orrery::common {
class JobTracker;
}

namespace orrery::ui {

class JobIndicator : public QWidget {
    Q_OBJECT
public:
    explicit JobIndicator(common::JobTracker *tracker, QWidget *parent = nullptr);

    QString text() const;

Q_SIGNALS:
    void clicked();

private:
    void refresh();

    common::JobTracker *m_tracker;
    QProgressBar *m_busy;
    QToolButton *m_button;
};

} // namespace orrery::ui
