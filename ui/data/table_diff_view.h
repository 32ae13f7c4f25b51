#pragma once
// TableDiffView: two versions of a CSV side by side — rows before → after, and per column the
// kind of change and mean, std, nulls and distinct before and after, the figures that changed
// highlighted (ColumnDiffModel + ChangeHighlightDelegate).

#include "ui/data/profile_store.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace orrery::ui {

class ColumnDiffModel;

class TableDiffView : public QWidget {
    Q_OBJECT
public:
    explicit TableDiffView(QWidget *parent = nullptr);

    void setProfiles(ProfilePtr before, ProfilePtr after);
    void clear();

    ColumnDiffModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // "3 → 4 rows (+1) · 1 column changed …"
    QString summaryText() const;

private:
    ColumnDiffModel *m_model;
    QTableView *m_view;
    QLabel *m_summary;
};

} // namespace orrery::ui
