#pragma once
// DirectoryDiffView: two versions of a tracked directory — the files added, removed and modified
// on the left, and on the right the side-by-side statistics of a modified CSV file selected among
// them (or a line saying what to select). Like DirectoryView it only reports the selection.

#include "ui/data/profile_store.h"

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTableView;

namespace orrery::ui {

class FileChangeModel;
class TableDiffView;
struct FileChange;

class DirectoryDiffView : public QWidget {
    Q_OBJECT
public:
    explicit DirectoryDiffView(QWidget *parent = nullptr);

    void setChanges(const QVector<FileChange> &changes);
    void clear();
    void showNote(const QString &text);
    void showDiff(ProfilePtr before, ProfilePtr after);

    FileChangeModel *changeModel() const { return m_model; }
    QTableView *changeView() const { return m_view; }
    TableDiffView *diffView() const { return m_diff; }
    QString summaryText() const;

Q_SIGNALS:
    void changeSelected(int row); // -1: none

private:
    FileChangeModel *m_model;
    QTableView *m_view;
    QLabel *m_summary;
    QStackedWidget *m_side;
    QLabel *m_note;
    TableDiffView *m_diff;
};

} // namespace orrery::ui
