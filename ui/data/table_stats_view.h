#pragma once
// TableStatsView: the statistics of one CSV version — a line with rows, columns and size, and a
// table with one row per column (ColumnStatsModel) whose last column draws each distribution.

#include "ui/data/profile_store.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace orrery::ui {

class ColumnStatsModel;

class TableStatsView : public QWidget {
    Q_OBJECT
public:
    explicit TableStatsView(QWidget *parent = nullptr);

    void setProfile(ProfilePtr profile);
    void clear();

    ColumnStatsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QString summaryText() const;

private:
    ColumnStatsModel *m_model;
    QTableView *m_view;
    QLabel *m_summary;
};

} // namespace orrery::ui
