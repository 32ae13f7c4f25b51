#pragma once
// RunDiffView: what differs between two of the compared runs — params, metrics, tags, data
// hashes, seeds, environment and code (tracking::compareRuns, shared with `orrery-cli runs diff`)
// in a table with the differing rows highlighted, and the code: each run's uncommitted diff
// against its commit, compared line by line, removed lines red and added lines green.
//
// Threads: GUI thread; the comparison is read on the store::DatabaseWorker.

#include "core/tracking/run_diff.h"
#include "ui/experiments/run_compare_view.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTreeWidget;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {


class RunDiffView : public QWidget {
    Q_OBJECT
public:
    explicit RunDiffView(store::DatabaseWorker *worker, QWidget *parent = nullptr);

    // The runs to choose A and B from (the first two are chosen).
    void setRuns(const QVector<CompareRun> &runs);
    void compare(const QString &runA, const QString &runB);

    QTreeWidget *table() const { return m_table; }
    QPlainTextEdit *codeView() const { return m_code; }
    QCheckBox *onlyDifferencesBox() const { return m_onlyDiff; }
    const tracking::RunComparison &comparison() const { return m_comparison; }
    bool hasComparison() const { return m_has; }

Q_SIGNALS:
    void compared();

private:
    void showComparison();

    store::DatabaseWorker *m_worker;
    QComboBox *m_a;
    QComboBox *m_b;
    QCheckBox *m_onlyDiff;
    QLabel *m_note;
    QTreeWidget *m_table;
    QPlainTextEdit *m_code;
    tracking::RunComparison m_comparison;
    bool m_has = false;
    quint64 m_request = 0;
};

} // namespace orrery::ui
