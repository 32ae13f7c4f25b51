#pragma once
// DirectoryView: one version of a tracked directory — its files (from the manifest) on the left,
// and on the right the statistics of the CSV file selected among them, or a line saying what to
// select. Which statistics to show is the Data area's decision: the view only reports the
// selected file (fileSelected) and shows what it is given.

#include "ui/data/profile_store.h"

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTableView;

namespace orrery::ui {

class FileListModel;
class TableStatsView;
struct ContentFile;

class DirectoryView : public QWidget {
    Q_OBJECT
public:
    explicit DirectoryView(QWidget *parent = nullptr);

    void setFiles(const QVector<ContentFile> &files);
    void clear();
    // The right-hand side: a note, or the statistics of the selected file.
    void showNote(const QString &text);
    void showStats(ProfilePtr profile);

    FileListModel *fileModel() const { return m_model; }
    QTableView *fileView() const { return m_view; }
    TableStatsView *statsView() const { return m_stats; }
    QString summaryText() const;

Q_SIGNALS:
    void fileSelected(int row); // -1: none

private:
    FileListModel *m_model;
    QTableView *m_view;
    QLabel *m_summary;
    QStackedWidget *m_side;
    QLabel *m_note;
    TableStatsView *m_stats;
};

} // namespace orrery::ui
