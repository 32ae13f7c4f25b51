#pragma once
// DatasetPoller: re-reads the status of the workspace's tracked data every ~2 s while the Data
// area is shown, so a `data add`, a commit or an edit in another shell shows up by itself
// (DESIGN.md, "Processes sharing a workspace": the window polls what it does not own).
//
// Each poll is a Job: it opens its own database connection (for the stat cache, which answers
// for unchanged files without reading them) and git repository on the job's thread and hands back
// plain DatasetEntry values. At most one poll is in flight; a result from before the last
// setRoot()/clear() is dropped.
//
// Threads: lives in, and is used from, the GUI thread.

#include "ui/data/data_types.h"

#include <QObject>
#include <QPointer>
#include <QVector>

class QTimer;

namespace orrery::common {
class Job;
}

namespace orrery::ui {

class DatasetPoller : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 2000;

    explicit DatasetPoller(QObject *parent = nullptr);
    ~DatasetPoller() override;

    // Polls `root` once now; the timer runs only while setActive(true).
    void setRoot(const QString &root);
    void clear();
    QString root() const { return m_root; }
    // Periodic polling on or off (the Data area is shown or hidden).
    void setActive(bool active);
    void setInterval(int ms);
    // Polls now unless a poll is already in flight (then one follows it).
    void refresh();
    bool hasResult() const { return m_hasResult; }

Q_SIGNALS:
    void loaded(const QVector<orrery::ui::DatasetEntry> &entries);
    void failed(const QString &message);

private:
    QTimer *m_timer;
    QString m_root;
    quint64 m_generation = 0;
    QPointer<common::Job> m_inFlight;
    bool m_again = false;
    bool m_hasResult = false;
};

} // namespace orrery::ui
